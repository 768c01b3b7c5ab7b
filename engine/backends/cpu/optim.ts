/**
 * The fused Adam step: the whole update of PyTorch's single-tensor Adam, in the same order of
 * operations, in one pass over the parameter instead of a pass and a temporary array per op.
 */
import type { AdamStepParams, View } from '../../backend/types.ts';
import { storeRounding, type HostArray } from '../../dtype.ts';
import { cpuData } from './buffer.ts';
import { wasmAdamStep } from './wasm/adam.ts';

/** Below this many elements the JavaScript loop beats the copies into and out of WebAssembly memory. */
const WASM_MIN_ELEMENTS = 64;

export function adamStep(
  param: View,
  grad: View,
  expAvg: View,
  expAvgSq: View,
  maxExpAvgSq: View | null,
  h: AdamStepParams,
): void {
  const n = param.shape.reduce((a, b) => a * b, 1);
  const args = [cpuData(param), param.offset, cpuData(grad), grad.offset, cpuData(expAvg), expAvg.offset] as const;
  const v = cpuData(expAvgSq);
  const { lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, step } = h;
  const c: Constants = {
    stepSize: lr / (1 - beta1 ** step),
    bc2Sqrt: Math.sqrt(1 - beta2 ** step),
    decay: 1 - lr * weightDecay,
    beta1,
    beta2,
    eps,
    weightDecay,
  };
  // 2-byte floats keep each stored value rounded, as the composed in-place ops would.
  const rounding = storeRounding(param.buffer.dtype);
  // The plain case (a 4- or 8-byte float, no weight decay, no amsgrad, not maximising) is most
  // training runs: it gets a loop with no per-element branches or calls, 1.5-2x faster in V8.
  // A WebAssembly SIMD copy of that loop (bit-identical) runs it several times faster still.
  if (rounding === null && weightDecay === 0 && !maximize && maxExpAvgSq === null) {
    if (n < WASM_MIN_ELEMENTS || !wasmAdamStep(...args, v, expAvgSq.offset, n, c)) {
      plainLoop(...args, v, expAvgSq.offset, n, c);
    }
    return;
  }
  const vmax = maxExpAvgSq ? cpuData(maxExpAvgSq) : null;
  const [p, po, g, go, m, mo] = args;
  const vo = expAvgSq.offset;
  const xo = maxExpAvgSq?.offset ?? 0;
  const r = rounding ?? ((x: number) => x);
  for (let i = 0; i < n; i++) {
    let gi = maximize ? -g[go + i]! : g[go + i]!;
    let pi = p[po + i]!;
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) pi = r(pi * c.decay);
      else gi = r(gi + weightDecay * pi);
    }
    const mi = r(m[mo + i]! + (1 - beta1) * (gi - m[mo + i]!));
    const vi = r(v[vo + i]! * beta2 + (1 - beta2) * (gi * gi));
    m[mo + i] = mi;
    v[vo + i] = vi;
    let second = vi;
    if (vmax) {
      second = Math.max(vmax[xo + i]!, vi);
      vmax[xo + i] = second;
    }
    p[po + i] = r(pi + -c.stepSize * (mi / (Math.sqrt(second) / c.bc2Sqrt + c.eps)));
  }
}

interface Constants {
  stepSize: number;
  bc2Sqrt: number;
  decay: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** The general loop above with every option off: the same operations in the same order. */
// prettier-ignore
function plainLoop(
  p: HostArray, po: number, g: HostArray, go: number, m: HostArray, mo: number, v: HostArray, vo: number,
  n: number, c: Constants,
): void {
  const { beta1, beta2, eps, stepSize, bc2Sqrt } = c;
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  for (let i = 0; i < n; i++) {
    const gi = g[go + i]!;
    const m0 = m[mo + i]!;
    const mi = m0 + a1 * (gi - m0);
    const vi = v[vo + i]! * beta2 + a2 * (gi * gi);
    m[mo + i] = mi;
    v[vo + i] = vi;
    p[po + i] = p[po + i]! + -stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps));
  }
}
