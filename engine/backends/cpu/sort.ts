/** argsort along one axis: a stable sort of each row's indices, NaN above every number (as torch.sort). */
import type { View } from '../../backend/types.ts';
import { cpuData } from './buffer.ts';
import { forEachRow, innermost } from './strided.ts';

export function argsort(x: View, axis: number, descending: boolean, out: View): void {
  const xd = cpuData(x);
  const od = cpuData(out);
  const n = x.shape[axis]!;
  const xStep = x.strides[axis]!;
  const oStep = out.strides[axis]!;
  const rowShape = x.shape.map((s, d) => (d === axis ? 1 : s));
  const order = Array.from({ length: n }, (_, j) => j);
  const keys = new Float64Array(n);
  const sign = descending ? -1 : 1;
  // a before b (ascending): a smaller, or b NaN and a not; descending flips it. Ties return 0, and
  // Array.prototype.sort is stable, so equal values keep their index order as torch's stable sort.
  const compare = (a: number, b: number): number => {
    const ka = keys[a]!;
    const kb = keys[b]!;
    const na = ka !== ka;
    const nb = kb !== kb;
    if (na || nb) return na === nb ? 0 : na ? sign : -sign;
    return ka < kb ? -sign : ka > kb ? sign : 0;
  };
  const [len, xInner] = innermost(rowShape, x.strides);
  const oInner = innermost(rowShape, out.strides)[1];
  forEachRow(rowShape, [x.strides, out.strides], [x.offset, out.offset], ([xRow, oRow]) => {
    for (let k = 0; k < len; k++) {
      const xBase = xRow! + k * xInner;
      const oBase = oRow! + k * oInner;
      for (let j = 0; j < n; j++) {
        keys[j] = xd[xBase + j * xStep]!;
        order[j] = j;
      }
      order.sort(compare);
      for (let j = 0; j < n; j++) od[oBase + j * oStep] = order[j]!;
    }
  });
}
