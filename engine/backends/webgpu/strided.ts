/** Shape/stride arithmetic on the host, done before a kernel is chosen. */
import type { View } from '../../backend/types.ts';

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= shape[d]!;
  }
  return strides;
}

/** True when the view's elements are one row-major run of the buffer. */
export function isContiguous(view: View): boolean {
  const expected = contiguousStrides(view.shape);
  return view.shape.every((size, d) => size === 1 || view.strides[d] === expected[d]);
}

export interface Coalesced {
  readonly shape: number[];
  /** One stride list per operand, aligned with shape. */
  readonly strides: number[][];
}

/**
 * Drops size-1 dimensions and merges neighbours that every operand walks as one run, so that a
 * contiguous tensor of any rank indexes as rank 1 and fewer pipelines (one per rank) are compiled.
 * Always returns at least one dimension.
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): Coalesced {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * size)) {
      outShape[last]! *= size;
      strides.forEach((s, k) => (outStrides[k]![last] = s[d]!));
    } else {
      outShape.push(size);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}
