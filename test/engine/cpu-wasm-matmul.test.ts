import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it, vi } from 'vitest';
import type { View } from '../../engine/backend/types.ts';
import { cpuData as data, makeCpuBuffer } from '../../engine/backends/cpu/buffer.ts';
import { matmul } from '../../engine/backends/cpu/matmul.ts';
import { moduleOfFunctions, sleb, uleb } from '../../engine/backends/cpu/wasm/emit.ts';
import { growTo, instantiate } from '../../engine/backends/cpu/wasm/instance.ts';
import { gemmFunction, gemmModuleBytes, MR, NR } from '../../engine/backends/cpu/wasm/kernel.ts';
import { wasmSimdAvailable } from '../../engine/backends/cpu/wasm/matmul.ts';
import { roundToFloat16 } from '../../engine/dtype.ts';
import {
  at,
  contiguous,
  indices,
  layoutArb,
  makeView as makeLayoutView,
  randomStream,
  type Layout,
} from '../helpers/matmul-views.ts';

const wasmApi = (globalThis as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

const random = randomStream(7);
const plain = contiguous;
const makeView = (f16: boolean, shape: number[], layout: Layout): View =>
  makeLayoutView(f16 ? 'float16' : 'float32', shape, layout, random);

/**
 * Multiplies with the WebAssembly kernel and checks every element of out against naive loops:
 * - bit-identical to a float32 loop over k in order, no K-splitting: all elements to the fused one
 *   (sum = fround(sum + a·b), one rounding: relaxed_madd on a CPU with FMA) or all to the unfused
 *   one (sum = fround(sum + fround(a·b)): f32x4.mul + f32x4.add), never a mix;
 * - within float32 accumulation error of the float64 sum: |got − exact| ≤ 1e-5·√K·Σ|a·b| (plus
 *   float16's rounding of the result);
 * and that elements of out's buffer outside the view are untouched.
 */
function check(
  f16: boolean,
  batch: number[],
  M: number,
  K: number,
  N: number,
  la: Layout,
  lb: Layout,
  lo: Layout,
): void {
  const a = makeView(f16, [...batch, M, K], la);
  const b = makeView(f16, [...batch, K, N], lb);
  const out = makeView(f16, [...batch, M, N], { ...lo, broadcast: lo.broadcast.map(() => false) });
  const before = Float32Array.from(data(out));
  matmul(a, b, out, 'wasm');
  const A = data(a);
  const B = data(b);
  const O = data(out);
  const rank = out.shape.length;
  const [aK, bK] = [a.strides[rank - 1]!, b.strides[rank - 2]!];
  const inside = new Uint8Array(O.length);
  // Mismatches are collected and asserted once: an expect() per element is too slow here.
  const wrong: string[] = [];
  const [notFused, notUnfused]: string[][] = [[], []];
  for (const idx of indices(out.shape)) {
    const batchIdx = idx.slice(0, -2);
    const [i, j] = idx.slice(-2) as [number, number];
    let p = at(a, [...batchIdx, i, 0]);
    let q = at(b, [...batchIdx, 0, j]);
    let f32 = 0;
    let fused = 0;
    let f64 = 0;
    let magnitude = 0;
    for (let k = 0; k < K; k++, p += aK, q += bK) {
      const product = A[p]! * B[q]!;
      f32 = Math.fround(f32 + Math.fround(product));
      fused = fusedAdd(fused, product);
      f64 += product;
      magnitude += Math.abs(product);
    }
    const o = at(out, idx);
    inside[o] = 1;
    const got = O[o]!;
    const tolerance = 1e-5 * Math.sqrt(K) * magnitude + (f16 ? 2 ** -10 * Math.abs(f64) + 2 ** -24 : 0);
    const rounded = (x: number): number => (f16 ? roundToFloat16(x) : x);
    if (!Object.is(got, rounded(fused))) notFused.push(`[${idx.join(', ')}]: got ${got}, fused loop ${fused}`);
    if (!Object.is(got, rounded(f32))) notUnfused.push(`[${idx.join(', ')}]: got ${got}, float32 loop ${f32}`);
    if (!(Math.abs(got - f64) <= tolerance)) wrong.push(`[${idx.join(', ')}]: got ${got}, float64 ${f64}`);
  }
  for (let i = 0; i < O.length; i++) if (!inside[i] && O[i] !== before[i]) wrong.push(`outside element ${i} changed`);
  expect(wrong.slice(0, 5)).toEqual([]);
  if (notFused.length > 0) expect(notUnfused.slice(0, 5)).toEqual([]);
}

/**
 * fround(acc + product) with the sum rounded once, from exact (float64) inputs: a·b of two float32
 * is exact in float64, but acc + product rounded to float64 and then to float32 can round twice
 * when the float64 sum lands exactly halfway between two float32. TwoSum gives the float64 sum's
 * error e, which decides such a tie.
 */
function fusedAdd(acc: number, product: number): number {
  const s = acc + product;
  const t = s - acc;
  const e = acc - (s - t) + (product - t);
  const r = Math.fround(s);
  if (e === 0 || r === s || r === 0 || !Number.isFinite(r)) return r;
  const bits = new Float32Array([r]);
  new Int32Array(bits.buffer)[0]! += s > r === r > 0 ? 1 : -1; // the float32 next to r, on s's side
  const other = bits[0]!;
  if (s - r !== other - s) return r; // not a tie: the single rounding agrees
  return e > 0 === other > r ? other : r;
}

describe('cpu WebAssembly SIMD matmul', () => {
  it('emits a module that validates (SIMD is available in every supported Node)', () => {
    expect(wasmApi).toBeDefined();
    expect(wasmApi!.validate(gemmModuleBytes())).toBe(true);
    expect(wasmSimdAvailable()).toBe(true);
  });

  it("has a mul + add gemm, for runtimes without relaxed SIMD, that gives the float32 loop's bits", () => {
    const K = 37;
    const { exports, memory } = instantiate(moduleOfFunctions({ gemm: gemmFunction('f32', false) }, 'memory'))!;
    growTo(memory, 65536 * 2);
    const heap = new Float32Array(memory.buffer);
    const [a, b, c] = [0, MR * K, (MR + NR) * K]; // one packed A tile, one B panel, C: MR rows of NR
    const values = randomStream(11);
    for (let i = 0; i < (MR + NR) * K; i++) heap[i] = Math.fround(values() * 2);
    (exports.gemm as (...args: number[]) => void)(4 * a, 4 * b, 4 * c, 1, 1, K, 4 * NR, 0);
    const wrong: string[] = [];
    for (let r = 0; r < MR; r++) {
      for (let j = 0; j < NR; j++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum = Math.fround(sum + Math.fround(heap[a + k * MR + r]! * heap[b + k * NR + j]!));
        if (!Object.is(heap[c + r * NR + j], sum)) wrong.push(`(${r}, ${j}): ${heap[c + r * NR + j]} vs ${sum}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("gives the fused (or the float32) loop's bits as V8's optimizing tier compiles it, revectorized or not", () => {
    // Small products run the baseline (Liftoff) code, which never revectorizes: compiled with
    // Liftoff off, the kernel is the optimized code large products run on every Node.
    setFlagsFromString('--no-liftoff');
    let gemm: (...args: number[]) => void;
    let heap: Float32Array;
    try {
      const { exports, memory } = instantiate(gemmModuleBytes())!;
      growTo(memory, 65536 * 4);
      heap = new Float32Array(memory.buffer);
      gemm = exports.gemm as (...args: number[]) => void;
      gemm(0, 0, 0, 1, 1, 1, 4 * NR, 0); // compiles it now, while the flag holds
    } finally {
      setFlagsFromString('--liftoff');
    }
    const [K, mTiles, nTiles] = [37, 3, 2];
    const ldc = nTiles * NR;
    const [a, b, c] = [0, mTiles * MR * K, (mTiles * MR + nTiles * NR) * K];
    const values = randomStream(13);
    for (let i = 0; i < c; i++) heap[i] = Math.fround(values() * 2);
    // Two blocks of K, the second accumulating onto the first's partial sums.
    const [k1, k2] = [20, K - 20];
    const packed = (base: number, width: number, tiles: number, k0: number, kb: number): number => {
      // The block's tiles, re-packed contiguously after C, as the host packs one K block.
      const dst = c + mTiles * MR * ldc + (base === a ? 0 : mTiles * MR * K);
      for (let t = 0; t < tiles; t++) {
        for (let k = 0; k < kb; k++) {
          for (let r = 0; r < width; r++)
            heap[dst + t * width * kb + k * width + r] = heap[base + t * width * K + (k0 + k) * width + r]!;
        }
      }
      return dst;
    };
    gemm(4 * packed(a, MR, mTiles, 0, k1), 4 * packed(b, NR, nTiles, 0, k1), 4 * c, mTiles, nTiles, k1, 4 * ldc, 0);
    gemm(4 * packed(a, MR, mTiles, k1, k2), 4 * packed(b, NR, nTiles, k1, k2), 4 * c, mTiles, nTiles, k2, 4 * ldc, 1);
    const [notFused, notUnfused]: string[][] = [[], []];
    for (let i = 0; i < mTiles * MR; i++) {
      for (let j = 0; j < nTiles * NR; j++) {
        let [fused, f32] = [0, 0];
        for (let k = 0; k < K; k++) {
          const product =
            heap[a + Math.floor(i / MR) * MR * K + k * MR + (i % MR)]! *
            heap[b + Math.floor(j / NR) * NR * K + k * NR + (j % NR)]!;
          fused = fusedAdd(fused, product);
          f32 = Math.fround(f32 + Math.fround(product));
        }
        const got = heap[c + i * ldc + j]!;
        if (!Object.is(got, fused)) notFused.push(`(${i}, ${j}): ${got} vs fused ${fused}`);
        if (!Object.is(got, f32)) notUnfused.push(`(${i}, ${j}): ${got} vs float32 ${f32}`);
      }
    }
    expect(notFused.length === 0 || notUnfused.length === 0, [...notFused, ...notUnfused].slice(0, 4).join('; ')).toBe(
      true,
    );
    // The values are not all ties: the two loops differ somewhere, so the test tells them apart.
    expect(notFused.length + notUnfused.length).toBeGreaterThan(0);
  });

  it("computes edge tiles' real rows and vectors with gemm's bits, and writes nothing past them", () => {
    const { exports, memory } = instantiate(gemmModuleBytes())!;
    growTo(memory, 65536 * 64);
    const heap = new Float32Array(memory.buffer);
    const [gemm, gemmEdges] = [exports.gemm, exports.gemmEdges] as ((...args: number[]) => void)[];
    const values = randomStream(5);
    const wrong: string[] = [];
    for (const [mTiles, nTiles, K] of [
      [1, 1, 3],
      [2, 3, 17],
      [3, 2, 64],
    ] as const) {
      const [b, full, edge] = [mTiles * MR * K, 1 << 18, 1 << 19]; // f32 indices; A at 0
      for (let i = 0; i < (mTiles * MR + nTiles * NR) * K; i++) heap[i] = Math.fround(values() * 2);
      for (let rows = 1; rows <= MR; rows++) {
        for (let vecs = 1; vecs <= NR / 4; vecs++) {
          for (const accumulate of [0, 1]) {
            const [M, N, ldc] = [(mTiles - 1) * MR + rows, (nTiles - 1) * NR + 4 * vecs, nTiles * NR];
            heap.fill(0.5, full, full + mTiles * MR * ldc);
            heap.fill(-7, edge, edge + mTiles * MR * ldc);
            for (let i = 0; i < M; i++) heap.fill(0.5, edge + i * N, edge + (i + 1) * N);
            gemm(0, 4 * b, 4 * full, mTiles, nTiles, K, 4 * ldc, accumulate);
            gemmEdges(0, 4 * b, 4 * edge, mTiles, nTiles, K, 4 * N, accumulate, rows, vecs);
            for (let i = 0; i < M; i++) {
              for (let j = 0; j < N; j++) {
                if (!Object.is(heap[edge + i * N + j], heap[full + i * ldc + j]))
                  wrong.push(`(${i}, ${j}) of ${M}×${N}`);
              }
            }
            for (let i = M * N; i < mTiles * MR * ldc; i++)
              if (heap[edge + i] !== -7) wrong.push(`${i} past ${M}×${N}`);
          }
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('encodes LEB128 as the spec does', () => {
    expect(uleb(0)).toEqual([0x00]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(228)).toEqual([0xe4, 0x01]); // f32x4.add's SIMD opcode
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-65)).toEqual([0xbf, 0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it('matches naive loops at sizes around the tile edges', () => {
    // Every count of real rows in the last A tile and of real vectors in the last B panel.
    const sizes = [1, MR - 1, MR, MR + 1, 6, 10, NR - 1, NR, NR + 1, 2 * NR + 3];
    for (const M of sizes) for (const N of sizes) check(false, [], M, 5, N, plain(0), plain(0), plain(0));
    for (const K of [1, 2, 3, 17, 64]) check(false, [], 2 * MR + 1, K, NR + 3, plain(0), plain(0), plain(0));
  });

  it('writes zeros when K = 0 and nothing when M or N is 0', () => {
    const out = makeView(false, [2, 5, 9], plain(1));
    matmul(makeView(false, [2, 5, 0], plain(1)), makeView(false, [2, 0, 9], plain(1)), out, 'wasm');
    expect(Array.from(data(out))).toEqual(new Array(90).fill(0));
    check(false, [2], 0, 4, 3, plain(1), plain(1), plain(1));
    check(false, [2], 3, 4, 0, plain(1), plain(1), plain(1));
    check(false, [0], 3, 4, 3, plain(1), plain(1), plain(1));
  });

  it('reads transposed, offset and sliced operands and writes a non-contiguous out', () => {
    const t: Layout = { transposed: true, broadcast: [], offset: 3, pad: 2 };
    const s: Layout = { transposed: false, broadcast: [], offset: 5, pad: 3 };
    check(false, [], 9, 11, 17, t, t, s);
    check(false, [], 13, 11, 7, s, t, t);
    check(true, [], 17, 5, 6, t, s, t);
    // Staged a line at a time (K ≥ 64, rows far apart), at odd offsets and odd strides.
    const sparse = (transposed: boolean, offset: number, pad: number): Layout => ({
      transposed,
      broadcast: [],
      offset,
      pad,
    });
    check(false, [], 9, 70, 13, sparse(false, 1, 101), sparse(true, 3, 99), plain(0));
    check(false, [], 70, 70, 9, sparse(true, 1, 100), sparse(false, 2, 101), plain(0));
  });

  it('broadcasts batch dims with stride 0, reusing a shared packed B', () => {
    const shared: Layout = { transposed: false, broadcast: [true, true], offset: 1, pad: 0 };
    const mixed: Layout = { transposed: true, broadcast: [false, true], offset: 0, pad: 1 };
    check(false, [2, 3], 5, 6, 9, plain(2), shared, plain(2));
    check(false, [2, 3], 6, 3, 9, shared, mixed, plain(2));
    check(true, [3, 2], 4, 8, 5, mixed, mixed, { ...mixed, transposed: true });
  });

  it('crosses packed blocks of A rows and B columns, also with a broadcast B', () => {
    // K = 600: 108 rows of A per block. K = 2: 504 columns per block (C's scratch holds all 520
    // rows), each block of row-major B staged one k-line at a time.
    check(false, [], 130, 600, 9, plain(0), { ...plain(0), transposed: true }, plain(0));
    check(false, [], 520, 2, 2050, plain(0), plain(0), plain(0));
    check(false, [2], 3, 2, 2051, plain(1), { ...plain(1), broadcast: [true] }, plain(1));
  });

  it('sums blocks of K into C in order, bit for bit, for any layout and a broadcast B', () => {
    // K = 1600: two blocks of 800, the second continuing each sum from C's scratch (K = 1537: 769
    // and 768); a K block of row-major A is staged one row at a time, of transposed B one column at a time.
    const t: Layout = { ...plain(0), transposed: true };
    check(false, [], 9, 1600, 19, plain(0), plain(0), plain(0));
    check(false, [], 13, 1600, 70, t, t, { ...t, offset: 2 });
    check(true, [2], 5, 1537, 9, plain(1), { ...plain(1), broadcast: [true] }, plain(1));
  });

  it('matches naive loops on random shapes and layouts', () => {
    const layout = (batchRank: number) => layoutArb(batchRank, 5);
    const arb = fc
      .record({
        f16: fc.boolean(),
        batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        M: fc.integer({ min: 1, max: 21 }),
        K: fc.integer({ min: 0, max: 40 }),
        N: fc.integer({ min: 1, max: 21 }),
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
      fc.property(arb, ({ s, la, lb, lo }) => check(s.f16, s.batch, s.M, s.K, s.N, la, lb, lo)),
      { numRuns: 300 },
    );
  });

  it('is chosen for float32 above the size threshold, and refuses other dtypes', () => {
    const a = makeView(false, [32, 48], plain(0));
    const b = makeView(false, [48, 40], plain(0));
    const auto = makeView(false, [32, 40], plain(0));
    const forced = makeView(false, [32, 40], plain(0));
    matmul(a, b, auto);
    matmul(a, b, forced, 'wasm');
    expect(data(auto)).toEqual(data(forced));
    const i32: View = { buffer: makeCpuBuffer('int32', new Int32Array(4)), shape: [2, 2], strides: [2, 1], offset: 0 };
    expect(() => matmul(i32, i32, i32, 'wasm')).toThrow(/float32/);
  });

  it('falls back to the JavaScript kernel, silently, where WebAssembly is missing', async () => {
    const a = makeView(false, [32, 48], plain(0));
    const b = makeView(false, [48, 40], { ...plain(0), transposed: true });
    const viaJs = makeView(false, [32, 40], plain(0));
    matmul(a, b, viaJs, 'js');
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      // Fresh module instances, so the availability check runs again without WebAssembly.
      const wasm = await import('../../engine/backends/cpu/wasm/matmul.ts');
      const cpu = await import('../../engine/backends/cpu/matmul.ts');
      expect(wasm.wasmSimdAvailable()).toBe(false);
      const out = makeView(false, [32, 40], plain(0));
      cpu.matmul(a, b, out);
      expect(data(out)).toEqual(data(viaJs));
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});
