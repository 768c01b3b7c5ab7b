/** torch.gather and its adjoint scatter_add along one dim, for strided views. */
import type { View } from '../../backend/types.ts';
import { storeRounding, type HostArray } from '../../dtype.ts';
import { cpuData } from './buffer.ts';
import { forEachRow, innermost } from './strided.ts';

type Rounding = ((x: number) => number) | null;

/**
 * Both kernels walk `index` in row-major order (the order scatter_add sums duplicates in) with
 * three offsets per element: the index's, the other operand's at the same multi-index, and the
 * indexed operand's at the same multi-index but 0 along `dim` (the index value picks the rest).
 */
function walk(index: View, dim: number, indexed: View, other: View, row: (p: number[]) => void): void {
  const alongDimZeroed = indexed.strides.map((s, d) => (d === dim ? 0 : s));
  forEachRow(
    index.shape,
    [index.strides, alongDimZeroed, other.strides],
    [index.offset, indexed.offset, other.offset],
    row,
  );
}

/** A negative index counts from the end; anything outside [-size, size) is PyTorch's error. */
function wrap(j: number, size: number, dim: number): number {
  if (j < -size || j >= size)
    throw new RangeError(`index ${j} is out of bounds for dimension ${dim} with size ${size}`);
  return j < 0 ? j + size : j;
}

export function gather(x: View, dim: number, index: View, out: View): void {
  const [xd, id, od] = [cpuData(x), cpuData(index), cpuData(out)];
  const round = storeRounding(out.buffer.dtype);
  const size = x.shape[dim]!;
  const step = x.strides[dim]!;
  const [last, di] = innermost(index.shape, index.strides);
  const dx = innermost(
    index.shape,
    x.strides.map((s, d) => (d === dim ? 0 : s)),
  )[1];
  const dout = innermost(index.shape, out.strides)[1];
  walk(index, dim, x, out, ([pi, px, po]) =>
    gatherRow(xd, id, od, pi!, px!, po!, last, di, dx, dout, size, step, dim, round),
  );
}

export function scatterAdd(dim: number, index: View, src: View, out: View): void {
  const [sd, id, od] = [cpuData(src), cpuData(index), cpuData(out)];
  const round = storeRounding(out.buffer.dtype);
  const size = out.shape[dim]!;
  const step = out.strides[dim]!;
  const [last, di] = innermost(index.shape, index.strides);
  const dout = innermost(
    index.shape,
    out.strides.map((s, d) => (d === dim ? 0 : s)),
  )[1];
  const ds = innermost(index.shape, src.strides)[1];
  walk(index, dim, out, src, ([pi, po, ps]) =>
    scatterRow(sd, id, od, pi!, po!, ps!, last, di, dout, ds, size, step, dim, round),
  );
}

// The per-element loops are top-level functions rather than closures so V8 compiles each once,
// with its arrays' types, whatever closure called it.
// prettier-ignore
function gatherRow(
  xd: HostArray, id: HostArray, od: HostArray, qi: number, qx: number, qo: number, n: number,
  di: number, dx: number, dout: number, size: number, step: number, dim: number, round: Rounding,
): void {
  for (let k = 0; k < n; k++, qi += di, qx += dx, qo += dout) {
    const v = xd[qx + wrap(id[qi]!, size, dim) * step]!;
    od[qo] = round ? round(v) : v;
  }
}

// prettier-ignore
function scatterRow(
  sd: HostArray, id: HostArray, od: HostArray, qi: number, qo: number, qs: number, n: number,
  di: number, dout: number, ds: number, size: number, step: number, dim: number, round: Rounding,
): void {
  for (let k = 0; k < n; k++, qi += di, qo += dout, qs += ds) {
    const o = qo + wrap(id[qi]!, size, dim) * step;
    const v = od[o]! + sd[qs]!;
    od[o] = round ? round(v) : v;
  }
}
