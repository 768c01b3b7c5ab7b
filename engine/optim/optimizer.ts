/**
 * torch.optim.Optimizer: parameter groups (each a dict of options plus its params), per-parameter
 * state, zeroGrad(), step() and state dicts in PyTorch's layout. Subclasses write one parameter's
 * update; it runs under noGrad with in-place ops, so parameters keep their identity and device.
 */
import { enableGrad, noGrad } from '../autograd/grad-mode.ts';
import { isFloatingPoint } from '../dtype.ts';
import { capture } from '../tensor/ledger.ts';
import { Tensor } from '../tensor/tensor.ts';
import { checkKeys, isIterable, isOptions, optionsOf, typeName } from '../args.ts';
import { pyBool, pyFloat } from '../nn/repr.ts';
import { inspectCustom } from '../tensor/format.ts';

/** The options every optimizer has; a scheduler reads and writes `lr` and remembers `initialLr`. */
export interface BaseOptions {
  lr: number;
}

export type ParamGroup<O extends BaseOptions = BaseOptions> = O & { params: Tensor[]; initialLr?: number };

/** A group as given to the constructor or addParamGroup: its params and any options to override. */
export type ParamGroupInput<O extends BaseOptions = BaseOptions> = Partial<O> & { params: Tensor | Iterable<Tensor> };

export type ParamsInput<O extends BaseOptions = BaseOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

export type StateValue = Tensor | number;

/** PyTorch's layout: state by parameter index, groups listing their parameters' indices. */
export interface OptimizerStateDict {
  state: Record<number, Record<string, StateValue>>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/** The updates of the engine's optimizers, which keep no tensor but their state (see engineOptimizers). */
const engineUpdates = new Set<unknown>();

/** Declares that these optimizers' own update keeps neither the gradient nor a temporary, only its state. */
export function engineOptimizers(...optimizers: { prototype: object }[]): void {
  for (const o of optimizers) engineUpdates.add((o.prototype as { updateParam?: unknown }).updateParam);
}

/** An option as Python prints it: False, None, (0.9, 0.999), 1e-08; whole numbers as ints (JavaScript cannot tell 0 from 0.0). */
function pyValue(v: unknown): string {
  if (typeof v === 'boolean') return pyBool(v);
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloat(v);
  if (Array.isArray(v)) return v.length === 1 ? `(${pyValue(v[0])},)` : `(${v.map(pyValue).join(', ')})`;
  return String(v);
}

export abstract class Optimizer<O extends BaseOptions = BaseOptions, S extends object = object> {
  readonly defaults: O;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (step counts, moment estimates), created on the first step. */
  readonly state = new Map<Tensor, S>();

