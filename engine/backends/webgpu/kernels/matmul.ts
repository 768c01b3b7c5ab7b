/**
 * Batched matmul with register blocking: each invocation computes an 8×8 block of the output held
 * in sixteen vec4 accumulators, and an 8×8 workgroup covers 64×64. Operands are strided views
 * (`x @ W.t()` reads W in place); when an operand's layout allows it, it is bound as an array of
 * vec4 and read four elements at a time along whichever axis (k, m or n) is contiguous. There is no
 * workgroup memory: on lavapipe barriers cost more than the reuse saves (12.7 vs 1 GFLOP/s measured),
 * while on a discrete GPU the 64 accumulators per thread still give the arithmetic intensity.
 */
import type { View } from '../../../backend/types.ts';
import { arithType } from '../dtypes.ts';
import type { KernelCall } from '../kernel.ts';
import type { Binding } from '../codegen/wgsl.ts';
import { operands, sharesOutput } from '../kernel.ts';
import { coalesce, numel } from '../strided.ts';
import { p, prelude, walk } from '../codegen/wgsl.ts';

const BLOCK = 8;
const GROUP = 8;
const RANGE = [0, 1, 2, 3, 4, 5, 6, 7];
const K4 = [0, 1, 2, 3];

/** How an operand is read: vec4 along the named axis, or one scalar at a time. */
type Load = 'k4' | 'm4' | 'n4' | 'scalar';

const aligned = (...values: number[]): boolean => values.every((v) => v % 4 === 0);

// Parameter slots.
const M = p(0),
  N = p(1),
  K = p(2);
const A_OFF = 3,
  A_M = p(4),
  A_K = p(5),
  B_OFF = 6,
  B_K = p(7),
  B_N = p(8),
  O_OFF = 9,
  O_M = p(10),
  O_N = p(11);
const BATCH = 12;

/**
 * `lanes`: the subgroup size of a CPU adapter (lavapipe), for which the subgroup kernel below is
 * generated instead; null for the register-blocked one.
 */
export function matmulKernel(a: View, b: View, out: View, lanes: number | null = null): KernelCall | null {
  const nd = out.shape.length;
  const [m, n] = [out.shape[nd - 2]!, out.shape[nd - 1]!];
  const k = a.shape[nd - 1]!;
  if (m * n === 0 || numel(out.shape) === 0) return null;
  const dtype = out.buffer.dtype;
  if (dtype === 'bool')
    throw new Error('webgpu: matmul of bool tensors is not supported; convert them with .int() or .float() first.');
  const sa = (d: number) => a.strides[a.strides.length - d]!;
  const sb = (d: number) => b.strides[b.strides.length - d]!;
  const so = (d: number) => out.strides[nd - d]!;
  const batch = coalesce(
    out.shape.slice(0, nd - 2),
    [a, b, out].map((v) => v.strides.slice(0, v.strides.length - 2)),
  );
  const batches = numel(batch.shape);
  if (batches > 65535)
    throw new Error(
      `webgpu: matmul over ${batches} batches exceeds the 65,535 a dispatch allows; reshape into fewer, larger matrices.`,
    );
  const [ab, bb, ob] = batch.strides as [number[], number[], number[]];
  const vecOk = dtype !== 'int32' && k % 4 === 0;
  const aLoad: Load =
    vecOk && sa(1) === 1 && aligned(sa(2), a.offset, ...ab)
      ? 'k4'
      : vecOk && sa(2) === 1 && m % 4 === 0 && aligned(sa(1), a.offset, ...ab)
        ? 'm4'
        : 'scalar';
  const bLoad: Load =
    vecOk && sb(1) === 1 && n % 4 === 0 && aligned(sb(2), b.offset, ...bb)
      ? 'n4'
      : vecOk && sb(2) === 1 && aligned(sb(1), b.offset, ...bb)
        ? 'k4'
        : 'scalar';
  const oStore: Load =
    dtype !== 'int32' && so(1) === 1 && n % 4 === 0 && aligned(so(2), out.offset, ...ob) ? 'n4' : 'scalar';
  const nb = batch.shape.length;
  const params = [
    m,
    n,
    k,
    a.offset,
    sa(2),
    sa(1),
    b.offset,
    sb(2),
    sb(1),
    out.offset,
    so(2),
    so(1),
    ...batch.shape,
    ...ab,
    ...bb,
    ...ob,
  ];
  if (sharesOutput([out, a, b])) throw new Error('webgpu: matmul cannot write into one of its operands.');
  if (lanes !== null) {
    const ops = operands(['O', 'A', 'B'], [out, a, b], [false, false, bLoad !== 'scalar']);
    const key = `matmul-lanes${lanes}:${dtype}:${bLoad}:${nb}`;
    const source = () => laneSource(lanes, arithType(dtype), bLoad, nb, ops.bindings, params.length);
    const workgroups: [number, number, number] = [
      Math.ceil(n / (lanes * LANE_COLS)),
      Math.ceil(m / LANE_ROWS),
      batches,
    ];
    return { key, source, buffers: ops.buffers, params, workgroups };
  }
  const ops = operands(['O', 'A', 'B'], [out, a, b], [oStore !== 'scalar', aLoad !== 'scalar', bLoad !== 'scalar']);
  const key = `matmul:${dtype}:${aLoad}:${bLoad}:${oStore}:${nb}`;
  const source = () => matmulSource(arithType(dtype), aLoad, bLoad, oStore, nb, ops.bindings, params.length);
  const workgroups: [number, number, number] = [
    Math.ceil(n / (BLOCK * GROUP)),
    Math.ceil(m / (BLOCK * GROUP)),
    batches,
  ];
  return { key, source, buffers: ops.buffers, params, workgroups };
}

