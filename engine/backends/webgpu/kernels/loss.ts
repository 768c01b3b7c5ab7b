/**
 * Cross-entropy's kernels (Backend.nllLoss, nllLossBackward, logSoftmaxBackward), one dispatch each
 * where the composed ops took nineteen in a training step: eq, where, gather, not, a cast, mul, neg,
 * two sums and div forward; div, neg, mul, scatterAdd, add, exp, sum, mul and sub backward. On
 * lavapipe each dispatch costs more than such a kernel's arithmetic.
 *
 * The values are the composed ops' bits on this device: every intermediate is rounded to the
 * output's dtype where they store theirs (`st`), and sums run in the reduce kernel's order
 * (codegen/reduce.ts): one invocation left to right for short runs, otherwise a workgroup whose
 * invocations fold strided slices and finish with a tree.
 */
import type { View } from '../../../backend/types.ts';
import { convert, storageType } from '../dtypes.ts';
import type { KernelCall } from '../kernel.ts';
import { faultRecord, operands } from '../kernel.ts';
import { coalesce, numel } from '../strided.ts';
import { WORKGROUP, grid, linearEntry, p, prelude, walk } from '../codegen/wgsl.ts';

/** Whether the reduce kernel sums `reduced` values per output with a workgroup (see reduce.ts's modeFor). */
function grouped(outputs: number, reduced: number): boolean {
  return reduced > 256 && outputs < 1024;
}

/**
 * WGSL `st(x)`: x rounded as storing it in the output's dtype rounds it (a no-op for float32). For
 * float16 in integer arithmetic on the bits, round to nearest even as the store does: the shader
 * compiler folds f32(f16(x)) back to x (lavapipe did, changing 1 in 4 of a log-softmax gradient's
 * values by an ulp).
 */
function storeRounding(out: View): string {
  if (storageType(out.buffer.dtype) === 'f32') return 'fn st(x: f32) -> f32 { return x; }\n';
  return `fn st(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  let a = b & 0x7fffffffu;
  let sign = b & 0x80000000u;
  if (a >= 0x7f800000u) { return x; }
  if (a >= 0x477ff000u) { return bitcast<f32>(sign | 0x7f800000u); }
  if (a >= 0x38800000u) { return bitcast<f32>(sign | ((a + 0xfffu + ((a >> 13u) & 1u)) & 0xffffe000u)); }
  // Below float16's normals its spacing is 2^-24: scaling by powers of two is exact, round() ties to even.
  return bitcast<f32>(sign | bitcast<u32>(round(bitcast<f32>(a) * 16777216.0) / 16777216.0));
}
`;
}

/**
 * The tree the reduce kernel finishes a workgroup's partial sums with, over `names` (one
 * workgroup array each): after it, element 0 holds each total. `count` is how many values there were.
 */
function tree(names: readonly string[], count: string): string {
  return `  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s && i32(lid + s) < ${count}) { ${names.map((a) => `${a}[lid] = ${a}[lid] + ${a}[lid + s];`).join(' ')} }
    workgroupBarrier();
  }`;
}

/**
 * out (0-d) = Σᵢ −x[i, tᵢ]·wᵢ (÷ Σᵢ wᵢ when `mean`), wᵢ 0 where tᵢ is ignoreIndex (which picks class
 * 0) and 1 elsewhere; x [N, C], labels [N] int32. A label outside [−C, C) raises the fault record as
 * the gather it replaces does.
 */
