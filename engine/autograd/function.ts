/**
 * torch.autograd.Function: a forward and its backward side by side. Every differentiable op of the
 * engine is one of these, and so is a learner's custom Function:
 *
 *   class Exp extends torch.autograd.Function {
 *     static forward(ctx, x) { const y = x.exp(); ctx.saveForBackward(y); return y; }
 *     static backward(ctx, g) { const [y] = ctx.savedTensors; return [g.mul(y)]; }
 *   }
 *   Exp.apply(x);
 */
import { Tensor } from '../tensor/tensor.ts';
import { isGradEnabled, noGrad, withGradModeSync } from './grad-mode.ts';
import { capture, close, type Entry } from '../tensor/ledger.ts';
import { Node, type BackwardFn } from './node.ts';
import { tracer, withTracer } from '../compile/hooks.ts';

interface Saved {
  tensor: Tensor;
  version: number;
}

function describe(t: Tensor): string {
  return `[${t.dtype} tensor of shape [${t.shape.join(', ')}]]`;
}

export class Context {
  /** One flag per forward argument: does it need a gradient? */
  needsInputGrad: readonly boolean[] = [];
  private saved: Saved[] | null = [];
  private readonly nodeName: string;
  /** Room for non-tensor values a backward needs (dims, shapes, scalars). */
  [key: string]: unknown;

  constructor(nodeName: string) {
    this.nodeName = nodeName;
  }

  saveForBackward(...tensors: (Tensor | null)[]): void {
    this.saved = tensors.map((t) => (t ? { tensor: t, version: t._version } : (null as unknown as Saved)));
  }

