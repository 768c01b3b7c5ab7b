/**
 * torch.nn.Module. PyTorch registers parameters and submodules in __setattr__; JavaScript has no
 * such hook, so a Module finds them when asked, from its own fields in the order they were defined:
 * a field holding a Parameter is a parameter, one holding a Module is a child, and the names given
 * to registerBuffer() are buffers. Plain tensors and arrays of layers are not registered, as in
 * PyTorch (a list of layers goes in a ModuleList).
 */
import { defineOp, freeingTemporaries } from '../autograd/function.ts';
import { isGradEnabled } from '../autograd/grad-mode.ts';
import { inspectCustom } from '../tensor/format.ts';
import { toSpec } from '../ops/elementwise.ts';
import { optionsOf, typeName } from '../args.ts';
import { noGrad } from '../autograd/grad-mode.ts';
import { isFloatingPoint, type DType, type Device } from '../dtype.ts';
import { formatShape } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { Parameter } from './parameter.ts';

/** Parameter and persistent buffer values by dotted name, in registration order. */
export type StateDict = Record<string, Tensor>;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export interface RemovableHandle {
  remove(): void;
}

/** Returns replacement arguments (an array, or one value), or nothing to keep them. */
export type ForwardPreHook = (module: Module, args: unknown[]) => unknown;
/** Returns a replacement output, or nothing to keep it. */
export type ForwardHook = (module: Module, args: unknown[], output: unknown) => unknown;
/**
 * Called with the gradients of the module's tensor inputs (null where an input needs none) and of
 * its output; returns replacement input gradients (an array, or one tensor), or nothing.
 */
export type FullBackwardHook = (
  module: Module,
  gradInput: (Tensor | null)[],
  gradOutput: Tensor[],
) => (Tensor | null)[] | Tensor | null | undefined | void;
/** Called with the gradient of the module's output before it flows in; returns a replacement, or nothing. */
export type FullBackwardPreHook = (module: Module, gradOutput: Tensor[]) => Tensor[] | Tensor | null | undefined | void;

/**
 * An identity in the graph whose backward hands its incoming gradient to `onGrad` and passes on
 * what that returns: how a module sees (and may replace) the gradients at its boundary.
 */
const backwardHookOp = defineOp(
  'BackwardHookFunctionBackward',
  (ctx, x: Tensor, onGrad: (g: Tensor) => Tensor | null) => {
    ctx.onGrad = onGrad;
    return x;
  },
  (ctx, g) => [(ctx.onGrad as (g: Tensor) => Tensor | null)(g), null],
  true,
);

/** Forwards of the engine's layers that run engine code only and keep no tensor they make (see engineLayers). */
const engineForwards = new Set<unknown>();

/**
 * Declares that these layers' own forward runs only engine code and keeps no tensor it makes: what
 * such a module allocates and does not return reaches nobody else (see Module.call).
 */
export function engineLayers(...layers: { prototype: Module }[]): void {
  for (const layer of layers) engineForwards.add(layer.prototype.forward);
}

/** What a module's backward hooks share during one backward: see Module.#hookInput. */
interface Boundary {
  gradOutput: Tensor[];
  /** Tensor inputs, and which one needs a gradient (−1: none). */
  count: number;
  at: number;
}

/** A hook's replacement gradients as a list, or null for "keep them". */
function replacement(value: unknown, what: string, count: number): (Tensor | null)[] | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Promise) {
    throw new TypeError(
      `${what} returned a Promise: hooks run inside backward(), which does not wait; keep the tensors and read them after`,
    );
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.length !== count || !list.every((g) => g === null || g instanceof Tensor)) {
    throw new TypeError(`${what} must return ${count} gradient(s) (Tensor or null) or nothing, got ${String(value)}`);
  }
  return list as (Tensor | null)[];
}

type ConvertSpec = { device?: Device; dtype?: DType };

/** Python's `_addindent`: indents every line but the first. */
function indent(text: string, spaces: number): string {
  return text.split('\n').join(`\n${' '.repeat(spaces)}`);
}

