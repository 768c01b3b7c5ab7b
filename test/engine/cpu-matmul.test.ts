import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { View } from '../../engine/backend/types.ts';
import { cpuData as data, makeCpuBuffer } from '../../engine/backends/cpu/buffer.ts';
import { matmul, type FloatKernel } from '../../engine/backends/cpu/matmul.ts';
import { roundToFloat16, type DType } from '../../engine/dtype.ts';
import {
  at,
  contiguous,
  indices,
  layoutArb,
  makeView as makeLayoutView,
  randomStream,
  type Layout,
} from '../helpers/matmul-views.ts';

/**
 * The naive triple loop in float64, summing k in order (what the float64 kernel must match
 * exactly), and Σk |a·b| per element, the scale of float32 accumulation error.
 */
function reference(a: View, b: View, outShape: readonly number[]): Float64Array {
  return referenceWithMagnitude(a, b, outShape).ref;
}

function referenceWithMagnitude(
  a: View,
  b: View,
  outShape: readonly number[],
): { ref: Float64Array; magnitude: Float64Array } {
  const rank = outShape.length;
  const K = a.shape[a.shape.length - 1]!;
  const size = outShape.reduce((x, y) => x * y, 1);
  const ref = new Float64Array(size);
  const magnitude = new Float64Array(size);
  let n = 0;
  for (const idx of indices(outShape)) {
    const batch = idx.slice(0, rank - 2);
    const [i, j] = idx.slice(rank - 2) as [number, number];
    let sum = 0;
    let abs = 0;
    for (let k = 0; k < K; k++) {
      const p = data(a)[at(a, [...batch, i, k])]! * data(b)[at(b, [...batch, k, j])]!;
      sum += p;
      abs += Math.abs(p);
    }
    ref[n] = sum;
    magnitude[n++] = abs;
  }
  return { ref, magnitude };
}

function outValues(out: View): number[] {
  return [...indices(out.shape)].map((idx) => data(out)[at(out, idx)]!);
}

const random = randomStream(1);
const makeView = (dtype: DType, shape: number[], layout: Layout): View => makeLayoutView(dtype, shape, layout, random);

function check(
  dtype: DType,
  batch: number[],
  M: number,
  K: number,
  N: number,
  la: Layout = contiguous(batch.length),
  lb: Layout = contiguous(batch.length),
  lo: Layout = contiguous(batch.length),
  kernel?: FloatKernel,
): void {
  const a = makeView(dtype, [...batch, M, K], la);
  const b = makeView(dtype, [...batch, K, N], lb);
  const out = makeView(dtype, [...batch, M, N], { ...lo, broadcast: lo.broadcast.map(() => false) });
  const outBuffer = data(out);
  const before = Array.from(outBuffer);
  matmul(a, b, out, kernel);
  const { ref, magnitude } = referenceWithMagnitude(a, b, out.shape);
  const got = outValues(out);
  expect(got.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const want = ref[i]!;
    if (dtype === 'float64') {
      // Same operations in the same order: bit-identical.
      expect(got[i]).toBe(want);
    } else if (dtype === 'float32' || dtype === 'float16') {
      // float32 and float16 may accumulate in float32 (the WebAssembly kernel does, as PyTorch
      // does): error up to ~1e-5·√K relative to Σ|a·b|, plus float16's rounding of the result.
      const tolerance =
        1e-5 * Math.sqrt(K) * magnitude[i]! + (dtype === 'float16' ? 2 ** -10 * Math.abs(want) + 2 ** -24 : 0);
      expect(Math.abs(got[i]! - want)).toBeLessThanOrEqual(tolerance);
      if (dtype === 'float16') expect(got[i]).toBe(roundToFloat16(got[i]!));
    } else {
      expect(got[i]).toBe(want | 0);
    }
  }
  // Elements outside the out view are untouched.
  const inside = new Set([...indices(out.shape)].map((idx) => at(out, idx)));
  for (let i = 0; i < outBuffer.length; i++) if (!inside.has(i)) expect(outBuffer[i]).toBe(before[i]);
}

