/** torch.gather and its adjoint scatter_add along one dim, for strided views. */
import type { View } from '../../backend/types.ts';
import { storeRounding } from '../../dtype.ts';
import { cpuData } from './buffer.ts';
import { forEachIndex, offsetOf } from './strided.ts';

export function gather(x: View, dim: number, index: View, out: View): void {
  const xd = cpuData(x);
  const id = cpuData(index);
  const od = cpuData(out);
  const round = storeRounding(out.buffer.dtype);
  const size = x.shape[dim]!;
  forEachIndex(index.shape, (i) => {
    const j = id[offsetOf(index, i)]!;
    if (j < -size || j >= size) {
      throw new RangeError(`index ${j} is out of bounds for dimension ${dim} with size ${size}`);
    }
    let o = x.offset;
    for (let d = 0; d < i.length; d++) o += (d === dim ? (j < 0 ? j + size : j) : i[d]!) * x.strides[d]!;
    od[offsetOf(out, i)] = round ? round(xd[o]!) : xd[o]!;
  });
}

export function scatterAdd(dim: number, index: View, src: View, out: View): void {
  const sd = cpuData(src);
  const id = cpuData(index);
  const od = cpuData(out);
  const round = storeRounding(out.buffer.dtype);
  const size = out.shape[dim]!;
  forEachIndex(index.shape, (i) => {
    const j = id[offsetOf(index, i)]!;
    if (j < -size || j >= size) {
      throw new RangeError(`index ${j} is out of bounds for dimension ${dim} with size ${size}`);
    }
    let o = out.offset;
    for (let d = 0; d < i.length; d++) o += (d === dim ? (j < 0 ? j + size : j) : i[d]!) * out.strides[d]!;
    const v = od[o]! + sd[offsetOf(src, i)]!;
    od[o] = round ? round(v) : v;
  });
}
