/**
 * Strided loops for the CPU kernels, generated once per operation and operand count.
 *
 * A kernel is compiled with `new Function` so that the op's expression is inlined into its own
 * monomorphic loop: V8 then optimises each kernel on its own instead of calling a closure per
 * element. The loop walks the innermost dim with each operand's stride and advances the outer dims
 * like an odometer, so any view (transposed, broadcast with stride 0, sliced) is read in place.
 */
import type { View } from '../../backend/types.ts';
import { storeRounding } from '../../dtype.ts';
import { cpuData } from './buffer.ts';

/** Operand arrays, offsets and strides, then the output's, then the shape. */
type Loop = (...args: unknown[]) => void;

const cache = new Map<string, Loop>();

/**
 * Compiles `out = expr(v0, v1, …)` over `arity` operands. `expr` uses v0…v{n-1} for the operand
 * values and may call `rnd` (round to the output's 2-byte float precision); `lets`, statements run
 * before it per element, may declare temporaries it reads (a fused chain's steps). Contiguous
 * same-layout operands take a flat loop.
 * The key names the typed-array types too: a loop that only ever sees one kind of array stays
 * monomorphic, which is several times faster in V8 than one shared across array types.
 */
function compile(key: string, arity: number, expr: string, scalars: readonly boolean[], lets: string): Loop {
  const cached = cache.get(key);
  if (cached) return cached;
  const ops = Array.from({ length: arity }, (_, i) => i);
  const params = [...ops.flatMap((i) => [`A${i}`, `o${i}`, `s${i}`]), 'O', 'oo', 'so', 'shape', 'flat', 'rnd'];
  const read = (i: number, idx: string): string => `const v${i} = A${i}[${idx}];`;
  // In the flat loop a broadcast scalar operand is read once, outside the loop.
  const flatRead = (i: number): string => (scalars[i] ? '' : read(i, `o${i} + i`));
  const body = `
    const nd = shape.length;
    let n = 1;
    for (let d = 0; d < nd; d++) n *= shape[d];
    if (n === 0) return;
    if (flat) {
      ${ops.map((i) => (scalars[i] ? read(i, `o${i}`) : '')).join(' ')}
      for (let i = 0; i < n; i++) {
        ${ops.map(flatRead).join(' ')}
        ${lets}
        O[oo + i] = ${expr};
      }
      return;
    }
    const last = nd === 0 ? 1 : shape[nd - 1];
    ${ops.map((i) => `const t${i} = nd === 0 ? 0 : s${i}[nd - 1];`).join(' ')}
    const to = nd === 0 ? 0 : so[nd - 1];
    const idx = new Array(Math.max(nd - 1, 0)).fill(0);
    ${ops.map((i) => `let p${i} = o${i};`).join(' ')}
    let po = oo;
    for (let outer = n / last; outer > 0; outer--) {
      ${ops.map((i) => `let q${i} = p${i};`).join(' ')}
      let qo = po;
      for (let j = 0; j < last; j++) {
        ${ops.map((i) => read(i, `q${i}`)).join(' ')}
        ${lets}
        O[qo] = ${expr};
        ${ops.map((i) => `q${i} += t${i};`).join(' ')}
        qo += to;
      }
      for (let d = nd - 2; d >= 0; d--) {
        idx[d]++;
        ${ops.map((i) => `p${i} += s${i}[d];`).join(' ')}
        po += so[d];
        if (idx[d] < shape[d]) break;
        ${ops.map((i) => `p${i} -= s${i}[d] * shape[d];`).join(' ')}
        po -= so[d] * shape[d];
        idx[d] = 0;
      }
    }`;
  const fn = new Function(...params, body) as Loop;
  cache.set(key, fn);
  return fn;
}

function sameLayout(a: View, b: View): boolean {
  if (a.shape.length !== b.shape.length) return false;
  for (let i = 0; i < a.shape.length; i++) {
    if (a.shape[i] !== 1 && a.strides[i] !== b.strides[i]) return false;
  }
  return true;
}

export function contiguous(v: View): boolean {
  let expected = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expected) return false;
    expected *= v.shape[i]!;
  }
  return true;
}

/** out[i] = expr(operands[0][i], operands[1][i], …) over strided views (`lets`: see compile). */
export function elementwise(name: string, expr: string, operands: readonly View[], out: View, lets = ''): void {
  const types = operands.map((v) => cpuData(v).constructor.name).join(',');
  const scalars = operands.map((v) => v.strides.every((s) => s === 0));
  const flat = contiguous(out) && operands.every((v, i) => scalars[i] || sameLayout(v, out));
  const pattern = scalars.map((s) => (s ? 's' : 'v')).join('');
  const key = `${name}|${types}|${cpuData(out).constructor.name}|${out.buffer.dtype}|${pattern}`;
  const loop = compile(key, operands.length, expr, scalars, lets);
  const args: unknown[] = [];
  for (const v of operands) args.push(cpuData(v), v.offset, v.strides);
  args.push(cpuData(out), out.offset, out.strides, out.shape, flat, storeRounding(out.buffer.dtype));
  loop(...args);
}

/**
 * Walks `shape` in row-major order one innermost row at a time: row(p) gets, for each operand i,
 * p[i] = its offset at the row's first element (base offsets[i], strides strides[i]). The caller
 * walks the row itself with the operands' last strides, so per-element work has no call in it.
 * A 0-d shape is one row of one element.
 */
export function forEachRow(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
  row: (p: number[]) => void,
): void {
  const nd = shape.length;
  if (shape.some((d) => d === 0)) return;
  const p = [...offsets];
  const idx = new Array<number>(nd).fill(0);
  for (;;) {
    row(p);
    let d = nd - 2;
    for (; d >= 0; d--) {
      for (let i = 0; i < p.length; i++) p[i]! += strides[i]![d]!;
      if (++idx[d]! < shape[d]!) break;
      for (let i = 0; i < p.length; i++) p[i]! -= strides[i]![d]! * shape[d]!;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

/** The length of shape's innermost rows and an operand's stride along them (0-d: one element). */
export function innermost(shape: readonly number[], strides: readonly number[]): [number, number] {
  return shape.length === 0 ? [1, 0] : [shape[shape.length - 1]!, strides[strides.length - 1]!];
}
