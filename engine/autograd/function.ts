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
import { isGradEnabled, noGrad } from './grad-mode.ts';
import { Node } from './node.ts';

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
): Tensor {
  const ctx = new Context(name);
  ctx.needsInputGrad = args.map((a) => a instanceof Tensor && a.requiresGrad);
  const record = isGradEnabled() && ctx.needsInputGrad.some(Boolean);
  let out = noGrad(() => forward(ctx, ...args));
  if (!(out instanceof Tensor)) throw new TypeError(`${name}: forward must return a Tensor`);
  if (!record) return out;
  // An output that is one of the inputs gets its own tensor object, so the input keeps its history.
  if (args.includes(out)) out = out._alias();
  const normalized = (c: Context, g: Tensor): readonly unknown[] => {
    const r = backward(c, g);
    return Array.isArray(r) ? r : [r];
  };
  out._setGradFn(new Node(name, args, ctx, normalized, (v): v is Tensor => v instanceof Tensor));
  return out;
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

/** Defines an engine op as a Function with a PyTorch-style node name (MulBackward0, …). */
export function defineOp<A extends unknown[]>(
  name: string,
  forward: (ctx: Context, ...args: A) => Tensor,
  backward: (ctx: Context, grad: Tensor) => readonly unknown[],
): (...args: A) => Tensor {
  return (...args: A) => applyFunction(name, forward as ForwardFn, backward, args);
}
