/**
 * argsort along one axis by counting: the invocation for element j of a row counts the elements that
 * sort before it (smaller, or equal at a lower index) and writes j at that rank. O(n²) per row but
 * without barriers or passes, stable and deterministic, and ties and NaN (above every number, as in
 * torch.sort) are ordered exactly as on the CPU backend.
 */
import type { View } from '../../../backend/types.ts';
import { arithType, convert, storageType } from '../dtypes.ts';
import type { KernelCall } from '../kernel.ts';
import { operands } from '../kernel.ts';
import { numel } from '../strided.ts';
import { IS_NAN, WORKGROUP, grid, linearEntry, p, prelude, walk } from '../codegen/wgsl.ts';

export function argsortKernel(x: View, axis: number, descending: boolean, out: View): KernelCall | null {
  const total = numel(x.shape);
  if (total === 0) return null;
  const nd = x.shape.length;
  const inner = numel(x.shape.slice(axis + 1));
  // The walk finds each row's start: the axis itself is stepped by hand, so its strides are 0 there.
  const flat = (v: View) => v.strides.map((s, d) => (d === axis ? 0 : s));
  // Parameters: numel, shape, (offset, strides) of out and x, then the axis strides, length, inner size.
  const params = [
    total,
    ...x.shape,
    out.offset,
    ...flat(out),
    x.offset,
    ...flat(x),
    out.strides[axis]!,
    x.strides[axis]!,
    x.shape[axis]!,
    inner,
  ];
  const ops = operands(['O', 'X'], [out, x]);
  const dtype = x.buffer.dtype;
  const t = arithType(dtype);
  const key = `argsort:${dtype}:${nd}:${descending}:${ops.key}`;
  const source = (): string => {
    const base = (k: number) => 1 + nd + k * (nd + 1);
    const walkers = [0, 1].map((k) => ({ offset: p(base(k)), stride: (d: number) => p(base(k) + 1 + d) }));
    const [os, xs, n, inn] = [0, 1, 2, 3].map((k) => p(base(2) + k));
    const read = (at: string) => convert(`${ops.names[1]}[${at}]`, storageType(dtype), t);
    const less = descending ? '>' : '<';
    // NaN is the largest value: ascending, a NaN w sorts before v only if v is NaN too (then by index).
    const nanFirst = descending ? 'wn && !vn' : '!wn && vn';
    const before =
      t === 'f32'
        ? `let wn = is_nan(w); let vn = is_nan(v);
      let b = select((w ${less} v) || (w == v && k < j), (${nanFirst}) || (wn && vn && k < j), wn || vn);`
        : `let b = (w ${less} v) || (w == v && k < j);`;
    return `${prelude(ops.bindings, params.length)}${IS_NAN}
${linearEntry()}
  if (i >= ${p(0)}) { return; }
${walk('at', 'i', nd, (d) => p(1 + d), walkers)}
  let j = (i / ${inn}) % ${n};
  let v = ${read(`at1 + j * ${xs}`)};
  var rank = 0;
  for (var k = 0; k < ${n}; k++) {
    let w = ${read(`at1 + k * ${xs}`)};
    ${before}
    rank += select(0, 1, b);
  }
  O[at0 + rank * ${os}] = j;
}`;
  };
  return { key, source, buffers: ops.buffers, params, workgroups: grid(Math.ceil(total / WORKGROUP)) };
}
