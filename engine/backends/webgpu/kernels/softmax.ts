/**
 * Softmax and log-softmax along one axis, numerically stable (the row maximum is subtracted before
 * exp). Short rows take one invocation each; long rows with few of them take a workgroup each,
 * with the max and the sum finished as trees in workgroup memory.
 */
import type { View } from '../../../backend/types.ts';
import { convert, storageType } from '../dtypes.ts';
import type { KernelCall } from '../kernel.ts';
import { operands } from '../kernel.ts';
import { coalesce, numel } from '../strided.ts';
import { WORKGROUP, grid, linearEntry, p, prelude, walk } from '../codegen/wgsl.ts';

export function softmaxKernel(x: View, axis: number, log: boolean, out: View): KernelCall | null {
  const rows = numel(out.shape) / (out.shape[axis] || 1);
  const length = x.shape[axis]!;
  if (numel(out.shape) === 0) return null;
  const keptAxes = x.shape.map((_, d) => d).filter((d) => d !== axis);
  const kept = coalesce(
    keptAxes.map((d) => x.shape[d]!),
    [keptAxes.map((d) => x.strides[d]!), keptAxes.map((d) => out.strides[d]!)],
  );
  const nk = kept.shape.length;
  const group = length > 256 && rows < 1024;
  // Parameters: rows, length, x offset, out offset, x axis stride, out axis stride, kept shape,
  // x kept strides, out kept strides.
  const params = [
    rows,
    length,
    x.offset,
    out.offset,
    x.strides[axis]!,
    out.strides[axis]!,
    ...kept.shape,
    ...kept.strides[0]!,
    ...kept.strides[1]!,
  ];
  const ops = operands(['O', 'X'], [out, x]);
  const key = `softmax:${log}:${x.buffer.dtype}>${out.buffer.dtype}:${nk}:${group}:${ops.key}`;
  const source = (): string => {
    const load = (j: string) => convert(`${ops.names[1]}[k0 + (${j}) * ${p(4)}]`, storageType(x.buffer.dtype), 'f32');
    const value = log ? `${load('j')} - mx - log(total)` : `exp(${load('j')} - mx) / total`;
    const store = convert(value, 'f32', storageType(out.buffer.dtype));
    const keptWalk = walk('k', 'row', nk, (d) => p(6 + d), [
      { offset: p(2), stride: (d) => p(6 + nk + d) },
      { offset: p(3), stride: (d) => p(6 + 2 * nk + d) },
    ]);
    const [first, step] = group ? ['i32(lid)', WORKGROUP] : ['0', 1];
    const tree = (v: string, combine: string) =>
      group
        ? `  partial[lid] = ${v};
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s && i32(lid + s) < ${p(1)}) { partial[lid] = ${combine.replace('A', 'partial[lid]').replace('B', 'partial[lid + s]')}; }
    workgroupBarrier();
  }
  ${v} = partial[0];
  workgroupBarrier();`
        : '';
    return `${prelude(ops.bindings, params.length)}${group ? `var<workgroup> partial: array<f32, ${WORKGROUP}>;\n` : ''}
${linearEntry()}
  let row = ${group ? 'group' : 'i'};
  if (row >= ${p(0)}) { return; }
${keptWalk}
  var mx = ${load(group ? `min(${first}, ${p(1)} - 1)` : '0')};
  for (var j = ${first}; j < ${p(1)}; j += ${step}) { mx = max(mx, ${load('j')}); }
${tree('mx', 'max(A, B)')}
  var total = 0.0;
  for (var j = ${first}; j < ${p(1)}; j += ${step}) { total += exp(${load('j')} - mx); }
${tree('total', 'A + B')}
  for (var j = ${first}; j < ${p(1)}; j += ${step}) { O[k1 + j * ${p(5)}] = ${store}; }
}`;
  };
  return { key, source, buffers: ops.buffers, params, workgroups: grid(group ? rows : Math.ceil(rows / WORKGROUP)) };
}
