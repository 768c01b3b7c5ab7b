/**
 * WGSL building blocks every generated kernel shares: bindings, the parameter block, the linear
 * invocation index, and strided index math unrolled for a given rank.
 */
import type { StorageType } from '../dtypes.ts';

/** Invocations per workgroup for one-element-per-invocation kernels. */
export const WORKGROUP = 64;
const MAX_GROUPS = 65535;

/** NaN test on the bits: drivers may compile `x != x` as false (fast-math). */
export const IS_NAN = `fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }`;

/** The `k`-th i32 of the uniform parameter block (packed in vec4s, as uniform arrays require). */
export const p = (k: number): string => `P.v[${k >> 2}][${k & 3}]`;

export interface Binding {
  readonly name: string;
  readonly type: StorageType | `vec4<${StorageType}>`;
}

/**
 * The module header: f16 enable, storage bindings (all read_write, as their layouts are: see
 * pipelines.ts), then the parameter block (as the last binding).
 */
export function prelude(bindings: readonly Binding[], paramCount: number): string {
  const f16 = bindings.some((b) => b.type.includes('f16')) ? 'enable f16;\n' : '';
  const decls = bindings.map(
    (b, i) => `@group(0) @binding(${i}) var<storage, read_write> ${b.name}: array<${b.type}>;`,
  );
  const vecs = Math.max(1, Math.ceil(paramCount / 4));
  return `${f16}${decls.join('\n')}
struct Params { v: array<vec4<i32>, ${vecs}> }
@group(0) @binding(${bindings.length}) var<uniform> P: Params;
`;
}

/** Entry point header for a 1-D launch; `i` is the invocation's linear index (the grid may be 2-D). */
export function linearEntry(size = WORKGROUP): string {
  return `@compute @workgroup_size(${size})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let group = i32(wid.y * nwg.x + wid.x);
  let i = group * ${size} + i32(lid);`;
}

/**
 * Elements each invocation of a `linearLoop` kernel handles. Fewer, fuller workgroups: lavapipe
 * (a CPU driver) pays per workgroup, and ran an elementwise pass at about half the CPU time with 8
 * per invocation; on a GPU the stride keeps neighbouring invocations on neighbouring elements.
 */
export const PER_INVOCATION = 8;

/**
 * Entry point running `body` for each linear index `i` below `count` (a WGSL i32 expression) that
 * falls to this invocation: i = first, first + total, …, PER_INVOCATION of them. `body` may return
 * once i is past the end, as no later i is inside. Launch with `loopGrid(count)` workgroups.
 */
export function linearLoop(count: string, body: string): string {
  return `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let total = i32(nwg.x * nwg.y) * ${WORKGROUP};
  let first = i32(wid.y * nwg.x + wid.x) * ${WORKGROUP} + i32(lid);
  for (var j = 0; j < ${PER_INVOCATION}; j++) {
    let i = first + j * total;
    if (i >= ${count}) { return; }
${body}
  }
}`;
}

/** Workgroups for a `linearLoop` kernel over `n` elements. */
export function loopGrid(n: number): [number, number, number] {
  return grid(Math.ceil(n / (WORKGROUP * PER_INVOCATION)));
}

/** Workgroup counts covering `groups` groups, folded into 2-D past the 65,535-per-dimension limit. */
export function grid(groups: number): [number, number, number] {
  if (groups <= MAX_GROUPS) return [Math.max(groups, 1), 1, 1];
  return [MAX_GROUPS, Math.ceil(groups / MAX_GROUPS), 1];
}

export interface Walk {
  /** WGSL i32 expression holding the base offset before this walk. */
  readonly offset: string;
  /** Stride of dimension d. */
  readonly stride: (d: number) => string;
}

/**
 * Statements declaring `var <name><k>` for each walker: its offset plus the coordinates of linear
 * index `index` (row-major over `size(d)`, d < rank) times its strides.
 */
export function walk(
  name: string,
  index: string,
  rank: number,
  size: (d: number) => string,
  walkers: readonly Walk[],
): string {
  const lines = walkers.map((w, k) => `  var ${name}${k} = ${w.offset};`);
  lines.push(`  var ${name}_rem = ${index};`);
  for (let d = rank - 1; d >= 0; d--) {
    const coord = d === 0 ? `${name}_rem` : `${name}_rem % ${size(d)}`;
    lines.push(`  { let c = ${coord};`);
    walkers.forEach((w, k) => lines.push(`    ${name}${k} += c * ${w.stride(d)};`));
    if (d > 0) lines.push(`    ${name}_rem = ${name}_rem / ${size(d)};`);
    lines.push('  }');
  }
  return lines.join('\n');
}
