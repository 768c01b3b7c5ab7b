/**
 * The fused Adam step: the whole update of PyTorch's single-tensor Adam, in the same order of
 * operations, in one pass over the parameter instead of a pass and a temporary array per op.
 */
import type { AdamStepParams, View } from '../../backend/types.ts';
import { storeRounding } from '../../dtype.ts';
import { cpuData } from './buffer.ts';

export function adamStep(
  param: View,
  grad: View,
  expAvg: View,
  expAvgSq: View,
  maxExpAvgSq: View | null,
  h: AdamStepParams,
): void {
  const p = cpuData(param);
  const g = cpuData(grad);
  const m = cpuData(expAvg);
  const v = cpuData(expAvgSq);
  const vmax = maxExpAvgSq ? cpuData(maxExpAvgSq) : null;
  const [po, go, mo, vo, xo] = [param, grad, expAvg, expAvgSq, maxExpAvgSq ?? param].map((x) => x.offset) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const n = param.shape.reduce((a, b) => a * b, 1);
  const { lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, step } = h;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const decay = 1 - lr * weightDecay;
  // 2-byte floats keep each stored value rounded, as the composed in-place ops would.
  const r = storeRounding(param.buffer.dtype) ?? ((x: number) => x);
  for (let i = 0; i < n; i++) {
    let gi = maximize ? -g[go + i]! : g[go + i]!;
    let pi = p[po + i]!;
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) pi = r(pi * decay);
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
    p[po + i] = r(pi + -stepSize * (mi / (Math.sqrt(second) / bc2Sqrt + eps)));
  }
}
