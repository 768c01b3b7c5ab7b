/**
 * A fused node's backward as fused kernels, as inductor generates a backward kernel per fused
 * group: each input's gradient is an elementwise function of the chain's inputs, its output and the
 * incoming gradient. It is derived here step by step in reverse with eager mode's own formulas (the
 * same ops in the same order, so the same roundings: bit for bit on the CPU), and each distinct
 * gradient runs as one FusedProgram. The chain's intermediate values are recomputed in registers
 * inside that kernel, never stored; the last one is the node's output, which the forward keeps.
 *
 * relu(x @ W.T + b), the MLP's epilogue: both gradients are relu-backward(g, y), one pass reading g
 * and y, with the bias's summed over the batch, as eager computes them.
 */
import type { FusedProgram, FusedStep } from '../backend/types.ts';

/** What a backward kernel reads: an input of the chain, the node's output, the incoming gradient, a number. */
export type Leaf =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'output' }
  | { readonly kind: 'grad' }
  | { readonly kind: 'constant'; readonly value: number };

/** One backward kernel: its program and what each of its inputs is. */
export interface GradKernel {
  readonly program: FusedProgram;
  readonly leaves: readonly Leaf[];
}

/**
 * A term of an input's gradient: a kernel's result, or a leaf read as it is (add's backward passes
 * the incoming gradient on untouched).
 */
export type GradTerm = { readonly kernel: number } | { readonly leaf: Leaf };

export interface BackwardPlan {
  readonly kernels: readonly GradKernel[];
  /**
   * Per chain input, null where it needs no gradient, else its terms in the order eager adds them.
   * An input read at the output's shape has one term (the sum taken inside the kernel); a broadcast
   * one (a bias, a scalar) one term per use, each summed to its shape before they are added.
   */
  readonly grads: readonly (readonly GradTerm[] | null)[];
  /** What the forward saves for it: the output, and which inputs. */
  readonly readsOutput: boolean;
  readonly readsInput: readonly boolean[];
}

type Expr = { readonly leaf: Leaf } | { readonly step: FusedStep };

/** Expressions over leaves, each distinct one made once (so shared work is computed once). */
class Exprs {
  readonly list: Expr[] = [];
  private readonly ids = new Map<string, number>();

  private add(e: Expr): number {
    const key = JSON.stringify(e);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(e);
      this.ids.set(key, id);
    }
    return id;
  }

  leaf(leaf: Leaf): number {
    return this.add({ leaf });
  }
  const(value: number): number {
    return this.leaf({ kind: 'constant', value });
  }
  u(op: Extract<FusedStep, { kind: 'unary' }>['op'], a: number): number {
    return this.add({ step: { kind: 'unary', op, args: [a] } });
  }
  b(op: Extract<FusedStep, { kind: 'binary' }>['op'], a: number, b: number): number {
    return this.add({ step: { kind: 'binary', op, args: [a, b] } });
  }
  reluBackward(g: number, y: number): number {
    return this.add({ step: { kind: 'reluBackward', args: [g, y] } });
  }
}

/**
 * Eager's backward of one step (engine/ops/elementwise.ts), written over expressions: the gradient
 * of each argument given the step's incoming gradient g, its arguments and its value y.
 */
function stepGrads(e: Exprs, step: FusedStep, g: number, args: readonly number[], y: number): number[] {
  const [a, b] = args as [number, number];
  if (step.kind === 'reluBackward') throw new Error('torch.compile: a backward step has no backward here');
  if (step.kind === 'binary') {
    switch (step.op) {
      case 'add':
        return [g, g];
      case 'sub':
        return [g, e.u('neg', g)];
      case 'mul':
        return [e.b('mul', g, b), e.b('mul', g, a)];
      case 'div':
        return [e.b('div', g, b), e.u('neg', e.b('div', e.b('mul', g, a), e.b('mul', b, b)))];
      default:
        throw new Error(`torch.compile: no fused backward for ${step.op}`);
    }
  }
  switch (step.op) {
    case 'neg':
      return [e.u('neg', g)];
    case 'abs':
      return [e.b('mul', g, e.u('sign', a))];
    case 'exp':
      return [e.b('mul', g, y)];
    case 'log':
      return [e.b('div', g, a)];
    case 'sqrt':
      return [e.b('div', g, e.b('mul', y, e.const(2)))];
    case 'rsqrt':
      return [e.b('mul', e.b('mul', g, e.b('pow', y, e.const(3))), e.const(-0.5))];
    case 'reciprocal':
      return [e.u('neg', e.b('mul', g, e.b('mul', y, y)))];
    case 'sin':
      return [e.b('mul', g, e.u('cos', a))];
    case 'cos':
      return [e.u('neg', e.b('mul', g, e.u('sin', a)))];
    case 'tanh':
      return [e.b('mul', g, e.b('add', e.u('neg', e.b('mul', y, y)), e.const(1)))];
    case 'sigmoid':
      return [e.b('mul', e.b('mul', g, y), e.b('add', e.u('neg', y), e.const(1)))];
    case 'relu':
      return [e.reluBackward(g, y)];
    default:
      throw new Error(`torch.compile: no fused backward for ${step.op}`);
  }
}