describe('cpu matmul', () => {
  it('matches the naive loop on 2-D contiguous operands, including edge tile sizes', () => {
    for (const M of [1, 3, 4, 5, 8, 9])
      for (const N of [1, 3, 4, 5, 7, 8, 13])
        for (const K of [1, 2, 7, 16]) {
          check('float64', [], M, K, N);
        }
  });

  it('writes zeros when K = 0 and nothing when M or N is 0', () => {
    const a = makeView('float32', [3, 0], contiguous(0));
    const b = makeView('float32', [0, 5], contiguous(0));
    const out = makeView('float32', [3, 5], contiguous(0));
    matmul(a, b, out);
    expect(Array.from(data(out))).toEqual(new Array(15).fill(0));
    check('float32', [2], 0, 4, 3);
    check('float32', [2], 3, 4, 0);
    check('float32', [0], 3, 4, 3);
  });

  it('reads transposed, sliced and offset operands and writes a strided out', () => {
    const t: Layout = { transposed: true, broadcast: [], offset: 3, pad: 2 };
    const s: Layout = { transposed: false, broadcast: [], offset: 5, pad: 3 };
    check('float64', [], 9, 11, 7, t, t, s);
    check('float64', [], 9, 11, 7, s, t, t);
    check('float64', [], 17, 5, 6, t, s, t);
  });

  it('broadcasts batch dims with stride 0 (packing a shared B once)', () => {
    const shared: Layout = { transposed: false, broadcast: [true, true], offset: 1, pad: 0 };
    const sharedT: Layout = { ...shared, transposed: true };
    const mixed: Layout = { transposed: false, broadcast: [false, true], offset: 0, pad: 1 };
    check('float64', [2, 3], 5, 6, 7, contiguous(2), shared);
    check('float64', [2, 3], 5, 6, 7, contiguous(2), sharedT);
    check('float64', [2, 3], 6, 3, 9, shared, mixed);
    check('float64', [3, 2], 4, 8, 5, mixed, mixed, { ...mixed, transposed: true });
  });

  it('accepts operands with fewer batch dims than out', () => {
    const a = makeView('float64', [2, 3, 4, 5], contiguous(2));
    const b = makeView('float64', [5, 6], contiguous(0));
    const out = makeView('float64', [2, 3, 4, 6], contiguous(2));
    matmul(a, b, out);
    const bFull: View = { ...b, shape: [2, 3, 5, 6], strides: [0, 0, ...b.strides] };
    expect(outValues(out)).toEqual(Array.from(reference(a, bFull, out.shape)));
  });

  it('is exact in float64 and accurate in float32 and float16 across block boundaries', () => {
    // K = 300 and M, N past one packed block of A (256 KiB / (8·300) = 104 rows).
    check('float64', [], 130, 300, 37, contiguous(0), { ...contiguous(0), transposed: true });
    check('float32', [], 130, 300, 37, { ...contiguous(0), transposed: true });
    check('float16', [2], 9, 40, 11);
  });

  it('runs float32 and float16 on the JavaScript kernel too (the fallback without WebAssembly SIMD)', () => {
    const t: Layout = { transposed: true, broadcast: [], offset: 2, pad: 0 };
    check('float32', [], 130, 300, 37, t, contiguous(0), contiguous(0), 'js');
    check('float16', [2], 9, 40, 11, contiguous(1), { ...t, broadcast: [true] }, contiguous(1), 'js');
  });

  it('stays exact when B spans several packed blocks, also when B is broadcast', () => {
    // N·K·8 bytes > 4 MiB forces more than one block of B's columns, so B cannot be packed once.
    check('float64', [], 6, 2100, 300, contiguous(0), { ...contiguous(0), transposed: true });
    check('float64', [2], 3, 600, 900, contiguous(1), { ...contiguous(1), broadcast: [true] });
  });

  it('does int32 with wraparound', () => {
    check('int32', [2], 5, 7, 6, { ...contiguous(1), transposed: true });
    const big = makeCpuBuffer('int32', Int32Array.from([2 ** 30, 2 ** 30]));
    const a: View = { buffer: big, shape: [1, 2], strides: [2, 1], offset: 0 };
    const b: View = {
      buffer: makeCpuBuffer('int32', Int32Array.from([4, 4])),
      shape: [2, 1],
      strides: [1, 1],
      offset: 0,
    };
    const out: View = { buffer: makeCpuBuffer('int32', new Int32Array(1)), shape: [1, 1], strides: [1, 1], offset: 0 };
    matmul(a, b, out);
    expect(data(out)[0]).toBe(0);
  });

  it('matches the naive loop on random shapes and layouts', () => {
    const layout = (batchRank: number) => layoutArb(batchRank, 4);
    const arb = fc
      .record({
        dtype: fc.constantFrom<DType>('float64', 'float32', 'float16', 'int32'),
        batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        M: fc.integer({ min: 1, max: 13 }),
        K: fc.integer({ min: 0, max: 20 }),
        N: fc.integer({ min: 1, max: 13 }),
      })
      .chain((s) =>
        fc.record({
          s: fc.constant(s),
          la: layout(s.batch.length),
          lb: layout(s.batch.length),
          lo: layout(s.batch.length),
        }),
      );
    fc.assert(
      fc.property(arb, ({ s, la, lb, lo }) => {
        check(s.dtype, s.batch, s.M, s.K, s.N, la, lb, lo);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects bool', () => {
    const v = makeView('bool', [2, 2], contiguous(0));
    expect(() => matmul(v, v, v)).toThrow(/bool/);
  });
});
