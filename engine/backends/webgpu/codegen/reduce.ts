/**
 * Reductions (sum/prod/max/min and argmax/argmin) along any set of axes. The kept axes index the
 * output, the reduced axes are walked with their own strides, so no permuting copy is made.
 * Short reductions run one invocation per output (a plain loop, the fast shape on CPU-emulated GPUs
 * where barriers are costly); long ones with few outputs run one workgroup per output, each thread
 * folding a strided slice and the workgroup finishing with a tree in workgroup memory.
 */
import type { ArgReduceOp, ReduceOp, View } from '../../../backend/types.ts';
import { arithType, convert, storageType } from '../dtypes.ts';
import type { KernelCall } from '../kernel.ts';
import { operands } from '../kernel.ts';
import { coalesce, numel } from '../strided.ts';
import { IS_NAN, WORKGROUP, grid, linearEntry, p, prelude, walk } from './wgsl.ts';

type Mode = 'thread' | 'group';

interface Fold {
  /** Name for the pipeline key. */
  readonly name: string;
  /** WGSL type of the running value. */
  readonly type: 'f32' | 'i32';
  /** Statements merging candidate (`v`, `vi`) into (`acc`, `acci`); `vi` is the reduced index. */
  readonly merge: string;
  /** Value written when nothing was reduced (an empty sum is 0, an empty product 1). */
  readonly empty: string;
  /** True for argmax/argmin: the index, not the value, is the result. */
  readonly arg: boolean;
  /** WGSL functions the merge calls. */
  readonly helpers?: string;
}

function fold(op: ReduceOp | ArgReduceOp, type: 'f32' | 'i32'): Fold {
  switch (op) {
    case 'sum':
      return { name: op, type, merge: 'acc = acc + v;', empty: `${type}(0)`, arg: false };
    case 'prod':
      return { name: op, type, merge: 'acc = acc * v;', empty: `${type}(1)`, arg: false };
    case 'max':
    case 'min':
      if (type === 'i32') return { name: op, type, merge: `acc = ${op}(acc, v);`, empty: 'i32(0)', arg: false };
      // NaN propagates, as on the CPU and in torch (WGSL's max/min may drop it).
      return {
        name: op,
        type,
        merge: `if (!is_nan(acc)) { acc = select(${op}(acc, v), v, is_nan(v)); }`,
        empty: 'f32(0)',
        arg: false,
        helpers: IS_NAN,
      };
    case 'argmax':
    case 'argmin': {
      // Ties keep the lower index, so the first extreme wins as in PyTorch.
      const better = op === 'argmax' ? '>' : '<';
      const merge = `if (v ${better} acc || (v == acc && vi < acci)) { acc = v; acci = vi; }`;
      if (type === 'i32') return { name: op, type, merge, empty: 'i32(0)', arg: true };
      // A NaN counts as the extreme (the first NaN wins), as on the CPU and in torch.
      const nanMerge = `{ let vn = is_nan(v); let an = is_nan(acc);
      if ((vn && (!an || vi < acci)) || (!vn && !an && (v ${better} acc || (v == acc && vi < acci)))) { acc = v; acci = vi; } }`;
      return { name: op, type, merge: nanMerge, empty: 'i32(0)', arg: true, helpers: IS_NAN };
    }
  }
}

/** Picks thread-per-output unless the reduction is long and there are too few outputs to fill the GPU. */
function modeFor(outputs: number, reduced: number): Mode {
  return reduced > 256 && outputs < 1024 ? 'group' : 'thread';
}