/** aBase, bBase, oBase: where this invocation's batch (`z` of nb batch dims) starts in A, B and the output. */
function batchBases(z: string, nb: number): string {
  const bw = (k: number) => BATCH + nb * (k + 1);
  return `${walk(
    'bt',
    z,
    nb,
    (d) => p(BATCH + d),
    [0, 1, 2].map((w) => ({ offset: p([A_OFF, B_OFF, O_OFF][w]!), stride: (d: number) => p(bw(w) + d) })),
  )}
  let aBase = bt0;
  let bBase = bt1;
  let oBase = bt2;`;
}

/** Reads that convert storage (f16) to the accumulator type `t`; vec4 reads index in units of four elements. */
function reads(t: 'f32' | 'i32') {
  const vecT = `vec4<${t}>`;
  return {
    vecT,
    scalar: (name: string, type: string, index: string) =>
      type === t ? `${name}[${index}]` : `${t}(${name}[${index}])`,
    vector: (name: string, type: string, index: string) =>
      type === vecT ? `${name}[${index}]` : `${vecT}(${name}[${index}])`,
  };
}

function matmulSource(
  t: 'f32' | 'i32',
  aLoad: Load,
  bLoad: Load,
  oStore: Load,
  nb: number,
  bindings: readonly Binding[],
  paramCount: number,
): string {
  const [oBinding, aBinding, bBinding] = bindings as [Binding, Binding, Binding];
  const { vecT, scalar, vector } = reads(t);
  // Row/column base offsets are hoisted out of the k loop (vec4 ones already in units of four).
  const pre: string[] = [];
  const lines: string[] = [];
  // A as scalars a_r_kk (row r, k + kk).
  const aScalar: string[][] = RANGE.map(() => []);
  if (aLoad === 'k4') {
    RANGE.forEach((r) => pre.push(`let aq${r} = (aBase + row${r} * ${A_M}) / 4;`));
    RANGE.forEach((r) => lines.push(`let av${r} = ${vector('A', aBinding.type, `aq${r} + kq`)};`));
    RANGE.forEach((r) => K4.forEach((kk) => (aScalar[r]![kk] = `av${r}[${kk}]`)));
  } else if (aLoad === 'm4') {
    pre.push(`let aK4 = ${A_K} / 4;`, 'let aq0 = (aBase + rows4_0) / 4;', 'let aq1 = (aBase + rows4_1) / 4;');
    K4.forEach((kk) =>
      [0, 1].forEach((h) =>
        lines.push(`let av${kk}_${h} = ${vector('A', aBinding.type, `aq${h} + (k + ${kk}) * aK4`)};`),
      ),
    );
    RANGE.forEach((r) => K4.forEach((kk) => (aScalar[r]![kk] = `av${kk}_${r >> 2}[${r & 3}]`)));
  } else {
    RANGE.forEach((r) =>
      K4.forEach((kk) =>
        lines.push(`let a${r}_${kk} = ${scalar('A', aBinding.type, `ar${r} + (k + ${kk}) * ${A_K}`)};`),
      ),
    );
    RANGE.forEach((r) => K4.forEach((kk) => (aScalar[r]![kk] = `a${r}_${kk}`)));
  }
  // B as vec4 rows bvec[kk][v] (k + kk, columns 4v..4v+3 of the block).
  const bVec: string[][] = K4.map(() => []);
  if (bLoad === 'n4') {
    pre.push(`let bK4 = ${B_K} / 4;`, 'let bq0 = (bBase + cols4_0) / 4;', 'let bq1 = (bBase + cols4_1) / 4;');
    K4.forEach((kk) =>
      [0, 1].forEach((v) =>
        lines.push(`let bv${kk}_${v} = ${vector('B', bBinding.type, `bq${v} + (k + ${kk}) * bK4`)};`),
      ),
    );
    K4.forEach((kk) => [0, 1].forEach((v) => (bVec[kk]![v] = `bv${kk}_${v}`)));
  } else {
    if (bLoad === 'k4') {
      RANGE.forEach((c) => pre.push(`let bq${c} = (bBase + col${c} * ${B_N}) / 4;`));
      RANGE.forEach((c) => lines.push(`let bt${c} = ${vector('B', bBinding.type, `bq${c} + kq`)};`));
    } else
      RANGE.forEach((c) =>
        K4.forEach((kk) =>
          lines.push(`let b${c}_${kk} = ${scalar('B', bBinding.type, `bc${c} + (k + ${kk}) * ${B_K}`)};`),
        ),
      );
    const el = (c: number, kk: number) => (bLoad === 'k4' ? `bt${c}[${kk}]` : `b${c}_${kk}`);
    K4.forEach((kk) =>
      [0, 1].forEach((v) => (bVec[kk]![v] = `${vecT}(${[0, 1, 2, 3].map((j) => el(4 * v + j, kk)).join(', ')})`)),
    );
  }
  // Scalar row/column offsets also serve the k tail.
  RANGE.forEach((r) => pre.push(`let ar${r} = aBase + row${r} * ${A_M};`));
  RANGE.forEach((c) => pre.push(`let bc${c} = bBase + col${c} * ${B_N};`));
  RANGE.forEach((r) =>
    K4.forEach((kk) =>
      [0, 1].forEach((v) => lines.push(`acc${r}_${v} += ${vecT}(${aScalar[r]![kk]}) * ${bVec[kk]![v]};`)),
    ),
  );
  const main = ['let kq = k / 4;', ...lines].map((l) => `    ${l}`).join('\n');
  // Leftover k (K not a multiple of 4) only arises when both operands are read as scalars.
  const tail =
    aLoad === 'scalar' && bLoad === 'scalar'
      ? `  for (var k = ${K} - ${K} % 4; k < ${K}; k++) {
${RANGE.map((r) => `    let a${r} = ${scalar('A', aBinding.type, `ar${r} + k * ${A_K}`)};`).join('\n')}
${[0, 1].map((v) => `    let b${v} = ${vecT}(${[0, 1, 2, 3].map((j) => scalar('B', bBinding.type, `bc${4 * v + j} + k * ${B_K}`)).join(', ')});`).join('\n')}
${RANGE.map((r) => [0, 1].map((v) => `    acc${r}_${v} += ${vecT}(a${r}) * b${v};`).join('\n')).join('\n')}
  }`
      : '';
  const storeT = oBinding.type;
  const stores = RANGE.map((r) => {
    const row = `(rowStart + ${r})`;
    if (oStore === 'n4') {
      const st = (v: number) => (storeT === vecT ? `acc${r}_${v}` : `${storeT}(acc${r}_${v})`);
      return `  if (${row} < ${M}) {
    O[(oBase + ${row} * ${O_M} + colStart) / 4] = ${st(0)};
    if (colStart + 4 < ${N}) { O[(oBase + ${row} * ${O_M} + colStart + 4) / 4] = ${st(1)}; }
  }`;
    }
    const cells = RANGE.map((c) => {
      const value = storeT === t ? `acc${r}_${c >> 2}[${c & 3}]` : `${storeT}(acc${r}_${c >> 2}[${c & 3}])`;
      return `    if (colStart + ${c} < ${N}) { O[oBase + ${row} * ${O_M} + (colStart + ${c}) * ${O_N}] = ${value}; }`;
    });
    return `  if (${row} < ${M}) {\n${cells.join('\n')}\n  }`;
  });
  return `${prelude(bindings, paramCount)}
@compute @workgroup_size(${GROUP}, ${GROUP})
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let rowStart = i32(g.y) * ${BLOCK};
  let colStart = i32(g.x) * ${BLOCK};
  if (rowStart >= ${M} || colStart >= ${N}) { return; }
${batchBases('i32(g.z)', nb)}
  // Rows and columns past the edge read a valid neighbour (clamped) and are never stored.
${RANGE.map((r) => `  let row${r} = min(rowStart + ${r}, ${M} - 1);`).join('\n')}
${RANGE.map((c) => `  let col${c} = min(colStart + ${c}, ${N} - 1);`).join('\n')}
  let rows4_0 = rowStart;
  let rows4_1 = min(rowStart + 4, ${M} - 4);
  let cols4_0 = colStart;
  let cols4_1 = min(colStart + 4, ${N} - 4);
${RANGE.map((r) => `  var acc${r}_0 = ${vecT}(0);\n  var acc${r}_1 = ${vecT}(0);`).join('\n')}
${pre.map((l) => `  ${l}`).join('\n')}
  for (var k = 0; k + 3 < ${K}; k += 4) {
${main}
  }
${tail}
${stores.join('\n')}
}`;
}

