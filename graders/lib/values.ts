// Turns whatever a learner's code returned (a number, nested arrays, a typed array or a tensor) into
// a shape and a flat list of numbers, so that every comparison helper has one input format.

/** Anything with PyTorch-like `shape` and async `toArray()`: the engine's Tensor, without importing it. */
export interface TensorLike {
  readonly shape: readonly number[];
  toArray(): Promise<unknown>;
}

export interface Flat {
  shape: number[];
  values: number[];
}

export const isTensorLike = (v: unknown): v is TensorLike =>
  typeof v === 'object' &&
  v !== null &&
  Array.isArray((v as TensorLike).shape) &&
  typeof (v as TensorLike).toArray === 'function';

/** undefined when `v` is not numeric at all (the learner returned nothing, or a string). */
export async function flatten(v: unknown): Promise<Flat | undefined> {
  if (isTensorLike(v)) {
    const inner = await flatten(await v.toArray());
    return inner && { shape: [...v.shape], values: inner.values };
  }
  if (typeof v === 'number' || typeof v === 'boolean') return { shape: [], values: [Number(v)] };
  if (ArrayBuffer.isView(v) && !(v instanceof DataView))
    return {
      shape: [(v as unknown as ArrayLike<number>).length],
      values: Array.from(v as unknown as ArrayLike<number>, Number),
    };
  if (!Array.isArray(v)) return undefined;
  const parts: Flat[] = [];
  for (const item of v) {
    const f = await flatten(item);
    if (!f) return undefined;
    parts.push(f);
  }
  const inner = parts[0]?.shape ?? [];
  if (parts.some((p) => p.shape.join() !== inner.join())) return undefined; // ragged
  return { shape: [v.length, ...inner], values: parts.flatMap((p) => p.values) };
}

/** Flat position → `[i, j]` for the given shape. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]!);
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

/** 4 significant digits, integers as integers, tolerances as 1e-5. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6))
    return x
      .toExponential(2)
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  return String(Number(x.toPrecision(4)));
}

export const fmtShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** `[1, 2, 3]`, cut to a few values so a message stays on one line. */
export function fmtValues(values: readonly number[], max = 6): string {
  const shown = values.slice(0, max).map(fmt).join(', ');
  return `[${shown}${values.length > max ? `, … (${values.length} values)` : ''}]`;
}
