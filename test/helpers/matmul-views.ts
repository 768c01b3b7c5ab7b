/**
 * Matmul operands for kernel tests: a [...batch, rows, cols] view in any layout a tensor can hand
 * a kernel (transposed, broadcast batch dims with stride 0, an offset, a padded outer stride).
 */
import fc from 'fast-check';
import type { View } from '../../engine/backend/types.ts';
import { makeCpuBuffer } from '../../engine/backends/cpu/buffer.ts';
import { hostArray, roundToFloat16, type DType } from '../../engine/dtype.ts';

export interface Layout {
  transposed: boolean;
  /** Batch dims (by index) that are broadcast with stride 0. */
  broadcast: boolean[];
  /** Elements before the view starts in the buffer. */
  offset: number;
  /** Gap added to the outer stride, as when slicing columns out of a wider matrix. */
  pad: number;
}

export const contiguous = (batchRank: number): Layout => ({
  transposed: false,
  broadcast: new Array<boolean>(batchRank).fill(false),
  offset: 0,
  pad: 0,
});

/** A seeded stream of values in [-0.5, 0.5), independent of the engine's generator. */
export function randomStream(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    return (s >>> 8) / (1 << 24) - 0.5;
  };
}

/** A view of `shape` in `layout`, filled from `random`: floats in [-2, 2), small integers for int32. */
export function makeView(dtype: DType, shape: number[], layout: Layout, random: () => number): View {
  const batch = shape.slice(0, -2);
  const [rows, cols] = shape.slice(-2) as [number, number];
  const [outer, inner] = layout.transposed ? [cols, rows] : [rows, cols];
  const strides = layout.transposed ? [1, inner + layout.pad] : [inner + layout.pad, 1];
  let size = outer * (inner + layout.pad);
  const batchStrides: number[] = [];
  for (let d = batch.length - 1; d >= 0; d--) {
    batchStrides[d] = layout.broadcast[d] ? 0 : size;
    if (!layout.broadcast[d]) size *= batch[d]!;
  }
  const arr = hostArray(dtype, layout.offset + size);
  for (let i = 0; i < arr.length; i++) {
    const r = random();
    arr[i] = dtype === 'int32' ? Math.round(r * 20) : dtype === 'float16' ? roundToFloat16(r * 4) : r * 4;
  }
  return { buffer: makeCpuBuffer(dtype, arr), shape, strides: [...batchStrides, ...strides], offset: layout.offset };
}

/** Element index of `idx` in a view. */
export function at(v: View, idx: readonly number[]): number {
  return idx.reduce((o, i, d) => o + i * v.strides[d]!, v.offset);
}

/** Every multi-index of `shape`, in row-major order. */
export function* indices(shape: readonly number[]): Generator<number[]> {
  if (shape.some((s) => s === 0)) return;
  const idx = shape.map(() => 0);
  for (;;) {
    yield [...idx];
    let d = shape.length - 1;
    while (d >= 0 && ++idx[d]! === shape[d]!) idx[d--] = 0;
    if (d < 0) return;
  }
}

/** Random layouts for an operand with `batchRank` batch dims. */
export const layoutArb = (batchRank: number, maxOffset: number) =>
  fc.record({
    transposed: fc.boolean(),
    broadcast: fc.array(fc.boolean(), { minLength: batchRank, maxLength: batchRank }),
    offset: fc.nat(maxOffset),
    pad: fc.nat(3),
  });