/** Rows of the subgroup kernel's tile, and output columns per invocation. */
const LANE_ROWS = 8;
const LANE_COLS = 4;

/**
 * Matmul for a CPU driver (lavapipe), where a workgroup of `lanes` invocations is one subgroup run
 * as the lanes of SIMD registers. Mesa 25's lavapipe loads storage buffers one lane at a time, with
 * a branch and a bounds check per element, also when every lane reads the same address; loads, not
 * arithmetic, bounded the kernel above (each lane loaded 16 elements per k for its 64 products).
 * Here a subgroup computes 8 rows × (lanes × 4) columns: each lane reads one k of each of the 8 A
 * rows per `lanes` steps of k and hands it to the others by subgroupBroadcast (a register shuffle),
 * and reads only its own 4 columns of B, as one vec4 where B's layout allows (along n, or along k
 * for `x @ W.t()`). The products are summed over k in order, as in the kernel above.
 */
function laneSource(
  lanes: number,
  t: 'f32' | 'i32',
  bLoad: Load,
  nb: number,
  bindings: readonly Binding[],
  paramCount: number,
): string {
  const [oBinding, aBinding, bBinding] = bindings as [Binding, Binding, Binding];
  const { scalar, vector } = reads(t);
  const rows = [...Array(LANE_ROWS).keys()];
  const cols = [...Array(LANE_COLS).keys()];
  // Column c of this invocation: four adjacent ones for a vec4 along n, else `lanes` apart.
  const col = (c: number) => (bLoad === 'n4' ? `colStart + ${c}` : `colStart + ${c * lanes}`);
  const colStart =
    bLoad === 'n4'
      ? `i32(wg.x) * ${lanes * LANE_COLS} + lane * ${LANE_COLS}`
      : `i32(wg.x) * ${lanes * LANE_COLS} + lane`;
  const pre: string[] = rows.map((r) => `let ar${r} = aBase + min(rowStart + ${r}, ${M} - 1) * ${A_M};`);
  // Statements giving b0..b3, B's elements (k, column c), at step `j` of the main loop or at the tail's k.
  let bRow: (k: string, j: number | null) => string[];
  const loopLoads: string[] = [];
  if (bLoad === 'n4') {
    pre.push(`let bq = (bBase + min(colStart, ${N} - 4)) / 4;`, `let bK4 = ${B_K} / 4;`);
    bRow = (k) => [
      `let bv = ${vector('B', bBinding.type, `bq + (${k}) * bK4`)};`,
      ...cols.map((c) => `let b${c} = bv[${c}];`),
    ];
  } else if (bLoad === 'k4') {
    // Each column's next `lanes` elements along k, four at a time, loaded once per pass of the loop.
    cols.forEach((c) => pre.push(`let bc${c} = bBase + min(${col(c)}, ${N} - 1) * ${B_N};`));
    cols.forEach((c) =>
      [...Array(lanes / 4).keys()].forEach((q) =>
        loopLoads.push(`let bk${c}_${q} = ${vector('B', bBinding.type, `(bc${c} + k0 + ${4 * q}) / 4`)};`),
      ),
    );
    bRow = (k, j) =>
      cols.map((c) =>
        j === null
          ? `let b${c} = ${vector('B', bBinding.type, `(bc${c} + ${k}) / 4`)}[(${k}) % 4];`
          : `let b${c} = bk${c}_${j >> 2}[${j & 3}];`,
      );
  } else {
    cols.forEach((c) => pre.push(`let bc${c} = bBase + min(${col(c)}, ${N} - 1) * ${B_N};`));
    bRow = (k) => cols.map((c) => `let b${c} = ${scalar('B', bBinding.type, `bc${c} + (${k}) * ${B_K}`)};`);
  }
  const products = (a: (r: number) => string, k: string, j: number | null) => [
    ...bRow(k, j),
    ...rows.map((r) => `let x${r} = ${a(r)};`),
    ...rows.flatMap((r) => cols.map((c) => `acc${r}_${c} += x${r} * b${c};`)),
  ];
  const steps = [...Array(lanes).keys()].map((j) => [
    '{',
    ...products((r) => `subgroupBroadcast(a${r}, ${j}u)`, `k0 + ${j}`, j).map((l) => `  ${l}`),
    '}',
  ]);
  const main = [
    ...rows.map((r) => `let a${r} = ${scalar('A', aBinding.type, `ar${r} + (k0 + lane) * ${A_K}`)};`),
    ...loopLoads,
    ...steps.flat(),
  ];
  const tail = products((r) => scalar('A', aBinding.type, `ar${r} + k0 * ${A_K}`), 'k0', null);
  const storeT = oBinding.type;
  const stores = rows.flatMap((r) =>
    cols.map((c) => {
      const value = storeT === t ? `acc${r}_${c}` : `${storeT}(acc${r}_${c})`;
      return `  if (rowStart + ${r} < ${M} && ${col(c)} < ${N}) { O[oBase + (rowStart + ${r}) * ${O_M} + (${col(c)}) * ${O_N}] = ${value}; }`;
    }),
  );
  const indent = (lines: string[], depth: number) => lines.map((l) => `${'  '.repeat(depth)}${l}`).join('\n');
  return `enable subgroups;
${prelude(bindings, paramCount)}
@compute @workgroup_size(${lanes})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(subgroup_invocation_id) sg: u32) {
  let lane = i32(sg);
  let rowStart = i32(wg.y) * ${LANE_ROWS};
  // Only a whole subgroup may return: subgroupBroadcast needs every lane. Columns past the edge
  // read a valid neighbour (clamped) and are never stored.
  if (rowStart >= ${M}) { return; }
  let colStart = ${colStart};
${batchBases('i32(wg.z)', nb)}
${indent(pre, 1)}
${indent(
  rows.flatMap((r) => cols.map((c) => `var acc${r}_${c} = ${t}(0);`)),
  1,
)}
  var k0 = 0;
  for (; k0 + ${lanes - 1} < ${K}; k0 += ${lanes}) {
${indent(main, 2)}
  }
  for (; k0 < ${K}; k0++) {
${indent(tail, 2)}
  }
${stores.join('\n')}
}`;
}
