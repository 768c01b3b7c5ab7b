/**
 * gather and scatterAdd along one dimension. scatterAdd runs one invocation per output element that
 * scans the index positions pointing at it, in order: duplicates are summed without atomics, in the
 * same order as the CPU backend, so results are deterministic and work for every dtype.
 */
import type { View } from '../../../backend/types.ts';
import { arithType, convert, storageType } from '../dtypes.ts';
import type { KernelCall } from '../kernel.ts';
import { faultRecord, operands } from '../kernel.ts';
import { numel } from '../strided.ts';
import { WORKGROUP, grid, linearEntry, p, prelude, walk } from '../codegen/wgsl.ts';

/**
 * out[…, j, …] = x[…, index[…, j, …], …]. A negative index counts from the end, as on the CPU; one
 * outside [−size, size) reads 0 and raises the fault record, so the next read throws.
 */
export function gatherKernel(x: View, dim: number, index: View, out: View): KernelCall | null {
  const n = numel(index.shape);
  if (n === 0) return null;
  const nd = index.shape.length;
  // x's walk skips `dim`, whose offset comes from the index value instead.
  const xStrides = x.strides.map((s, d) => (d === dim ? 0 : s));
  // Parameters: numel, shape, then (offset, strides) for out, index, x; x's dim stride and size.
  const params = [
    n,
    ...index.shape,
    out.offset,
    ...out.strides,
    index.offset,
    ...index.strides,
    x.offset,
    ...xStrides,
    x.strides[dim]!,
    x.shape[dim]!,
    dim,
  ];
  const ops = operands(['O', 'I', 'X'], [out, index, x]);
  const key = `gather:${x.buffer.dtype}:${nd}:${ops.key}`;
  const source = (): string => {
    const base = (k: number) => 1 + nd + k * (nd + 1);
    const walkers = [0, 1, 2].map((k) => ({ offset: p(base(k)), stride: (d: number) => p(base(k) + 1 + d) }));
    const t = storageType(x.buffer.dtype);
    const size = p(base(3) + 1);
    return `${prelude(ops.bindings, params.length)}${faultRecord(ops.bindings.length + 1)}
${linearEntry()}
  if (i >= ${p(0)}) { return; }
${walk('at', 'i', nd, (d) => p(1 + d), walkers)}
  let j0 = ${ops.names[1]}[at1];
  let j = select(j0, j0 + ${size}, j0 < 0);
  let inside = j >= 0 && j < ${size};
  if (!inside) { fault(j0, ${p(base(3) + 2)}, ${size}); }
  O[at0] = select(${t}(0), ${ops.names[2]}[at2 + select(0, j, inside) * ${p(base(3))}], inside);
}`;
  };
  return {
    key,
    source,
    buffers: ops.buffers,
    params,
    workgroups: grid(Math.ceil(n / WORKGROUP)),
    reportsFaults: true,
  };
}

/**
 * out[…, index[…, j, …], …] += src[…, j, …]. A negative index counts from the end; one outside
 * [−size, size) adds nothing and raises the fault record (checked by the invocations at position 0
 * of `dim`, which between them scan every index).
 */
export function scatterAddKernel(dim: number, index: View, src: View, out: View): KernelCall | null {
  const n = numel(out.shape);
  if (n === 0 || numel(index.shape) === 0) return null;
  const nd = out.shape.length;
  // Parameters: numel, out shape, out offset, out strides, index shape, index offset, index
  // strides, src offset, src strides.
  const params = [
    n,
    ...out.shape,
    out.offset,
    ...out.strides,
    ...index.shape,
    index.offset,
    ...index.strides,
    src.offset,
    ...src.strides,
    dim,
  ];
  const ops = operands(['O', 'I', 'S'], [out, index, src]);
  const key = `scatterAdd:${out.buffer.dtype}>${src.buffer.dtype}:${nd}:${dim}:${ops.key}`;
  const source = (): string => {
    const OS = 1,
      OO = 1 + nd,
      OST = 2 + nd,
      IS = 2 + 2 * nd,
      IO = 2 + 3 * nd,
      IST = 3 + 3 * nd,
      SO = 3 + 4 * nd,
      SST = 4 + 4 * nd,
      DIM = 4 + 5 * nd;
    const t = arithType(out.buffer.dtype);
    const lines: string[] = [
      `  var rem = i;`,
      `  var at = ${p(OO)};`,
      `  var ia = ${p(IO)};`,
      `  var sa = ${p(SO)};`,
      `  var hit = 0;`,
    ];
    for (let d = nd - 1; d >= 0; d--) {
      lines.push(`  { let c = ${d === 0 ? 'rem' : `rem % ${p(OS + d)}`};`);
      if (d > 0) lines.push(`    rem = rem / ${p(OS + d)};`);
      lines.push(`    at += c * ${p(OST + d)};`);
      // Outside the index tensor's extent in another dimension, nothing scatters here.
      if (d === dim) lines.push('    hit = c;');
      else
        lines.push(
          `    if (c >= ${p(IS + d)}) { return; }`,
          `    ia += c * ${p(IST + d)};`,
          `    sa += c * ${p(SST + d)};`,
        );
      lines.push('  }');
    }
    const size = p(OS + dim);
    return `${prelude(ops.bindings, params.length)}${faultRecord(ops.bindings.length + 1)}
${linearEntry()}
  if (i >= ${p(0)}) { return; }
${lines.join('\n')}
  var v = ${convert('O[at]', storageType(out.buffer.dtype), t)};
  for (var j = 0; j < ${p(IS + dim)}; j++) {
    let k0 = ${ops.names[1]}[ia + j * ${p(IST + dim)}];
    let k = select(k0, k0 + ${size}, k0 < 0);
    if (hit == 0 && (k < 0 || k >= ${size})) { fault(k0, ${p(DIM)}, ${size}); }
    if (k == hit) { v += ${convert(`${ops.names[2]}[sa + j * ${p(SST + dim)}]`, storageType(src.buffer.dtype), t)}; }
  }
  O[at] = ${convert('v', t, storageType(out.buffer.dtype))};
}`;
  };
  return {
    key,
    source,
    buffers: ops.buffers,
    params,
    workgroups: grid(Math.ceil(n / WORKGROUP)),
    reportsFaults: true,
  };
}
