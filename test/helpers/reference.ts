/**
 * Reference computations for engine tests: plain JavaScript loops over flat row-major arrays with
 * a shape, written independently of the engine, so expected values never come from the code under
 * test.
 */

export interface Ref {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1]! * shape[i + 1]!;
  return out;
}

/** Multi-index of flat position k in shape. */
export function unravel(k: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = k % shape[d]!;
    k = Math.floor(k / shape[d]!);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let k = 0;
  for (let d = 0; d < shape.length; d++) k = k * shape[d]! + idx[d]!;
  return k;
}

/** Nested arrays → flat values and shape (assumes rectangular input). */
export function fromNested(x: unknown): Ref {
  const shape: number[] = [];
  for (let v: unknown = x; Array.isArray(v); v = v[0]) shape.push(v.length);
  const data: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else data.push(typeof v === 'boolean' ? Number(v) : (v as number));
  };
  walk(x);
  return { shape, data };
}

export function toNested(r: Ref): unknown {
  if (r.shape.length === 0) return r.data[0];
  let pos = 0;
  const build = (d: number): unknown[] =>
    Array.from({ length: r.shape[d]! }, () => (d === r.shape.length - 1 ? r.data[pos++] : build(d + 1)));
  return build(0);
}

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`reference: shapes ${a} and ${b} do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The value of r at an index of the (larger) broadcast shape. */
export function at(r: Ref, idx: readonly number[]): number {
  const lead = idx.length - r.shape.length;
  let k = 0;
  for (let d = 0; d < r.shape.length; d++) k = k * r.shape[d]! + (r.shape[d] === 1 ? 0 : idx[lead + d]!);
  return r.data[k]!;
}

export function map(r: Ref, f: (v: number) => number): Ref {
  return { shape: r.shape, data: r.data.map(f) };
}

export function zip(a: Ref, b: Ref, f: (x: number, y: number) => number): Ref {
  const shape = broadcastShape(a.shape, b.shape);
  const data: number[] = [];
  for (let k = 0; k < size(shape); k++) {
    const idx = unravel(k, shape);
    data.push(f(at(a, idx), at(b, idx)));
  }
  return { shape, data };
}

/** Reduces `dims` (all when undefined) with f over each group of values. */
export function reduce(
  r: Ref,
  dims: readonly number[] | undefined,
  keepdim: boolean,
  f: (values: number[]) => number,
): Ref {
  const nd = r.shape.length;
  const axes = (dims ?? r.shape.map((_, i) => i)).map((d) => (d < 0 ? d + nd : d));
  const keptShape = r.shape.map((s, i) => (axes.includes(i) ? 1 : s));
  const groups = new Map<number, number[]>();
  for (let k = 0; k < r.data.length; k++) {
    const idx = unravel(k, r.shape).map((v, i) => (axes.includes(i) ? 0 : v));
    const key = ravel(idx, keptShape);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r.data[k]!);
  }
  const data = Array.from({ length: size(keptShape) }, (_, key) => f(groups.get(key) ?? []));
  return { shape: keepdim ? keptShape : r.shape.filter((_, i) => !axes.includes(i)), data };
}

export const sumOf = (v: number[]) => v.reduce((a, b) => a + b, 0);
export const meanOf = (v: number[]) => sumOf(v) / v.length;
export function varOf(v: number[], correction = 1): number {
  const m = meanOf(v);
  return sumOf(v.map((x) => (x - m) ** 2)) / (v.length - correction);
}

export function permute(r: Ref, dims: readonly number[]): Ref {
  const shape = dims.map((d) => r.shape[d]!);
  const data: number[] = [];
  for (let k = 0; k < size(shape); k++) {
    const idx = unravel(k, shape);
    const src = new Array<number>(dims.length);
    dims.forEach((d, i) => (src[d] = idx[i]!));
    data.push(r.data[ravel(src, r.shape)]!);
  }
  return { shape, data };
}

/** Batched matmul with broadcast batch dims; 1-D operands are promoted and squeezed as torch does. */
export function matmul(a: Ref, b: Ref): Ref {
  const a2 = a.shape.length === 1 ? { shape: [1, a.shape[0]!], data: a.data } : a;
  const b2 = b.shape.length === 1 ? { shape: [b.shape[0]!, 1], data: b.data } : b;
  const M = a2.shape[a2.shape.length - 2]!;
  const K = a2.shape[a2.shape.length - 1]!;
  const N = b2.shape[b2.shape.length - 1]!;
  const batch = broadcastShape(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const aBatch = { shape: a2.shape.slice(0, -2), data: [] };
  const bBatch = { shape: b2.shape.slice(0, -2), data: [] };
  const batchIndex = (r: Ref, idx: number[]) => {
    const lead = idx.length - r.shape.length;
    return r.shape.map((s, d) => (s === 1 ? 0 : idx[lead + d]!));
  };
  const data: number[] = [];
  for (let p = 0; p < size(batch); p++) {
    const idx = unravel(p, batch);
    const ao = ravel(batchIndex(aBatch, idx), aBatch.shape) * M * K;
    const bo = ravel(batchIndex(bBatch, idx), bBatch.shape) * K * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a2.data[ao + i * K + k]! * b2.data[bo + k * N + j]!;
        data.push(s);
      }
    }
  }
  let shape = [...batch, M, N];
  if (a.shape.length === 1) shape = shape.filter((_, i) => i !== shape.length - 2);
  if (b.shape.length === 1) shape = shape.slice(0, -1);
  return { shape, data };
}

/** Softmax of each row along `dim`, computed in float64 with the max subtracted. */
export function softmax(r: Ref, dim: number, log = false): Ref {
  const nd = r.shape.length;
  const d = dim < 0 ? dim + nd : dim;
  const out = new Array<number>(r.data.length);
  const n = r.shape[d]!;
  const stride = stridesOf(r.shape)[d]!;
  for (let k = 0; k < r.data.length; k++) {
    const idx = unravel(k, r.shape);
    if (idx[d] !== 0) continue;
    const row = Array.from({ length: n }, (_, j) => r.data[k + j * stride]!);
    const m = Math.max(...row);
    const s = sumOf(row.map((v) => Math.exp(v - m)));
    row.forEach((v, j) => (out[k + j * stride] = log ? v - m - Math.log(s) : Math.exp(v - m) / s));
  }
  return { shape: r.shape, data: out };
}

/** A small seeded PRNG (mulberry32), independent of the engine's generator. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` values uniform in [lo, hi) from a seed. */
export function seededValues(seed: number, n: number, lo = -2, hi = 2): number[] {
  const next = seeded(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * next());
}
