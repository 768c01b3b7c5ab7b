/**
 * Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict. Their layers are registered fields named "0", "1", …, so they are
 * found like any child (in registration order), print as "(0): Linear(…)" and index as `seq[0]`.
 */
import type { DType } from '../dtype.ts';
import { Tensor } from '../tensor/tensor.ts';
import { Parameter } from './parameter.ts';
import { argTypeError, isIterable, isOptions, typeName } from '../args.ts';
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

/**
 * Layers by name, registered as children: `md.key` or `md.get('key')`, PyTorch's `md['key']`.
 * Iterating gives the keys, in insertion order, as a Python dict's.
 */
export class ModuleDict extends Module implements Iterable<string> {
  readonly [key: string]: unknown;

  constructor(modules?: Record<string, Module> | Iterable<readonly [string, Module]> | null) {
    super();
    if (modules !== undefined && modules !== null) this.update(modules);
  }

  get length(): number {
    return this.namedChildren().length;
  }
  get(key: string): Module | undefined {
    return this.namedChildren().find(([k]) => k === key)?.[1];
  }
  set(key: string, module: Module): this {
    this.registerModule(key, module);
    return this;
  }
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  /** Removes `key` and returns its module, as dict.pop. */
  pop(key: string): Module {
    const m = this.get(key);
    if (m === undefined) throw new RangeError(`KeyError: '${key}'`);
    delete (this as Record<string, unknown>)[key];
    return m;
  }
  clear(): void {
    for (const key of this.keys()) delete (this as Record<string, unknown>)[key];
  }
  keys(): string[] {
    return this.namedChildren().map(([k]) => k);
  }
  values(): Module[] {
    return this.children();
  }
  items(): [string, Module][] {
    return this.namedChildren();
  }
  update(modules: Record<string, Module> | Iterable<readonly [string, Module]>): this {
    const call = 'torch.nn.ModuleDict.update';
    const entries = isOptions(modules)
      ? Object.entries(modules)
      : isIterable(modules)
        ? [...(modules as Iterable<unknown>)]
        : null;
    if (!entries) throw argTypeError(call, 'modules', 1, 'a mapping or an iterable of [key, Module] pairs', modules);
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string')
        throw new TypeError(`${call}: each entry must be a [key, Module] pair, got ${typeName(entry)}`);
      this.registerModule(entry[0], entry[1] as Module);
    }
    return this;
  }
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }
}

/** Parameters by position, registered as "0", "1", … (a tensor is wrapped in a Parameter, as PyTorch does). */
export class ParameterList extends Module implements Iterable<Parameter> {
  readonly [index: number]: Parameter;

  constructor(values: Iterable<Tensor> = []) {
    super();
    this.extend(values);
  }

  get length(): number {
    return this.parameters().length;
  }
  at(index: number): Parameter {
    return this.parameters()[position(index, this.length)]!;
  }
  append(value: Tensor): this {
    if (!(value instanceof Tensor)) throw argTypeError('torch.nn.ParameterList.append', 'value', 1, 'a Tensor', value);
    this.registerParameter(String(this.length), value instanceof Parameter ? value : new Parameter(value));
    return this;
  }
  extend(values: Iterable<Tensor>): this {
    if (!isIterable(values))
      throw argTypeError('torch.nn.ParameterList.extend', 'values', 1, 'an iterable of Tensors', values);
    for (const v of values) this.append(v);
    return this;
  }
  [Symbol.iterator](): Iterator<Parameter> {
    return this.parameters()[Symbol.iterator]();
  }
}

/**
 * Parameters by name (insertion order), as PyTorch's ParameterDict: `pd.name` / `pd.get(name)`, `set
 * has pop clear keys values items update`; a tensor is wrapped in a Parameter; iterates its keys.
 */
export class ParameterDict extends Module implements Iterable<string> {
  readonly [key: string]: unknown;

  constructor(parameters?: Record<string, Tensor> | Iterable<readonly [string, Tensor]> | null) {
    super();
    if (parameters !== undefined && parameters !== null) this.update(parameters);
  }

  get length(): number {
    return this.items().length;
  }
  get(key: string): Parameter | undefined {
    return this.items().find(([k]) => k === key)?.[1];
  }
  set(key: string, value: Tensor): this {
    if (!(value instanceof Tensor)) throw argTypeError('torch.nn.ParameterDict.set', 'value', 2, 'a Tensor', value);
    this.registerParameter(key, value instanceof Parameter ? value : new Parameter(value));
    return this;
  }
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  /** Removes `key` and returns its parameter, as dict.pop. */
  pop(key: string): Parameter {
    const p = this.get(key);
    if (p === undefined) throw new RangeError(`KeyError: '${key}'`);
    delete (this as Record<string, unknown>)[key];
    return p;
  }
  clear(): void {
    for (const key of this.keys()) delete (this as Record<string, unknown>)[key];
  }
  keys(): string[] {
    return this.items().map(([k]) => k);
  }
  values(): Parameter[] {
    return this.items().map(([, p]) => p);
  }
  items(): [string, Parameter][] {
    return this.namedParameters({ recurse: false, removeDuplicate: false });
  }
  update(parameters: Record<string, Tensor> | Iterable<readonly [string, Tensor]>): this {
    const call = 'torch.nn.ParameterDict.update';
    const entries = isOptions(parameters)
      ? Object.entries(parameters)
      : isIterable(parameters)
        ? [...(parameters as Iterable<unknown>)]
        : null;
    if (!entries)
      throw argTypeError(call, 'parameters', 1, 'a mapping or an iterable of [key, Tensor] pairs', parameters);
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string')
        throw new TypeError(`${call}: each entry must be a [key, Tensor] pair, got ${typeName(entry)}`);
      this.set(entry[0], entry[1] as Tensor);
    }
    return this;
  }
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  /** PyTorch's lines: `(a): Parameter containing: [torch.FloatTensor of size 2x3]`. */
  override extraRepr(): string {
    return this.items()
      .map(([k, p]) => `  (${k}): Parameter containing: [torch.${TENSOR_TYPES[p.dtype]} of size ${p.shape.join('x')}]`)
      .join('\n');
  }
}

/** PyTorch's legacy tensor type names, as ParameterDict prints them. */
const TENSOR_TYPES: Record<DType, string> = {
  float32: 'FloatTensor',
  float64: 'DoubleTensor',
  float16: 'HalfTensor',
  bfloat16: 'BFloat16Tensor',
  int32: 'IntTensor',
  int8: 'CharTensor',
  bool: 'BoolTensor',
};

engineLayers(Sequential);
