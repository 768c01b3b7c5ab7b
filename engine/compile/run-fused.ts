/**
 * Running a fused node (fuse.ts): its chain as one kernel forward; backward, as AOTAutograd
 * partitions a fused group, one kernel per distinct input gradient (backward.ts), from what the
 * forward saved for it alone (for relu(x @ W.T + b), the output only, as eager's ReLU saves).
 * A chain whose gradient kernel would read more values than a kernel may bind saves its inputs and
 * runs the recorded ops again, op by op, then their own backwards in reverse.
 */
import { fitTo } from '../autograd/engine.ts';
import { applyFunction, Context } from '../autograd/function.ts';
import { isGradEnabled, noGrad } from '../autograd/grad-mode.ts';
import { backendFor } from '../backend/registry.ts';
import { broadcastView, emptyTensor, launchReduce, scalarTensor } from '../ops/kernels.ts';
import { linearProduct, linearProductGrads } from '../ops/matmul.ts';
import { Tensor } from '../tensor/tensor.ts';
import { planBackward, type BackwardPlan, type GradTerm, type Leaf } from './backward.ts';
import { MAX_INPUTS } from './fuse.ts';
import type { FusedNode } from './graph.ts';

/** Each node's backward plans by which inputs need a gradient and which broadcast. */
const plans = new WeakMap<FusedNode, Map<string, BackwardPlan | null>>();

function planFor(node: FusedNode, needs: readonly boolean[], broadcast: readonly boolean[]): BackwardPlan | null {
  let byKey = plans.get(node);
  if (!byKey) plans.set(node, (byKey = new Map()));
  const key = `${needs.map(Number).join('')}/${broadcast.map(Number).join('')}`;
  if (!byKey.has(key)) byKey.set(key, planBackward(node.program, needs, broadcast, MAX_INPUTS));
  return byKey.get(key)!;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Runs a fused node on its input tensors (engine code only: its temporaries go back at once). A
 * linear node makes its product first and runs the epilogue over it in place, unless its backward
 * reads the product; its backward is the epilogue's kernels, then addmm's two products.
 */
export function runFused(node: FusedNode, inputs: Tensor[]): Tensor {
  const recording = isGradEnabled(); // (the forward itself runs with grad mode off)
  return applyFunction(
    'CompiledFunctionBackward',
    (ctx, ...xs: Tensor[]) => {
      const needs = ctx.needsInputGrad;
      const operands = node.linear ? [linearProduct(xs[0]!, xs[1]!), ...xs.slice(2)] : xs;
      const plan =
        recording && needs.some(Boolean)
          ? planFor(
              node,
              node.linear ? [needs[0]! || needs[1]!, ...needs.slice(2)] : needs,
              operands.map((x) => !sameShape(x.shape, node.shape)),
            )
          : undefined;
      const out = node.linear && !plan?.readsInput[0] ? operands[0]! : emptyTensor(node.shape, node.dtype, node.device);
      backendFor(node.device).fused!(
        node.program,
        operands.map((x) => broadcastView(x, node.shape)),
        out.strided,
      );
      if (plan === undefined) return out;
      ctx.plan = plan;
      if (plan === null) {
        ctx.saveForBackward(...xs);
        return out;
      }
      ctx.inputShapes = operands.map((x) => x.shape);
      const saved = [plan.readsOutput ? out : null, ...operands.map((x, i) => (plan.readsInput[i] ? x : null))];
      // addmm's backward: x for w's gradient, w for x's.
      if (node.linear) saved.push(needs[1] ? xs[0]! : null, needs[0] ? xs[1]! : null);
      ctx.saveForBackward(...saved);
      return out;
    },
    (ctx, g) => {
      const plan = ctx.plan as BackwardPlan | null;
      if (plan === null) return recomputed(node, ctx, g);
      const grads = planned(node, plan, ctx, g);
      if (!node.linear) return grads;
      const [product, ...rest] = grads;
      const [x, w] = ctx.savedTensors.slice(-2);
      return [...(product ? linearProductGrads(product, x ?? null, w ?? null) : [null, null]), ...rest];
    },
    inputs,
    true,
  );
}

/** The input gradients from the plan's kernels. */
function planned(node: FusedNode, plan: BackwardPlan, ctx: Context, g: Tensor): (Tensor | null)[] {
  const [output, ...inputs] = ctx.savedTensors;
  const leaf = (l: Leaf): Tensor => {
    switch (l.kind) {
      case 'input':
        return inputs[l.index]!;
      case 'output':
        return output!;
      case 'grad':
        return g;
      case 'constant':
        return scalarTensor(l.value, node.dtype, node.device);
    }
  };
  const backend = backendFor(node.device);
  const results = plan.kernels.map(({ program, leaves }) => {
    const out = emptyTensor(node.shape, node.dtype, node.device);
    backend.fused!(
      program,
      leaves.map((l) => broadcastView(leaf(l), node.shape)),
      out.strided,
    );
    return out;
  });
  const tensor = (t: GradTerm): Tensor => ('kernel' in t ? results[t.kernel]! : leaf(t.leaf));
  return plan.grads.map((terms, i) => {
    if (terms === null) return null;
    const shape = (ctx.inputShapes as number[][])[i]!;
    return terms.map((t) => sumTo(tensor(t), shape)).reduce((sum, t) => sum.add(t));
  });
}

/**
 * A gradient term summed to its input's shape (which broadcasts to the term's): sumToSize's one
 * reduction, launched directly, without an op around it (a bias's gradient, every step).
 */
function sumTo(t: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const lead = t.ndim - shape.length;
  const axes = t.shape.flatMap((d, i) => (i < lead || (shape[i - lead] === 1 && d !== 1) ? [i] : []));
  return new Tensor(launchReduce('sum', t, axes).storage, shape);
}

/**
 * The input gradients by the recorded ops' own formulas, their forwards run again on the saved
 * inputs (never for a linear node: fuse.ts made sure its plan fits).
 */
function recomputed(node: FusedNode, ctx: Context, g: Tensor): (Tensor | null)[] {
  const pieces = node.pieces!;
  const inputs = ctx.savedTensors;
  const needs = [...ctx.needsInputGrad];
  const values: Tensor[] = [...inputs];
  const contexts = noGrad(() =>
    node.program.steps.map((step, s) => {
      const piece = pieces[s]!;
      const c = new Context(piece.name);
      c.needsInputGrad = step.args.map((a) => needs[a]!);
      needs.push(c.needsInputGrad.some(Boolean));
      values.push(piece.forward(c, ...step.args.map((a) => values[a]!)));
      return c;
    }),
  );
  const grads: (Tensor | null)[] = values.map(() => null);
  grads[values.length - 1] = g;
  for (let s = node.program.steps.length - 1; s >= 0; s--) {
    const gOut = grads[node.program.inputs + s];
    if (!gOut) continue;
    const step = node.program.steps[s]!;
    const raw = pieces[s]!.backward(contexts[s]!, gOut);
    const result = Array.isArray(raw) ? raw : [raw];
    step.args.forEach((a, j) => {
      const gj = result[j];
      if (!(gj instanceof Tensor) || !contexts[s]!.needsInputGrad[j]) return;
      const fitted = fitTo(gj, values[a]!.shape, values[a]!.dtype);
      grads[a] = grads[a] ? grads[a]!.add(fitted) : fitted;
    });
  }
  return inputs.map((_, i) => grads[i]!);
}