export function nllLossKernel(x: View, labels: View, ignoreIndex: number, mean: boolean, out: View): KernelCall {
  const [rows, classes] = x.shape as [number, number];
  const group = grouped(1, rows);
  // Parameters: rows, classes, x offset, x row and class strides, labels offset and stride, out
  // offset, ignoreIndex.
  const params = [
    rows,
    classes,
    x.offset,
    x.strides[0]!,
    x.strides[1]!,
    labels.offset,
    labels.strides[0]!,
    out.offset,
    ignoreIndex,
  ];
  const ops = operands(['O', 'X', 'L'], [out, x, labels]);
  const key = `nll:${x.buffer.dtype}>${out.buffer.dtype}:${mean}:${group}:${ops.key}`;
  const source = (): string => {
    const [, X, L] = ops.names;
    const load = convert(
      `${X}[${p(2)} + r * ${p(3)} + select(0, j, inside) * ${p(4)}]`,
      storageType(x.buffer.dtype),
      'f32',
    );
    const [first, step] = group ? ['i32(lid)', WORKGROUP] : ['0', 1];
    const total = `select(0.0, acc, ${p(0)} > 0)`;
    const result = mean ? `st(st(${total}) / st(count))` : `st(${total})`;
    return `${prelude(ops.bindings, params.length)}${faultRecord(ops.bindings.length + 1)}${storeRounding(out)}${
      group ? `var<workgroup> sums: array<f32, ${WORKGROUP}>;\nvar<workgroup> counts: array<f32, ${WORKGROUP}>;\n` : ''
    }
${linearEntry(group ? WORKGROUP : 1)}
  if (group > 0) { return; }
  var acc = 0.0;
  var count = 0.0;
  for (var r = ${first}; r < ${p(0)}; r += ${step}) {
    let t = ${L}[${p(5)} + r * ${p(6)}];
    let ignored = t == ${p(8)};
    let label = select(t, 0, ignored);
    let j = select(label, label + ${p(1)}, label < 0);
    let inside = j >= 0 && j < ${p(1)};
    if (!inside) { fault(label, 1, ${p(1)}); }
    let w = select(1.0, 0.0, ignored);
    let v = -(select(0.0, ${load}, inside) * w);
    if (r == ${first}) { acc = v; } else { acc = acc + v; }
    count = count + w;
  }
${
  group
    ? `  sums[lid] = acc;
  counts[lid] = count;
${tree(['sums', 'counts'], p(0))}
  if (lid != 0u) { return; }
  acc = sums[0];
  count = counts[0];`
    : ''
}
  O[${p(7)}] = ${convert(result, 'f32', storageType(out.buffer.dtype))};
}`;
  };
  return { key, source, buffers: ops.buffers, params, workgroups: [1, 1, 1], reportsFaults: true };
}

/** Workgroups of nllLossBackward at most: each counts the labels itself, so more would repeat that work. */
const BACKWARD_GROUPS = 64;

/**
 * nllLoss's gradient for x: out [N, C] is 0 but at each row's class, −g·wᵢ (÷ Σ w when `mean`),
 * from grad (0-d). Scattered into zeros and added to zeros in the composed path, so −0 comes out +0.
 */
export function nllLossBackwardKernel(
  grad: View,
  labels: View,
  ignoreIndex: number,
  mean: boolean,
  out: View,
): KernelCall | null {
  const [rows, classes] = out.shape as [number, number];
  if (rows === 0 || classes === 0) return null;
  const groups = Math.min(Math.ceil(rows / WORKGROUP), BACKWARD_GROUPS);
  // Parameters: rows, classes, out offset, out row and class strides, labels offset and stride,
  // grad offset, ignoreIndex.
  const params = [
    rows,
    classes,
    out.offset,
    out.strides[0]!,
    out.strides[1]!,
    labels.offset,
    labels.strides[0]!,
    grad.offset,
    ignoreIndex,
  ];
  const ops = operands(['O', 'G', 'L'], [out, grad, labels]);
  const key = `nll-backward:${out.buffer.dtype}:${mean}:${ops.key}`;
  const source = (): string => {
    const [, G, L] = ops.names;
    const g = convert(`${G}[${p(7)}]`, storageType(grad.buffer.dtype), 'f32');
    // Counted per workgroup; the labels' 0/1 weights sum exactly in any order.
    const counting = mean
      ? `  var n = 0;
  for (var r = i32(lid); r < ${p(0)}; r += ${WORKGROUP}) { n += select(1, 0, ${L}[${p(5)} + r * ${p(6)}] == ${p(8)}); }
  counts[lid] = n;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { counts[lid] = counts[lid] + counts[lid + s]; }
    workgroupBarrier();
  }
  let negated = st(-st(${g} / st(f32(counts[0]))));`
      : `  let negated = st(-${g});`;
    const store = (v: string) => convert(v, 'f32', storageType(out.buffer.dtype));
    return `${prelude(ops.bindings, params.length)}${faultRecord(ops.bindings.length + 1)}${storeRounding(out)}${
      mean ? `var<workgroup> counts: array<i32, ${WORKGROUP}>;\n` : ''
    }
${linearEntry()}
${counting}
  let stride = i32(nwg.x * nwg.y) * ${WORKGROUP};
  for (var r = i; r < ${p(0)}; r += stride) {
    let t = ${L}[${p(5)} + r * ${p(6)}];
    let ignored = t == ${p(8)};
    let label = select(t, 0, ignored);
    let j = select(label, label + ${p(1)}, label < 0);
    if (j < 0 || j >= ${p(1)}) { fault(label, 1, ${p(1)}); }
    let v = st(negated * select(1.0, 0.0, ignored));
    let value = select(v, 0.0, v == 0.0);
    let row = ${p(2)} + r * ${p(3)};
    for (var c = 0; c < ${p(1)}; c++) { O[row + c * ${p(4)}] = ${store('select(0.0, value, c == j)')}; }
  }
}`;
  };
  return { key, source, buffers: ops.buffers, params, workgroups: grid(groups), reportsFaults: true };
}

