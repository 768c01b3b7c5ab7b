/**
 * Cross-entropy's kernels, each one pass where the composed ops take several: the negative log
 * likelihood of class targets (PyTorch's nll_loss) and its backward, and log-softmax's backward.
 * Every intermediate is rounded to the output's dtype where the composed ops (gather, mul, neg,
 * sum, div; exp, sum, mul, sub) store theirs, in the same order, so the values are the same bits.
 */
import type { View } from '../../backend/types.ts';
import { storeRounding, type DType } from '../../dtype.ts';
import { cpuData } from './buffer.ts';
import { forEachRow } from './strided.ts';

const identity = (x: number): number => x;

/** What storing into an array of `dtype` does to a double. */
function rounding(dtype: DType): (x: number) => number {
  return storeRounding(dtype) ?? (dtype === 'float32' ? Math.fround : identity);
}

/** Each row's class (int32 label; `ignoreIndex` picks class 0 with weight 0), as gather checks it. */
function classOf(label: number, ignoreIndex: number, classes: number): number {
  if (label === ignoreIndex) return 0;
  if (label < -classes || label >= classes) {
    throw new RangeError(`index ${label} is out of bounds for dimension 1 with size ${classes}`);
  }
  return label < 0 ? label + classes : label;
}

/**
 * out (0-d) = Σᵢ −x[i, tᵢ]·wᵢ, divided by Σᵢ wᵢ when `mean`; wᵢ is 0 where tᵢ = ignoreIndex, else 1.
 * x is [N, C], labels [N].
 */
export function nllLoss(x: View, labels: View, ignoreIndex: number, mean: boolean, out: View): void {
  const [xd, ld] = [cpuData(x), cpuData(labels)];
  const r = rounding(out.buffer.dtype);
  const [rows, classes] = x.shape as [number, number];
  const [rs, cs] = x.strides as [number, number];
  const ls = labels.strides[0]!;
  let total = 0;
  let count = 0;
  for (let i = 0; i < rows; i++) {
    const t = ld[labels.offset + i * ls]!;
    const w = t === ignoreIndex ? 0 : 1;
    total += r(-(xd[x.offset + i * rs + classOf(t, ignoreIndex, classes) * cs]! * w));
    count += w;
  }
  cpuData(out)[out.offset] = mean ? r(r(total) / count) : r(total);
}

/** The gradient of nllLoss for x: out [N, C] is 0 but at each row's class, −g·wᵢ (÷ Σ w when `mean`). */
export function nllLossBackward(grad: View, labels: View, ignoreIndex: number, mean: boolean, out: View): void {
  const [gd, ld, od] = [cpuData(grad), cpuData(labels), cpuData(out)];
  const r = rounding(out.buffer.dtype);
  const [rows, classes] = out.shape as [number, number];
  const [rs, cs] = out.strides as [number, number];
  const ls = labels.strides[0]!;
  let count = 0;
  for (let i = 0; i < rows; i++) if (ld[labels.offset + i * ls] !== ignoreIndex) count++;
  const g = gd[grad.offset]!;
  const negated = r(-(mean ? r(g / count) : g));
  for (let i = 0; i < rows; i++) {
    const o = out.offset + i * rs;
    for (let j = 0; j < classes; j++) od[o + j * cs] = 0;
    const t = ld[labels.offset + i * ls]!;
    const w = t === ignoreIndex ? 0 : 1;
    // Scattered into zeros, then added to zeros (the composed gather backward): −0 comes out +0.
    od[o + classOf(t, ignoreIndex, classes) * cs] = r(r(0 + r(negated * w)) + 0);
  }
}

/** out = g − exp(y)·Σ g along `axis` (log-softmax's backward, y its output). */
export function logSoftmaxBackward(grad: View, y: View, axis: number, out: View): void {
  const [gd, yd, od] = [cpuData(grad), cpuData(y), cpuData(out)];
  const r = rounding(out.buffer.dtype);
  const n = out.shape[axis]!;
  const [gs, ys, os] = [grad.strides[axis]!, y.strides[axis]!, out.strides[axis]!];
  // One row per position of the other dims (forEachRow leaves the last dim to its callback).
  const others = <T>(a: readonly T[]): T[] => [...a.filter((_, i) => i !== axis), a[axis]!];
  const views = [grad, y, out];
  forEachRow(
    others(out.shape),
    views.map((v) => others(v.strides)),
    views.map((v) => v.offset),
    ([pg, py, po]) => {
      let sum = 0;
      for (let j = 0, p = pg!; j < n; j++, p += gs) sum += gd[p]!;
      const s = r(sum);
      for (let j = 0; j < n; j++) {
        od[po! + j * os] = r(gd[pg! + j * gs]! - r(r(Math.exp(yd[py! + j * ys]!)) * s));
      }
    },
  );
}
