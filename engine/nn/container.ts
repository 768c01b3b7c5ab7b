/**
 * Sequential and ModuleList. Their layers are registered fields named "0", "1", …, so they are
 * found like any child (in registration order), print as "(0): Linear(…)" and index as `seq[0]`.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { argTypeError, isIterable, isOptions } from '../args.ts';
import { Module, engineLayers } from './module.ts';

function position(index: number, length: number): number {
  const i = index < 0 ? index + length : index;
  if (!Number.isInteger(index) || i < 0 || i >= length) throw new RangeError(`index ${index} is out of range`);
  return i;
}

/** Layers by position, whatever their names. */
abstract class ModuleSequence extends Module implements Iterable<Module> {
  readonly [index: number]: Module;

  get length(): number {
    return this.children().length;
  }

  /** The layer at a position (negative counts from the end), as `seq[i]` in Python. */
  at(index: number): Module {
    return this.children()[position(index, this.length)]!;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  append(module: Module): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    if (!isIterable(modules))
      throw argTypeError(`torch.nn.${this.constructor.name}.extend`, 'modules', 1, 'an iterable of Modules', modules);
    for (const m of modules) this.append(m);
    return this;
  }
}

/**
 * Runs its layers in order, each one's output the next one's input. `new Sequential(a, b, c)`
 * names them "0", "1", "2"; `new Sequential({ fc1: a, relu: b })` keeps the given names.
 */
export class Sequential extends ModuleSequence {
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const named =
      modules.length === 1 && isOptions(modules[0]) ? Object.entries(modules[0] as Record<string, Module>) : null;
    if (named) for (const [name, m] of named) this.registerModule(name, m);
    else (modules as Module[]).forEach((m, i) => this.registerModule(String(i), m));
  }

  override forward(input: Tensor): Tensor {
    let x = input;
    for (const m of this) x = m.call(x) as Tensor;
    return x;
  }
}

/** A list of layers that are registered as children (a plain array's would not be). */
export class ModuleList extends ModuleSequence {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /** Inserts before `index`, renumbering the layers after it. */
  insert(index: number, module: Module): this {
    const layers = this.children();
    const i = index < 0 ? Math.max(index + layers.length, 0) : Math.min(index, layers.length);
    layers.splice(i, 0, module);
    layers.forEach((m, j) => ((this as unknown as Record<string, Module>)[String(j)] = m));
    return this;
  }
}

engineLayers(Sequential);