/** out = g − exp(y)·Σ g along `axis` (log-softmax's backward, y its output); all one shape. */
export function logSoftmaxBackwardKernel(grad: View, y: View, axis: number, out: View): KernelCall | null {
  if (numel(out.shape) === 0) return null;
  const length = out.shape[axis]!;
  const rows = numel(out.shape) / length;
  const keptAxes = out.shape.map((_, d) => d).filter((d) => d !== axis);
  const views = [out, grad, y];
  const kept = coalesce(
    keptAxes.map((d) => out.shape[d]!),
    views.map((v) => keptAxes.map((d) => v.strides[d]!)),
  );
  const nk = kept.shape.length;
  const group = grouped(rows, length);
  // Parameters: rows, length, then per view (out, grad, y) its offset and axis stride; kept shape,
  // then per view its kept strides.
  const params = [
    rows,
    length,
    ...views.flatMap((v) => [v.offset, v.strides[axis]!]),
    ...kept.shape,
    ...kept.strides.flat(),
  ];
  const ops = operands(['O', 'G', 'Y'], views);
  const key = `logsoftmax-backward:${out.buffer.dtype}:${nk}:${group}:${ops.key}`;
  const source = (): string => {
    const [, G, Y] = ops.names;
    const t = storageType(out.buffer.dtype);
    const K = 8;
    const keptWalk = walk(
      'k',
      'row',
      nk,
      (d) => p(K + d),
      views.map((_, v) => ({ offset: p(2 + 2 * v), stride: (d: number) => p(K + nk * (1 + v) + d) })),
    );
    const at = (v: number, j: string) => `k${v} + (${j}) * ${p(3 + 2 * v)}`;
    const gj = convert(`${G}[${at(1, 'j')}]`, t, 'f32');
    const yj = convert(`${Y}[${at(2, 'j')}]`, t, 'f32');
    const [first, step] = group ? ['i32(lid)', WORKGROUP] : ['0', 1];
    return `${prelude(ops.bindings, params.length)}${storeRounding(out)}${
      group ? `var<workgroup> sums: array<f32, ${WORKGROUP}>;\n` : ''
    }
${linearEntry()}
  let row = ${group ? 'group' : 'i'};
  if (row >= ${p(0)}) { return; }
${keptWalk}
  var acc = 0.0;
  for (var j = ${first}; j < ${p(1)}; j += ${step}) {
    let v = ${gj};
    if (j == ${first}) { acc = v; } else { acc = acc + v; }
  }
${
  group
    ? `  sums[lid] = acc;
${tree(['sums'], p(1))}
  acc = sums[0];`
    : ''
}
  let total = st(acc);
  for (var j = ${first}; j < ${p(1)}; j += ${step}) {
    O[${at(0, 'j')}] = ${convert(`st(${gj} - st(st(exp(${yj})) * total))`, 'f32', t)};
  }
}`;
  };
  return {
    key,
    source,
    buffers: ops.buffers,
    params,
    workgroups: grid(group ? rows : Math.ceil(rows / WORKGROUP)),
  };
}