function joinName(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

export class Module {
  #training = true;
  /** Buffer names, each with whether it belongs in stateDict(). */
  #buffers = new Map<string, boolean>();
  /**
   * Names set through register*(), in order. JavaScript lists integer-like keys ("0", "1") before
   * all others whatever their insertion order, so Sequential's layers cannot rely on key order.
   */
  #registered: string[] = [];
  #preHooks = new Map<symbol, ForwardPreHook>();
  #hooks = new Map<symbol, ForwardHook>();
  #backwardHooks = new Map<symbol, FullBackwardHook>();
  #backwardPreHooks = new Map<symbol, FullBackwardPreHook>();

  /** Whether the module is in training mode (train()) or evaluation mode (eval()). */
  get training(): boolean {
    return this.#training;
  }
  set training(mode: boolean) {
    this.#training = mode;
  }

  forward(..._args: any[]): any {
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  /** Runs the forward pre-hooks, forward, then the forward hooks: `model.call(x)` is PyTorch's `model(x)`. */
  call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    let input: unknown[] = args;
    for (const hook of this.#preHooks.values()) {
      const replaced = hook(this, input);
      if (replaced !== undefined) input = Array.isArray(replaced) ? replaced : [replaced];
    }
    let boundary: Boundary | null = null;
    if (this.#backwardHooks.size + this.#backwardPreHooks.size > 0 && isGradEnabled()) {
      [input, boundary] = this.#hookInput(input);
    }
    // A forward's temporaries stop counting in torch.memory when it returns (autograd/function.ts);
    // their buffers go back then too where no code but the engine's could have kept them.
    let output = freeingTemporaries(
      () => (this.forward as (...a: unknown[]) => unknown)(...input),
      () => this.#stateTensors(),
      this.#engineOnly(),
    );
    for (const hook of this.#hooks.values()) {
      const replaced = hook(this, input, output);
      if (replaced !== undefined) output = replaced;
    }
    return (boundary ? this.#hookOutput(output, boundary) : output) as ReturnType<this['forward']>;
  }

  /**
   * Whether this module and every one below it run an engine layer's own forward and have no hooks:
   * then no tensor a forward makes and does not return can reach the program (a hook sees a
   * layer's input and output, a learner's forward may keep anything).
   */
  #engineOnly(): boolean {
    return this.#subtree().every(
      (m) =>
        engineForwards.has(m.forward) &&
        m.#preHooks.size + m.#hooks.size + m.#backwardHooks.size + m.#backwardPreHooks.size === 0,
    );
  }

  /**
   * This module and every one below it, each once: modules() without the names, the option checks
   * and the copies, for what call() asks on every forward.
   */
  #subtree(out: Module[] = []): Module[] {
    if (out.includes(this)) return out;
    out.push(this);
    const fields = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) {
      const value = fields[key];
      if (value instanceof Module) value.#subtree(out);
    }
    return out;
  }

  /** The parameters and buffers of the subtree (as parameters() and buffers() list them, unordered). */
  #stateTensors(): Tensor[] {
    const out: Tensor[] = [];
    for (const m of this.#subtree()) m.#collectState(out);
    return out;
  }

  /** This module's own parameters and buffers, pushed onto `out`. */
  #collectState(out: Tensor[]): void {
    const fields = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) if (fields[key] instanceof Parameter) out.push(fields[key]);
    for (const [name] of this.#buffers) if (fields[name] instanceof Tensor) out.push(fields[name]);
  }

  /**
   * Backward hooks see the gradients at the module's boundary, as PyTorch's BackwardHook does: the
   * tensor input that needs a gradient passes an identity before forward, whose backward receives
   * grad_input; the output passes one after, whose backward receives grad_output. A module whose
   * input needs no gradient (a first layer) gives the hooks null, as soon as grad_output is known.
   */
  #hookInput(input: unknown[]): [unknown[], Boundary] {
    const name = this.constructor.name;
    const tensors = input.filter((a): a is Tensor => a instanceof Tensor);
    const needing = tensors.filter((t) => t.requiresGrad);
    if (needing.length > 1) {
      throw new Error(
        `${name}: full backward hooks are supported for modules with one tensor input that requires grad, got ${needing.length}`,
      );
    }
    const boundary: Boundary = { gradOutput: [], count: tensors.length, at: tensors.indexOf(needing[0]!) };
    if (needing.length === 0) return [input, boundary];
    const wrapped = input.map((a) =>
      a === needing[0] ? backwardHookOp(needing[0], (g: Tensor) => this.#runBackwardHooks(boundary, g)) : a,
    );
    return [wrapped, boundary];
  }

  /** The gradients of the inputs (null where none is needed) through every full backward hook. */
  #runBackwardHooks(boundary: Boundary, grad: Tensor | null): Tensor | null {
    let gradInput = Array.from({ length: boundary.count }, (_, i): Tensor | null => (i === boundary.at ? grad : null));
    for (const hook of this.#backwardHooks.values()) {
      const what = `${this.constructor.name}'s full backward hook`;
      gradInput = replacement(hook(this, gradInput, boundary.gradOutput), what, gradInput.length) ?? gradInput;
    }
    return boundary.at >= 0 ? gradInput[boundary.at]! : null;
  }

  #hookOutput(output: unknown, boundary: Boundary): unknown {
    if (!(output instanceof Tensor)) {
      throw new TypeError(
        `${this.constructor.name}: full backward hooks need forward to return one Tensor, got ${typeof output}`,
      );
    }
    if (!output.requiresGrad) return output;
    return backwardHookOp(output, (g: Tensor) => {
      boundary.gradOutput = [g];
      for (const hook of this.#backwardPreHooks.values()) {
        const what = `${this.constructor.name}'s full backward pre-hook`;
        boundary.gradOutput =
          (replacement(hook(this, boundary.gradOutput), what, 1) as Tensor[] | null) ?? boundary.gradOutput;
      }
      if (boundary.at < 0) this.#runBackwardHooks(boundary, null);
      return boundary.gradOutput[0]!;
    });
  }

  /**
   * PyTorch's register_full_backward_hook: `hook(module, gradInput, gradOutput)` runs when the
   * gradients of the module's inputs are known, and may return replacements for them.
   */
  registerFullBackwardHook(hook: FullBackwardHook): RemovableHandle {
    const key = Symbol('hook');
    this.#backwardHooks.set(key, hook);
    return { remove: () => this.#backwardHooks.delete(key) };
  }

  /** PyTorch's register_full_backward_pre_hook: `hook(module, gradOutput)` may replace gradOutput. */
  registerFullBackwardPreHook(hook: FullBackwardPreHook): RemovableHandle {
    const key = Symbol('hook');
    this.#backwardPreHooks.set(key, hook);
    return { remove: () => this.#backwardPreHooks.delete(key) };
  }

  /** Whether a forward or backward hook is registered on this module itself (torch.compile runs such models eagerly). */
  _hasHooks(): boolean {
    return this.#preHooks.size + this.#hooks.size + this.#backwardHooks.size + this.#backwardPreHooks.size > 0;
  }

  /**
   * torch.compile's guard on this module, from one walk of its subtree, on every call: the modules'
   * training flags ('1'/'0' each), their parameters and buffers (what a graph holds by reference),
   * and whether any of them has a hook.
   */
  _compileGuard(): { training: string; state: Tensor[]; hooks: boolean } {
    let training = '';
    let hooks = false;
    const state: Tensor[] = [];
    for (const m of this.#subtree()) {
      training += m.#training ? '1' : '0';
      hooks ||= m._hasHooks();
      m.#collectState(state);
    }
    return { training, state, hooks };
  }

  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const key = Symbol('hook');
    this.#preHooks.set(key, hook);
    return { remove: () => this.#preHooks.delete(key) };
  }

  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const key = Symbol('hook');
    this.#hooks.set(key, hook);
    return { remove: () => this.#hooks.delete(key) };
  }

  // ---- registration ---------------------------------------------------------------------------

  #checkName(name: string, kind: string): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new TypeError(`${kind} name can't be empty or contain ".", got: "${name}"`);
    }
  }

  /** Sets a field, failing like PyTorch when the name is taken by something of another kind. */
  #setField(name: string, value: unknown, kind: string): void {
    this.#checkName(name, kind);
    const fields = this as unknown as Record<string, unknown>;
    const current = fields[name];
    if (name in this && !Object.hasOwn(this, name)) throw new Error(`attribute '${name}' already exists`);
    if (current !== undefined && current !== null && !(current instanceof Module) && !(current instanceof Tensor)) {
      throw new Error(`attribute '${name}' already exists`);
    }
    fields[name] = value;
    if (!this.#registered.includes(name)) this.#registered.push(name);
  }

  /**
   * A tensor that is part of the module's state but not a parameter (BatchNorm's running mean):
   * it follows to(), and is in stateDict() unless `persistent: false`. Read it as `this[name]`.
   */
  registerBuffer(name: string, tensor: Tensor | null, options?: { persistent?: boolean }): void {
    const { persistent = true } = optionsOf('Module.registerBuffer', options, ['persistent']);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError(
        `cannot assign '${typeof tensor}' object to buffer '${name}' (torch Tensor or None required)`,
      );
    }
    this.#setField(name, tensor, 'buffer');
    this.#buffers.set(name, persistent);
  }

  /** Same as assigning a Parameter (or null, for an absent one such as a bias) to a field. */
  registerParameter(name: string, param: Parameter | null): void {
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(
        `cannot assign '${typeof param}' object to parameter '${name}' (torch.nn.Parameter or None required)`,
      );
    }
    this.#setField(name, param, 'parameter');
  }

  /** Same as assigning a Module to a field. */
  registerModule(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module))
      throw new TypeError(
        `cannot assign ${typeName(module)} as child module '${name}' (torch.nn.Module or null expected)`,
      );
    this.#setField(name, module, 'module');
  }

  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /**
   * copy.deepcopy(module): the same classes, fields, modes and hooks, with every parameter and
   * buffer cloned (shared ones stay shared). The copy is built without running constructors, so a
   * subclass's own `#private` fields are not there: keep a module's state in ordinary fields.
   */
  _deepCopy(memo: Map<object, unknown> = new Map()): this {
    const seen = memo.get(this);
    if (seen) return seen as this;
    const copy = Reflect.construct(Module, [], this.constructor) as this;
    memo.set(this, copy);
    copy.#training = this.#training;
    copy.#buffers = new Map(this.#buffers);
    copy.#registered = [...this.#registered];
    copy.#preHooks = new Map(this.#preHooks);
    copy.#hooks = new Map(this.#hooks);
    const from = this as unknown as Record<string, unknown>;
    const to = copy as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) to[key] = deepCopyValue(from[key], memo);
    return copy;
  }

  // ---- traversal ------------------------------------------------------------------------------

  /** Own fields: plain ones in definition order, then registered ones in registration order. */
  #fields(): [string, unknown][] {
    const fields = this as unknown as Record<string, unknown>;
    const plain = Object.keys(this).filter((k) => !this.#registered.includes(k));
    return [...plain, ...this.#registered].filter((k) => Object.hasOwn(this, k)).map((k) => [k, fields[k]]);
  }

  #ownParameters(): [string, Parameter][] {
    return this.#fields().filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  #ownBuffers(onlyPersistent = false): [string, Tensor][] {
    const fields = this as unknown as Record<string, unknown>;
    const out: [string, Tensor][] = [];
    for (const [name, persistent] of this.#buffers) {
      const value = fields[name];
      if (value instanceof Tensor && (persistent || !onlyPersistent)) out.push([name, value]);
    }
    return out;
  }

  namedChildren(): [string, Module][] {
    return this.#fields().filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every module below it, pre-order, each once, with dotted names. */
  namedModules(options?: { prefix?: string; removeDuplicate?: boolean }): [string, Module][] {
    const { prefix = '', removeDuplicate = true } = optionsOf('Module.namedModules', options, [
      'prefix',
      'removeDuplicate',
    ]);
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (name: string, m: Module) => {
      if (removeDuplicate && seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [child, sub] of m.namedChildren()) visit(joinName(name, child), sub);
    };
    visit(prefix, this);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with PyTorch's dotted names ("fc1.weight"); a shared one is listed once. */
  namedParameters(options?: { prefix?: string; recurse?: boolean; removeDuplicate?: boolean }): [string, Parameter][] {
    const {
      prefix = '',
      recurse = true,
      removeDuplicate = true,
    } = optionsOf('Module.namedParameters', options, ['prefix', 'recurse', 'removeDuplicate']);
    const modules: [string, Module][] = recurse ? this.namedModules({ prefix, removeDuplicate }) : [[prefix, this]];
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [path, m] of modules) {
      for (const [name, p] of m.#ownParameters()) {
        if (removeDuplicate && seen.has(p)) continue;
        seen.add(p);
        out.push([joinName(path, name), p]);
      }
    }
    return out;
  }

  parameters(options?: { recurse?: boolean }): Parameter[] {
    return this.namedParameters(optionsOf('Module.parameters', options, ['recurse'])).map(([, p]) => p);
  }

  namedBuffers(options?: { prefix?: string; recurse?: boolean }): [string, Tensor][] {
    const { prefix = '', recurse = true } = optionsOf('Module.namedBuffers', options, ['prefix', 'recurse']);
    const modules: [string, Module][] = recurse ? this.namedModules({ prefix }) : [[prefix, this]];
    return modules.flatMap(([path, m]) =>
      m.#ownBuffers().map(([name, b]): [string, Tensor] => [joinName(path, name), b]),
    );
  }

  buffers(options?: { recurse?: boolean }): Tensor[] {
    return this.namedBuffers(optionsOf('Module.buffers', options, ['recurse'])).map(([, b]) => b);
  }

  /** Calls fn on every submodule, then on this module (as `model.apply(initWeights)`). */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and gradients --------------------------------------------------------------------

  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError('training mode is expected to be boolean');
    for (const m of this.modules()) m.#training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /** Sets every parameter's grad to null (PyTorch's set_to_none default), or zeroes it in place. */
  zeroGrad(options?: { setToNone?: boolean }): void {
    const { setToNone = true } = optionsOf('Module.zeroGrad', options, ['setToNone']);
    for (const p of this.parameters()) {
      if (p._grad() === null) continue;
      if (setToNone) p.grad = null;
      else noGrad(() => p._grad()!.detach_().zero_());
    }
  }

  // ---- devices and dtypes ---------------------------------------------------------------------

  /**
   * Moves (or casts) parameters and buffers in place. Parameters keep their identity, so an
   * optimizer built before the move still holds them; dtype casts touch floating tensors only.
   */
  to(target: Device | DType | ConvertSpec): this {
    const spec: ConvertSpec = toSpec(target, 'Module.to');
    const convert = (t: Tensor) =>
      t.to({ device: spec.device, dtype: isFloatingPoint(t.dtype) ? spec.dtype : undefined });
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [, p] of m.#ownParameters()) {
          p._setData(convert(p.detach()));
          if (p.grad) p.grad = convert(p.grad);
        }
        const fields = m as unknown as Record<string, unknown>;
        for (const [name, b] of m.#ownBuffers()) fields[name] = convert(b);
      }
    });
    return this;
  }

  cpu(): this {
    return this.to('cpu');
  }
  float(): this {
    return this.to('float32');
  }
  double(): this {
    return this.to('float64');
  }
  half(): this {
    return this.to('float16');
  }
  bfloat16(): this {
    return this.to('bfloat16');
  }

  // ---- state ----------------------------------------------------------------------------------

  /** Parameters, then persistent buffers, then each child's, under dotted names (detached unless keepVars). */
  stateDict(options?: { prefix?: string; keepVars?: boolean }): StateDict {
    const { prefix = '', keepVars = false } = optionsOf('Module.stateDict', options, ['prefix', 'keepVars']);
    const out: StateDict = {};
    const save = (m: Module, path: string) => {
      for (const [name, p] of m.#ownParameters()) out[path + name] = keepVars ? p : p.detach();
      for (const [name, b] of m.#ownBuffers(true)) out[path + name] = keepVars ? b : b.detach();
      for (const [name, child] of m.namedChildren()) save(child, `${path}${name}.`);
    };
    save(this, prefix);
    return out;
  }

  /**
   * Copies values into the module's own tensors. Shapes must match; with `strict` (the default) the
   * keys must match too, and the error lists the missing and unexpected ones, as PyTorch's does.
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, options?: { strict?: boolean }): LoadStateDictResult {
    const { strict = true } = optionsOf('Module.loadStateDict', options, ['strict']);
    const own = this.stateDict({ keepVars: true });
    const given = pytorchKeysRenamed(stateDict instanceof Map ? Object.fromEntries(stateDict) : stateDict, own);
    const missingKeys: string[] = [];
    const unexpectedKeys = Object.keys(given).filter((k) => !Object.hasOwn(own, k));
    const errors: string[] = [];
    noGrad(() => {
      for (const [key, target] of Object.entries(own)) {
        if (!Object.hasOwn(given, key)) {
          missingKeys.push(key);
          continue;
        }
        const src: unknown = given[key];
        if (!(src instanceof Tensor)) {
          errors.push(
            `While copying the parameter named "${key}", expected a Tensor from checkpoint but received ${typeof src}`,
          );
        } else if (src.shape.length !== target.shape.length || src.shape.some((d, i) => d !== target.shape[i])) {
          errors.push(
            `size mismatch for ${key}: copying a param with shape ${formatShape(src.shape)} from checkpoint, ` +
              `the shape in current model is ${formatShape(target.shape)}.`,
          );
        } else {
          target.copy_(src);
        }
      }
    });
    if (strict) {
      const quoted = (keys: string[]) => keys.map((k) => `"${k}"`).join(', ');
      if (unexpectedKeys.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${quoted(unexpectedKeys)}.`);
      if (missingKeys.length > 0) errors.unshift(`Missing key(s) in state_dict: ${quoted(missingKeys)}.`);
    }
    if (errors.length > 0)
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing -------------------------------------------------------------------------------

  /** The layer's settings inside its repr, e.g. "in_features=784, out_features=128, bias=True". */
  extraRepr(): string {
    return '';
  }

  /** console.log(model) prints the repr, as Python's print(model). */
  [inspectCustom](): string {
    return this.toString();
  }

  /** PyTorch's repr: the class name, extraRepr(), then each child as "(name): …", indented. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = this.namedChildren().map(([name, m]) => `(${name}): ${indent(m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let body = '';
    if (extraLines.length === 1 && childLines.length === 0) body = extraLines[0]!;
    else if (lines.length > 0) body = `\n  ${lines.join('\n  ')}\n`;
    return `${this.constructor.name}(${body})`;
  }
}

/** A field's value for Module._deepCopy: modules and tensors copied, arrays and plain objects walked. */
function deepCopyValue(value: unknown, memo: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (memo.has(value)) return memo.get(value);
  let copy: unknown;
  if (value instanceof Module) return value._deepCopy(memo);
  if (value instanceof Parameter) copy = new Parameter(value.detach().clone(), value.requiresGrad);
  else if (value instanceof Tensor) copy = value.detach().clone().requiresGrad_(value.requiresGrad);
  else if (Array.isArray(value)) copy = value.map((v) => deepCopyValue(v, memo));
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    copy = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepCopyValue(v, memo)]));
  } else return value; // anything else (a Map, a generator, a class instance) is shared, not copied
  memo.set(value, copy);
  return copy;
}

/**
 * A state dict PyTorch saved names buffers in snake_case ("1.running_mean", "_orig_mod.0.weight");
 * the kit's modules name them in camelCase. A key the model lacks whose camelCase spelling it has
 * is read as that key, so a checkpoint made by PyTorch (torch.load of its safetensors file) loads.
 */
function pytorchKeysRenamed(given: StateDict, own: Record<string, unknown>): StateDict {
  if (Object.keys(given).every((k) => Object.hasOwn(own, k))) return given;
  const renamed: StateDict = {};
  for (const [key, value] of Object.entries(given)) {
    const camel = key.replace(/(?<=[a-z0-9])_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    renamed[!Object.hasOwn(own, key) && Object.hasOwn(own, camel) && !Object.hasOwn(given, camel) ? camel : key] =
      value;
  }
  return renamed;
}