  /** The saved tensors, checked against in-place changes made since they were saved. */
  get savedTensors(): Tensor[] {
    if (this.saved === null) {
      throw new Error(
        `Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed), at ${this.nodeName}. ` +
          'Specify { retainGraph: true } if you need to backward through the graph a second time.',
      );
    }
    return this.saved.map((s, i) => {
      if (s && s.tensor._version !== s.version) {
        throw new Error(
          `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
            `${describe(s.tensor)}, saved as tensor ${i} of ${this.nodeName}, is at version ${s.tensor._version}; ` +
            `expected version ${s.version} instead. Use an out-of-place operation (add instead of add_) or clone() the tensor first.`,
        );
      }
      return s?.tensor as Tensor;
    });
  }

  /** The tensors this context keeps for backward: saved ones and any stored on it as fields. */
  heldTensors(): Tensor[] {
    const held: Tensor[] = [];
    if (this.saved) for (const s of this.saved) if (s) held.push(s.tensor);
    // A loop over the keys, not Object.values: that made an array of every field, per op.
    for (const key in this) {
      if (key === 'saved' || key === 'needsInputGrad' || key === 'nodeName') continue;
      const value = this[key];
      if (value instanceof Tensor) held.push(value);
      else if (Array.isArray(value)) for (const v of value) if (v instanceof Tensor) held.push(v);
    }
    return held;
  }

  release(): void {
    this.saved = null;
  }
}

export type ForwardFn = (ctx: Context, ...args: any[]) => Tensor;
export type BackwardFnOf = (ctx: Context, grad: Tensor) => readonly unknown[] | Tensor | null;

/**
 * Runs forward without recording, then, if any tensor argument requires grad and grad mode is on,
 * hangs a Node on the output that knows how to run backward.
 */
export function applyFunction(
  name: string,
  forward: ForwardFn,
  backward: BackwardFnOf,
  args: readonly unknown[],
  engineOnly = false,
): Tensor {
  const t = tracer();
  if (t === null) return run(name, forward, backward, args, engineOnly);
  // torch.compile is recording: the op is reported, the ops inside its forward are not.
  const out = withTracer(null, () => run(name, forward, backward, args, engineOnly));
  t.op({ name, forward, backward, args, out, engineOnly });
  return out;
}

function run(
  name: string,
  forward: ForwardFn,
  backward: BackwardFnOf,
  args: readonly unknown[],
  engineOnly: boolean,
): Tensor {
  const ctx = new Context(name);
  ctx.needsInputGrad = args.map((a) => a instanceof Tensor && a.requiresGrad);
  const record = isGradEnabled() && ctx.needsInputGrad.some(Boolean);
  // What forward allocated besides its output (and, when recorded, what it saved) is dead once it
  // returns; what it saved belongs to the node, and stops counting when backward frees the graph.
  // An engine op's forward hands its temporaries to nobody: their buffers go back at once.
  let held: Tensor[] = [];
  const { result, kept } = capture(
    () => (engineOnly ? withGradModeSync(false, () => forward(ctx, ...args)) : noGrad(() => forward(ctx, ...args))),
    (res) => {
      if (!(res instanceof Tensor)) throw new TypeError(`${name}: forward must return a Tensor`);
      if (!record) return [res.storage.entry];
      held = ctx.heldTensors();
      const entries = [res.storage.entry];
      for (const t of held) entries.push(t.storage.entry);
      return entries;
    },
    engineOnly,
  );
  let out = result;
  // An operand the op layer made (a number as a tensor, a cast) dies with this op unless it is saved.
  // (It is this op's alone: passed on, as a tensor saved for backward and used again there, it is not.)
  const operands = args.filter(
    (a): a is Tensor => a instanceof Tensor && temporaries.delete(a) && a.storage !== out.storage,
  );
  const saved = record ? new Set(held.map((t) => t.storage)) : null;
  for (const t of operands) {
    if (saved?.has(t.storage)) continue;
    if (engineOnly) t.storage.release();
    else close(t.storage.entry);
  }
  if (!record) return out;
  // An output that is one of the inputs gets its own tensor object, so the input keeps its history.
  if (args.includes(out)) out = out._alias();
  const owned = kept.map((storage) => storage.entry);
  const node = new Node(name, args, ctx, normalized(backward), isTensor, held, owned, engineOnly);
  for (const t of operands) if (saved!.has(t.storage)) node.adopt(t.storage.entry);
  if (engineOnly) {
    // What an engine op saved that its forward made (not its output) is the graph's alone.
    for (const storage of kept) if (storage !== out.storage) node.freeLater(storage);
    for (const t of operands) if (saved!.has(t.storage)) node.freeLater(t.storage);
  }
  out._setGradFn(node);
  nodesMade?.push(node);
  return out;
}

function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}

/** Each backward, returning its gradients as an array (one made per backward, not per node). */
const normalizedBackwards = new WeakMap<BackwardFnOf, BackwardFn>();

function normalized(backward: BackwardFnOf): BackwardFn {
  let fn = normalizedBackwards.get(backward);
  if (!fn) {
    fn = (c, g) => {
      const r = backward(c, g);
      return Array.isArray(r) ? r : [r];
    };
    normalizedBackwards.set(backward, fn);
  }
  return fn;
}

const temporaries = new WeakSet<Tensor>();

/** Marks a tensor the op layer made as an operand for the one op it is passed to (see applyFunction). */
export function operandTemporary(t: Tensor): Tensor {
  temporaries.add(t);
  return t;
}

/** The nodes recorded since the innermost `freeingTemporaries` began, or null outside one. */
let nodesMade: Node[] | null = null;

/** The tensors in a value a function returns: itself, or those in an array or plain object, nested. */
function tensorsIn(value: unknown, found: Tensor[] = []): Tensor[] {
  if (value instanceof Tensor) found.push(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, found);
  else if (value && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) tensorsIn(v, found);
  }
  return found;
}

/**
 * Runs an op made of other ops (a loss, a module's forward): what it allocated that is neither in
 * its result, nor saved by the graph it recorded, nor named by `keep`, is dead when it returns and
 * stops counting in torch.memory then, as PyTorch frees such temporaries. A tensor it made and a
 * node saved (a mask, a weight) is the node's from then on: it stops counting when backward frees it.
 */
export function freeingTemporaries<T>(fn: () => T, keep: () => Iterable<Tensor> = () => [], engineOnly = false): T {
  const outer = nodesMade;
  const made: Node[] = (nodesMade = []);
  let saved: Map<Entry, Node[]> | null = null;
  let explicit: Set<Entry> | null = null;
  const { result, kept } = capture(
    () => {
      try {
        return fn();
      } finally {
        nodesMade = outer;
      }
    },
    (res) => {
      saved = new Map();
      for (const node of made) {
        for (const t of node.heldTensors()) {
          const list = saved.get(t.storage.entry);
          if (list) list.push(node);
          else saved.set(t.storage.entry, [node]);
        }
      }
      explicit = new Set([...tensorsIn(res), ...keep()].map((t) => t.storage.entry));
      return [...saved.keys(), ...explicit];
    },
    engineOnly,
  );
  for (const storage of kept) {
    if (explicit!.has(storage.entry)) continue;
    for (const node of saved!.get(storage.entry) ?? []) {
      node.adopt(storage.entry);
      if (engineOnly) node.freeLater(storage);
    }
  }
  if (outer) for (const node of made) outer.push(node);
  return result;
}

/**
 * `f`, engine code made of other ops, whose temporaries stop counting when it returns (see above)
 * and, reaching nobody else, go back to their backend then (or when backward frees what the graph saved).
 * `check`, when given, sees the arguments first (a public entry point's argument checks).
 */
export function composite<F extends (...args: any[]) => unknown>(f: F, check?: (args: readonly unknown[]) => void): F {
  return ((...args: unknown[]) => {
    check?.(args);
    return freeingTemporaries(() => f(...args), undefined, true);
  }) as F;
}

/** Base class for custom Functions, as torch.autograd.Function. */
export class Function {
  static forward(_ctx: Context, ..._args: any[]): Tensor {
    throw new Error(`${this.name}.forward is not implemented`);
  }

  static backward(_ctx: Context, ..._grads: Tensor[]): readonly unknown[] | Tensor | null {
    throw new Error(`${this.name}.backward is not implemented`);
  }

  static apply(this: typeof Function, ...args: unknown[]): Tensor {
    return applyFunction(
      `${this.name}Backward`,
      (ctx, ...a) => this.forward(ctx, ...a),
      (ctx, g) => this.backward(ctx, g),
      args,
    );
  }
}

/**
 * Defines an engine op as a Function with a PyTorch-style node name (MulBackward0, …). Its forward
 * and backward run engine code only, unless `callsOut` says backward runs a caller's function (a
 * hook), which may keep the gradient it is given.
 */
export function defineOp<A extends unknown[]>(
  name: string,
  forward: (ctx: Context, ...args: A) => Tensor,
  backward: (ctx: Context, grad: Tensor) => readonly unknown[],
  callsOut = false,
): (...args: A) => Tensor {
  return (...args: A) => applyFunction(name, forward as ForwardFn, backward, args, !callsOut);
}