/**
 * The plan for a program's backward: `needs[i]` whether input i needs a gradient, `broadcast[i]`
 * whether it is read at a shape other than the output's. Null where a kernel would read more than
 * `maxInputs` values (the caller then runs the ops' backwards one by one).
 */
export function planBackward(
  program: FusedProgram,
  needs: readonly boolean[],
  broadcast: readonly boolean[],
  maxInputs: number,
): BackwardPlan | null {
  const e = new Exprs();
  const last = program.inputs + program.steps.length - 1;
  // Each value of the forward: an input, a step recomputed, or (the last) the saved output.
  const values: number[] = [];
  const needed: boolean[] = [];
  for (let i = 0; i < program.inputs; i++) {
    values.push(e.leaf({ kind: 'input', index: i }));
    needed.push(needs[i]!);
  }
  program.steps.forEach((step, s) => {
    const args = step.args.map((a) => values[a]!);
    const k = program.inputs + s;
    values.push(
      k === last
        ? e.leaf({ kind: 'output' })
        : step.kind === 'unary'
          ? e.u(step.op, args[0]!)
          : step.kind === 'binary'
            ? e.b(step.op, args[0]!, args[1]!)
            : e.reluBackward(args[0]!, args[1]!),
    );
    needed.push(step.args.some((a) => needed[a]));
  });
  // Gradients in reverse, as the unfused ops' nodes run: a step's value is read by one later step
  // only (fuse.ts), an input by any number, its terms kept in the order they arrive.
  const stepGrad: (number | null)[] = values.map(() => null);
  stepGrad[last] = e.leaf({ kind: 'grad' });
  const terms: number[][] = needs.map(() => []);
  for (let s = program.steps.length - 1; s >= 0; s--) {
    const g = stepGrad[program.inputs + s];
    if (g === null || g === undefined) continue;
    const step = program.steps[s]!;
    const grads = stepGrads(
      e,
      step,
      g,
      step.args.map((a) => values[a]!),
      values[program.inputs + s]!,
    );
    step.args.forEach((a, j) => {
      if (!needed[a]) return;
      if (a >= program.inputs) stepGrad[a] = grads[j]!;
      else terms[a]!.push(grads[j]!);
    });
  }
  // A full-shape input's terms are added inside the kernel, in eager's order.
  const outputs = terms.map((ts, i) =>
    !needs[i] ? null : broadcast[i] ? ts : [ts.slice(1).reduce((sum, t) => e.b('add', sum, t), ts[0]!)],
  );
  const kernels: GradKernel[] = [];
  const kernelOf = new Map<number, number>();
  const term = (id: number): GradTerm => {
    const expr = e.list[id]!;
    if ('leaf' in expr) return { leaf: expr.leaf };
    let k = kernelOf.get(id);
    if (k === undefined) {
      k = kernels.length;
      kernels.push(kernelFor(e.list, id));
      kernelOf.set(id, k);
    }
    return { kernel: k };
  };
  const grads = outputs.map((ids) => ids && ids.map(term));
  if (kernels.some((k) => k.program.inputs > maxInputs)) return null;
  const read = [
    ...kernels.flatMap((k) => k.leaves),
    ...grads.flat().flatMap((t) => (t && 'leaf' in t ? [t.leaf] : [])),
  ];
  return {
    kernels,
    grads,
    readsOutput: read.some((l) => l.kind === 'output'),
    readsInput: needs.map((_, i) => read.some((l) => l.kind === 'input' && l.index === i)),
  };
}

/** The program computing expression `root`: its leaves as inputs, the steps it reads in order. */
function kernelFor(list: readonly Expr[], root: number): GradKernel {
  const used = new Set<number>();
  const visit = (id: number): void => {
    if (used.has(id)) return;
    used.add(id);
    const expr = list[id]!;
    if ('step' in expr) expr.step.args.forEach(visit);
  };
  visit(root);
  const order = [...used].sort((a, b) => a - b); // ids are made after their arguments
  const leaves = order.filter((id) => 'leaf' in list[id]!);
  const steps = order.filter((id) => 'step' in list[id]!);
  const number = new Map<number, number>();
  leaves.forEach((id, i) => number.set(id, i));
  steps.forEach((id, s) => number.set(id, leaves.length + s));
  return {
    leaves: leaves.map((id) => (list[id] as { leaf: Leaf }).leaf),
    program: {
      inputs: leaves.length,
      steps: steps.map((id) => {
        const { step } = list[id] as { step: FusedStep };
        const [a, b] = step.args.map((arg) => number.get(arg)!) as [number, number];
        return step.kind === 'unary' ? { ...step, args: [a] } : { ...step, args: [a, b] };
      }),
    },
  };
}
