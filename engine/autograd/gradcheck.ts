/**
 * torch.autograd.gradcheck: compares the gradients autograd computes (the analytical Jacobian,
 * one backward per output element) with central finite differences (the numerical Jacobian, two
 * forwards per input element), in float64, with PyTorch's defaults.
 */
import { checkKeys, keys } from '../args.ts';
import { fromHost } from '../tensor/create.ts';
import { Tensor } from '../tensor/tensor.ts';
import { grad } from './api.ts';
import { noGrad } from './grad-mode.ts';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw a GradcheckError on mismatch (the default, as in PyTorch) instead of returning false. */
  raiseException?: boolean;
}

export interface GradcheckMismatch {
  output: number;
  input: number;
  /** Flat index in the input, and in the output. */
  inputElement: number;
  outputElement: number;
  analytical: number;
  numerical: number;
  error: number;
  tolerance: number;
}

export class GradcheckError extends Error {
  constructor(readonly mismatch: GradcheckMismatch) {
    super(
      `Jacobian mismatch for output ${mismatch.output} with respect to input ${mismatch.input}: ` +
        `d out[${mismatch.outputElement}] / d in[${mismatch.inputElement}] is ${mismatch.analytical} by autograd ` +
        `but ${mismatch.numerical} by finite differences (|difference| ${mismatch.error.toExponential(3)} > tolerance ${mismatch.tolerance.toExponential(3)})`,
    );
    this.name = 'GradcheckError';
  }
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

function outputsOf(fn: Fn, inputs: Tensor[]): Tensor[] {
  const out = fn(...inputs);
  return Array.isArray(out) ? [...out] : [out as Tensor];
}

async function numericalJacobians(fn: Fn, inputs: Tensor[], eps: number): Promise<Float64Array[][]> {
  const base = await Promise.all(inputs.map(async (t) => Float64Array.from(await t.data())));
  const outSizes = noGrad(() => outputsOf(fn, inputs)).map((o) => o.numel());
  // jac[output][input] is a row-major [outSize × inSize] matrix.
  const jac = outSizes.map((m) => inputs.map((t) => new Float64Array(m * t.numel())));
  for (let j = 0; j < inputs.length; j++) {
    if (!inputs[j]!.requiresGrad) continue;
    const n = inputs[j]!.numel();
    for (let k = 0; k < n; k++) {
      const evalAt = async (delta: number) => {
        const values = Float64Array.from(base[j]!);
        values[k] = values[k]! + delta;
        const perturbed = inputs.map((t, i) =>
          i === j ? fromHost(values, t.shape, { dtype: t.dtype, device: t.device }) : t,
        );
        return Promise.all(noGrad(() => outputsOf(fn, perturbed)).map(async (o) => Float64Array.from(await o.data())));
      };
      const plus = await evalAt(eps);
      const minus = await evalAt(-eps);
      plus.forEach((p, o) => {
        const m = outSizes[o]!;
        for (let r = 0; r < m; r++) jac[o]![j]![r * n + k] = (p[r]! - minus[o]![r]!) / (2 * eps);
      });
    }
  }
  return jac;
}

async function analyticalJacobians(fn: Fn, inputs: Tensor[]): Promise<Float64Array[][]> {
  const outputs = outputsOf(fn, inputs);
  const diff = inputs.filter((t) => t.requiresGrad);
  return Promise.all(
    outputs.map(async (out) => {
      const m = out.numel();
      const rows = inputs.map((t) => new Float64Array(m * t.numel()));
      if (!out.requiresGrad) return rows;
      for (let r = 0; r < m; r++) {
        const unit = new Float64Array(m);
        unit[r] = 1;
        const g = fromHost(unit, out.shape, { dtype: out.dtype, device: out.device });
        const grads = grad([out], diff, { gradOutputs: [g], retainGraph: true, allowUnused: true });
        for (let j = 0, d = 0; j < inputs.length; j++) {
          if (!inputs[j]!.requiresGrad) continue;
          const gj = grads[d++];
          if (gj) rows[j]!.set(await gj.data(), r * inputs[j]!.numel());
        }
      }
      return rows;
    }),
  );
}

/** Checks autograd against finite differences; returns true, or throws/returns false with the worst element. */
export async function gradcheck(
  fn: Fn,
  inputs: Tensor | readonly Tensor[],
  options: GradcheckOptions = {},
): Promise<boolean> {
  checkKeys(
    'torch.autograd.gradcheck',
    options,
    keys<GradcheckOptions>({ eps: 1, atol: 1, rtol: 1, raiseException: 1 }),
  );
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = options;
  const ins = inputs instanceof Tensor ? [inputs] : [...inputs];
  ins.forEach((t, i) => {
    if (t.requiresGrad && t.dtype !== 'float64') {
      throw new TypeError(
        `gradcheck: input ${i} is ${t.dtype}; finite differences need float64 to be meaningful (create it with { dtype: 'float64' } or call .double())`,
      );
    }
  });
  if (!ins.some((t) => t.requiresGrad))
    throw new Error('gradcheck expects at least one input tensor to require gradient');
  const numerical = await numericalJacobians(fn, ins, eps);
  const analytical = await analyticalJacobians(fn, ins);
  let worst: GradcheckMismatch | null = null;
  numerical.forEach((perInput, o) =>
    perInput.forEach((num, j) => {
      const ana = analytical[o]![j]!;
      const n = ins[j]!.numel();
      for (let e = 0; e < num.length; e++) {
        const error = Math.abs(ana[e]! - num[e]!);
        const tolerance = atol + rtol * Math.abs(num[e]!);
        if (!(error <= tolerance) && (worst === null || error - tolerance > worst.error - worst.tolerance)) {
          worst = {
            output: o,
            input: j,
            inputElement: e % n,
            outputElement: Math.floor(e / n),
            analytical: ana[e]!,
            numerical: num[e]!,
            error,
            tolerance,
          };
        }
      }
    }),
  );
  if (worst === null) return true;
  if (raiseException) throw new GradcheckError(worst);
  return false;
}