function reduction(f: Fold, x: View, axes: readonly number[], out: View): KernelCall | null {
  const outputs = numel(out.shape);
  if (outputs === 0) return null;
  const keptAxes = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const kept = coalesce(
    keptAxes.map((d) => x.shape[d]!),
    [keptAxes.map((d) => x.strides[d]!), out.strides],
  );
  const red = coalesce(
    axes.map((d) => x.shape[d]!),
    [axes.map((d) => x.strides[d]!)],
  );
  const reduced = numel(axes.map((d) => x.shape[d]!));
  const nk = kept.shape.length;
  const nr = red.shape.length;
  const mode = modeFor(outputs, reduced);
  // Parameters: outputs, reduced, x offset, out offset, kept shape, x kept strides, out strides,
  // reduced shape, x reduced strides.
  const params = [
    outputs,
    reduced,
    x.offset,
    out.offset,
    ...kept.shape,
    ...kept.strides[0]!,
    ...kept.strides[1]!,
    ...red.shape,
    ...red.strides[0]!,
  ];
  const ops = operands(['O', 'X'], [out, x]);
  const key = `reduce:${f.name}:${x.buffer.dtype}>${out.buffer.dtype}:${nk}:${nr}:${mode}:${ops.key}`;
  const source = (): string => {
    const K = 4;
    const R = 4 + 3 * nk;
    const keptWalk = walk('k', 'o', nk, (d) => p(K + d), [
      { offset: p(2), stride: (d) => p(K + nk + d) },
      { offset: p(3), stride: (d) => p(K + 2 * nk + d) },
    ]);
    const redWalk = walk('r', 'ri', nr, (d) => p(R + d), [{ offset: 'k0', stride: (d) => p(R + nr + d) }]);
    const load = convert(`${ops.names[1]}[r0]`, storageType(x.buffer.dtype), f.type);
    const result = f.arg ? 'acci' : 'acc';
    const store = convert(
      `select(${f.empty}, ${result}, ${p(1)} > 0)`,
      f.arg ? 'i32' : f.type,
      storageType(out.buffer.dtype),
    );
    const first = mode === 'thread' ? '0' : 'i32(lid)';
    const step = mode === 'thread' ? '1' : String(WORKGROUP);
    const loop = `  var acc = ${f.type}(0);
  var acci = 0;
  let start = ${first};
  for (var ri = start; ri < ${p(1)}; ri += ${step}) {
${redWalk}
    let v = ${load};
    let vi = ri;
    if (ri == start) { acc = v; acci = vi; } else { ${f.merge} }
  }`;
    const body =
      mode === 'thread'
        ? `  let o = i;
  if (o >= ${p(0)}) { return; }
${keptWalk}
${loop}
  O[k1] = ${store};`
        : `  let o = group;
  if (o >= ${p(0)}) { return; }
${keptWalk}
${loop}
  values[lid] = acc;
  indices[lid] = acci;
  workgroupBarrier();
  // Thread t holds a value only when t < reduced, so a partner past that is skipped.
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s && i32(lid + s) < ${p(1)}) {
      acc = values[lid]; acci = indices[lid];
      let v = values[lid + s]; let vi = indices[lid + s];
      ${f.merge}
      values[lid] = acc; indices[lid] = acci;
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    acc = values[0]; acci = indices[0];
    O[k1] = ${store};
  }`;
    const shared =
      mode === 'group'
        ? `var<workgroup> values: array<${f.type}, ${WORKGROUP}>;\nvar<workgroup> indices: array<i32, ${WORKGROUP}>;\n`
        : '';
    return `${prelude(ops.bindings, params.length)}${shared}
${f.helpers ?? ''}
${linearEntry()}
${body}
}`;
  };
  const groups = mode === 'thread' ? Math.ceil(outputs / WORKGROUP) : outputs;
  return { key, source, buffers: ops.buffers, params, workgroups: grid(groups) };
}

export function reduceKernel(op: ReduceOp, x: View, axes: readonly number[], out: View): KernelCall | null {
  return reduction(fold(op, arithType(out.buffer.dtype)), x, axes, out);
}

export function argReduceKernel(op: ArgReduceOp, x: View, axis: number, out: View): KernelCall | null {
  return reduction(fold(op, arithType(x.buffer.dtype)), x, [axis], out);
}