  constructor(params: ParamsInput<O>, defaults: O) {
    if (params instanceof Tensor) {
      throw new TypeError(
        'params argument given to the optimizer should be an iterable of Tensors or objects, but got a Tensor (wrap it in an array)',
      );
    }
    const what = `${new.target.name}: params must be an iterable of tensors or of param groups`;
    if (!isIterable(params)) throw new TypeError(`${what}, got ${typeName(params)}`);
    this.defaults = defaults;
    const list = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (list.length === 0) throw new Error('optimizer got an empty parameter list');
    if (!(list[0] instanceof Tensor) && !isOptions(list[0]))
      throw new TypeError(`${what}, but element 0 is ${typeName(list[0])}`);
    const groups =
      list[0] instanceof Tensor
        ? [Object.assign({} as Partial<O>, { params: list as Tensor[] })]
        : (list as ParamGroupInput<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Adds a group (e.g. layers unfrozen later); options it leaves out come from the defaults. */
  addParamGroup(group: ParamGroupInput<O>): void {
    // A group's options are the optimizer's own (a `weight_decay` would otherwise be ignored).
    checkKeys(`torch.optim.${this.constructor.name} param group`, group, [
      'params',
      'initialLr',
      ...Object.keys(this.defaults),
    ]);
    if (!(group.params instanceof Tensor) && !isIterable(group.params))
      throw new TypeError(
        `${this.constructor.name}: a param group's params must be a tensor or an iterable of tensors, got ${typeName(group.params)}`,
      );
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    for (const p of params) {
      if (!(p instanceof Tensor))
        throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typeof p}`);
      if (!p.isLeaf) throw new Error("can't optimize a non-leaf Tensor");
    }
    const taken = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => taken.has(p))) throw new Error('some parameters appear in more than one parameter group');
    this.paramGroups.push({ ...this.defaults, ...group, params } as ParamGroup<O>);
  }

  /** Sets gradients to null (PyTorch's default), or zeroes them in place with setToNone: false. */
  zeroGrad(options?: { setToNone?: boolean }): void {
    const { setToNone = true } = optionsOf('optimizer.zeroGrad', options, ['setToNone']);
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p._grad() === null) continue;
        if (setToNone) p.grad = null;
        else noGrad(() => p._grad()!.detach_().zero_());
      }
    }
  }

  /** One update of every parameter that has a gradient; `closure` re-evaluates the loss first. */
  step(closure?: () => Tensor): Tensor | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          // An engine optimizer keeps neither the gradient nor its temporaries; another may keep both.
          const engineOnly = engineUpdates.has(this.updateParam);
          const gradient = engineOnly ? p._grad() : p.grad;
          if (!gradient) continue;
          // The update's temporaries are dead once it is done (only the state stays), so they stop
          // counting in torch.memory there, parameter by parameter, as PyTorch's loop frees them.
          capture(
            () => this.updateParam(p, gradient, group),
            () => stateTensors(this.state.get(p)).map((t) => t.storage.entry),
            engineOnly,
          );
        }
      }
    });
    return loss;
  }

  /** The update of one parameter that has a gradient, under noGrad. */
  protected abstract updateParam(p: Tensor, gradient: Tensor, group: ParamGroup<O>): void;

  /** A parameter's state, created by `init` on first use. */
  protected stateOf(p: Tensor, init: () => S): S {
    let s = this.state.get(p);
    if (!s) {
      s = init();
      this.state.set(p, s);
    }
    return s;
  }

  /** console.log(optimizer) prints the repr, as Python's print(optimizer). */
  [inspectCustom](): string {
    return this.toString();
  }

  /** PyTorch's repr: each group's options (not its params) sorted by name, Python's spelling of values. */
  toString(): string {
    const groups = this.paramGroups.map((group, i) => {
      const options = Object.entries(group)
        .filter(([key]) => key !== 'params')
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, value]) => `    ${key}: ${pyValue(value)}\n`);
      return `\nParameter Group ${i}\n${options.join('')}`;
    });
    return `${this.constructor.name} (${groups.join('')})`;
  }

  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map(({ params, ...options }) => ({
      ...options,
      params: params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      }),
    }));
    const state: OptimizerStateDict['state'] = {};
    for (const [p, s] of this.state) {
      if (index.has(p)) state[index.get(p)!] = { ...(s as Record<string, StateValue>) };
    }
    return { state, paramGroups };
  }

  /**
   * Restores groups' options and per-parameter state, matched by position. State tensors are
   * copied onto each parameter's device, floating ones in its dtype, as PyTorch does.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const saved = stateDict.paramGroups;
    if (saved.length !== this.paramGroups.length)
      throw new Error('loaded state dict has a different number of parameter groups');
    if (saved.some((g, i) => g.params.length !== this.paramGroups[i]!.params.length)) {
      throw new Error("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const byIndex = new Map<number, Tensor>();
    saved.forEach((g, i) => g.params.forEach((id, k) => byIndex.set(id, this.paramGroups[i]!.params[k]!)));
    this.state.clear();
    noGrad(() => {
      for (const [id, s] of Object.entries(stateDict.state)) {
        const p = byIndex.get(Number(id));
        if (!p) continue;
        const copy: Record<string, StateValue> = {};
        for (const [key, v] of Object.entries(s)) {
          copy[key] =
            v instanceof Tensor
              ? v.clone().to({ device: p.device, dtype: isFloatingPoint(v.dtype) ? p.dtype : undefined })
              : v;
        }
        this.state.set(p, copy as S);
      }
    });
    saved.forEach(({ params: _ids, ...options }, i) => Object.assign(this.paramGroups[i]!, options));
  }
}

function stateTensors(state: object | undefined): Tensor[] {
  return Object.values(state ?? {}).filter((v): v is Tensor => v instanceof Tensor);
}

export function checkNonNegative(value: number, what: string): void {
  if (!(value >= 0)) throw new RangeError(`Invalid ${what}: ${value}`);
}
