/**
 * Where torch.compile's tracer listens (trace.ts): applyFunction reports each op it runs,
 * scalarTensor each number it makes a tensor of, and a Generator each random draw. Only ops called by the traced code itself are
 * reported: while an op's forward runs the tracer is switched off, so the ops it is made of are not.
 */
import type { Tensor } from '../tensor/tensor.ts';
import type { BackwardFnOf, ForwardFn } from '../autograd/function.ts';

/** One op as applyFunction ran it: enough to run it again on other arguments. */
export interface OpCall {
  readonly name: string;
  readonly forward: ForwardFn;
  readonly backward: BackwardFnOf;
  readonly args: readonly unknown[];
  readonly out: Tensor;
  /** applyFunction's engineOnly: the op's temporaries go back to the backend at once. */
  readonly engineOnly?: boolean;
  /** A kernel launched outside every op, with no gradient (ops/kernels.ts): replayed without autograd. */
  readonly raw?: boolean;
}

export interface Tracer {
  op(call: OpCall): void;
  scalar(tensor: Tensor, value: number | boolean): void;
  /** Something a graph cannot hold happened (`what` names it): the trace breaks. */
  untraced(what: string): void;
}

let active: Tracer | null = null;

/** The tracer listening now, or null (outside torch.compile's first run, or inside an op). */
export function tracer(): Tracer | null {
  return active;
}

/** Runs fn with `t` listening (null: nobody), then restores the one before. */
export function withTracer<T>(t: Tracer | null, fn: () => T): T {
  const outer = active;
  active = t;
  try {
    return fn();
  } finally {
    active = outer;
  }
}
