/**
 * Host side of the int8 matmul behind dynamically quantized Linear layers: C = A·Wᵀ summed exactly
 * in int32, A being the activations quantized to uint8 minus their zero point (|a| ≤ 255) and W
 * the int8 weight [N, K]. The weight is packed once, when the layer is quantized; each call
 * quantizes A straight into the kernel's layout, a block of rows at a time, and runs the 'i16'
 * WebAssembly SIMD kernel (kernel.ts). Without SIMD the same sums come from a JavaScript loop, so
 * results never depend on the runtime.
 */
import type { HostArray } from '../../../dtype.ts';
import { quantizeValue, ROUNDER } from '../../../quantization/qparams.ts';
import { growTo, instantiate, type WasmMemory } from './instance.ts';
import { gemmModuleBytes, MR, NR } from './kernel.ts';

type Gemm = (a: number, b: number, c: number, mTiles: number, nTiles: number, K: number, ldc: number) => void;

let kernel: { gemm: Gemm; memory: WasmMemory } | null | undefined;

function load(): { gemm: Gemm; memory: WasmMemory } | null {
  if (kernel !== undefined) return kernel;
  const module = instantiate(gemmModuleBytes('i16'));
  return (kernel = module && { gemm: module.exports.gemm as Gemm, memory: module.memory });
}

/** An int8 weight [N, K] and its k-pair panels as the kernel reads them (Wᵀ, zero-padded). */
export interface PackedInt8Weight {
  readonly N: number;
  readonly K: number;
  readonly weight: Int8Array;
  /** nTiles panels × ⌈K/2⌉ pairs × NR lanes × 2: panel p, pair q, lane j, half u = W[p·NR + j][2q + u]. */
  readonly panels: Int16Array;
}

export function packInt8Weight(weight: Int8Array, N: number, K: number): PackedInt8Weight {
  const pairs = Math.ceil(K / 2);
  const nTiles = Math.ceil(N / NR);
  const panels = new Int16Array(nTiles * pairs * NR * 2);
  for (let n = 0; n < N; n++) {
    const base = Math.floor(n / NR) * pairs * NR * 2 + (n % NR) * 2;
    for (let k = 0; k < K; k++) panels[base + (k >> 1) * NR * 2 + (k & 1)] = weight[n * K + k]!;
  }
  return { N, K, weight, panels };
}

/** Rows of A packed per kernel call: the block (≤ 128 KiB of int16 pairs) stays in L2. */
const BLOCK_ROWS = 128;

/** How the float input becomes A: q(x) − z with q = clamp(round(x / s) + z, 0, 255). */
export interface InputQuantization {
  readonly inverseScale: number;
  readonly zeroPoint: number;
}

/** out[m·N + n] = Σ_k (q(x[xOff + m·K + k]) − z) · W[n][k], in int32, for M contiguous rows of x. */
export function quantizedMatmul(
  x: HostArray,
  xOff: number,
  M: number,
  qx: InputQuantization,
  w: PackedInt8Weight,
  out: Int32Array,
): void {
  const { N, K } = w;
  const { inverseScale, zeroPoint } = qx;
  const k = load();
  if (k === null || K === 0) {
    jsQuantizedMatmul(x, xOff, M, qx, w, out);
    return;
  }
  const pairs = Math.ceil(K / 2);
  const nTiles = Math.ceil(N / NR);
  const ldc = nTiles * NR; // C row length in int32s
  const bBytes = w.panels.byteLength;
  const aBytes = (BLOCK_ROWS / MR) * pairs * MR * 4;
  growTo(k.memory, bBytes + aBytes + BLOCK_ROWS * ldc * 4);
  const heap16 = new Int16Array(k.memory.buffer);
  const heap32 = new Int32Array(k.memory.buffer);
  heap16.set(w.panels, 0);
  const aBase = bBytes / 4; // in int32 slots (one slot = a pair of int16 along k)
  const cBase = (bBytes + aBytes) / 4; // in int32s
  // q(x) − z = clamp(round(x/s), −z, 255 − z): the zero point cancels except in the clamp.
  const lo = -zeroPoint;
  const hi = 255 - zeroPoint;
  for (let i0 = 0; i0 < M; i0 += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, M - i0);
    const mTiles = Math.ceil(rows / MR);
    // Tile t, pair q, row r at slot aBase + (t·pairs + q)·MR + r; rows past M stay 0.
    if (rows % MR !== 0) heap32.fill(0, aBase, aBase + mTiles * pairs * MR);
    for (let r = 0; r < rows; r++) {
      let dst = aBase + Math.floor(r / MR) * pairs * MR + (r % MR);
      const src = xOff + (i0 + r) * K;
      for (let kk = 0; kk < K; kk += 2, dst += MR) {
        let q0 = Math.fround(x[src + kk]! * inverseScale) + ROUNDER - ROUNDER;
        q0 = q0 < lo ? lo : q0 > hi ? hi : q0;
        let q1 = kk + 1 < K ? Math.fround(x[src + kk + 1]! * inverseScale) + ROUNDER - ROUNDER : 0;
        q1 = q1 < lo ? lo : q1 > hi ? hi : q1;
        heap32[dst] = (q0 & 0xffff) | (q1 << 16); // little-endian: the lower half is the even k
      }
    }
    k.gemm(aBase * 4, 0, cBase * 4, mTiles, nTiles, pairs, ldc * 4);
    for (let r = 0; r < rows; r++) out.set(heap32.subarray(cBase + r * ldc, cBase + r * ldc + N), (i0 + r) * N);
  }
}

function jsQuantizedMatmul(
  x: HostArray,
  xOff: number,
  M: number,
  qx: InputQuantization,
  w: PackedInt8Weight,
  out: Int32Array,
): void {
  const { N, K, weight } = w;
  const a = new Int16Array(K);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      a[k] = quantizeValue(x[xOff + m * K + k]!, qx.inverseScale, qx.zeroPoint, 0, 255) - qx.zeroPoint;
    }
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += a[k]! * weight[n * K + k]!;
      out[m * N + n] = sum;
    }
  }
}
