/**
 * Host side of the int8 matmul behind dynamically quantized Linear layers: C = A·Wᵀ summed exactly
 * in int32, A being the activations quantized to uint8 minus their zero point (|a| ≤ 255) and W
 * the int8 weight [N, K]. The weight is packed once, when the layer is quantized. Each call copies
 * a block of input rows into the module's memory (a memcpy when K is a multiple of 8), where qpack
 * (int8-pack.ts) quantizes them into the kernel's layout and the 'i16' WebAssembly SIMD gemm
 * (kernel.ts) multiplies. Without SIMD the same sums come from a JavaScript loop, so results never
 * depend on the runtime.
 */
import type { HostArray } from '../../../dtype.ts';
import { quantizeValue } from '../../../quantization/qparams.ts';
import { moduleOfFunctions } from './emit.ts';
import { growTo, instantiate, type WasmMemory } from './instance.ts';
import { K_BLOCK, minmaxFunction, qpackFunction } from './int8-pack.ts';
import { gemmFunction, I16_MR as MR, I16_NR as NR, type Gemm } from './kernel.ts';

type Qpack = (
  x: number,
  a: number,
  mTiles: number,
  kBlocks: number,
  ldx: number,
  inverseScale: number,
  lo: number,
  hi: number,
) => void;

type Minmax = (x: number, vectors: number, out: number) => void;
interface Kernel {
  gemm: Gemm;
  qpack: Qpack;
  minmax: Minmax;
  memory: WasmMemory;
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const fns = { gemm: gemmFunction('i16'), qpack: qpackFunction(), minmax: minmaxFunction() };
  const module = instantiate(moduleOfFunctions(fns, 'memory'));
  if (module === null) return (kernel = null);
  const { exports, memory } = module;
  return (kernel = {
    gemm: exports.gemm as Gemm,
    qpack: exports.qpack as Qpack,
    minmax: exports.minmax as Minmax,
    memory,
  });
}

/** An int8 weight [N, K] and its k-pair panels as the kernel reads them (Wᵀ, zero-padded). */
export interface PackedInt8Weight {
  readonly N: number;
  readonly K: number;
  readonly weight: Int8Array;
  /** K rounded up to qpack's blocks of 8: the pairs the gemm runs over are kPadded / 2. */
  readonly kPadded: number;
  /** nTiles panels × kPadded/2 pairs × NR lanes × 2: panel p, pair q, lane j, half u = W[p·NR + j][2q + u]. */
  readonly panels: Int16Array;
}

export function packInt8Weight(weight: Int8Array, N: number, K: number): PackedInt8Weight {
  const kPadded = Math.ceil(K / K_BLOCK) * K_BLOCK;
  const pairs = kPadded / 2;
  const nTiles = Math.ceil(N / NR);
  const panels = new Int16Array(nTiles * pairs * NR * 2);
  for (let n = 0; n < N; n++) {
    const base = Math.floor(n / NR) * pairs * NR * 2 + (n % NR) * 2;
    for (let k = 0; k < K; k++) panels[base + (k >> 1) * NR * 2 + (k & 1)] = weight[n * K + k]!;
  }
  return { N, K, weight, kPadded, panels };
}

/** Rows of A packed per kernel call: the block (≤ 128 KiB of int16 pairs) stays in L2. */
const BLOCK_ROWS = 128;

/** The input's quantization: q = clamp(round(x / scale) + zeroPoint, 0, 255). */
export interface InputQuantization {
  readonly scale: number;
  readonly zeroPoint: number;
}

/** Picks the input's quantization from the least and greatest of its values (NaN skipped), or of them and 0. */
export type ChooseQuantization = (min: number, max: number) => InputQuantization;

const f32Bits = new Int32Array(1);
const f32View = new Float32Array(f32Bits.buffer);

/**
 * out[m·N + n] = Σ_k (q(x[xOff + m·K + k]) − z) · W[n][k], in int32, for M contiguous rows of x,
 * quantized as `choose` says for their range; returns that quantization.
 */
export function quantizedMatmul(
  x: HostArray,
  xOff: number,
  M: number,
  choose: ChooseQuantization,
  w: PackedInt8Weight,
  out: Int32Array,
): InputQuantization {
  const { N, K, kPadded } = w;
  const k = load();
  if (k === null || K === 0) {
    const qx = choose(...minMax(x, xOff, M * K));
    jsQuantizedMatmul(x, xOff, M, qx, w, out);
    return qx;
  }
  const pairs = kPadded / 2;
  const nTiles = Math.ceil(N / NR);
  const ldc = nTiles * NR; // C row length in int32s
  const mPadded = Math.ceil(M / MR) * MR;
  // Memory: packed B | C block | packed A block | min, max | every input row, padded to whole tiles.
  const bBytes = w.panels.byteLength;
  const cBytes = BLOCK_ROWS * ldc * 4;
  const aBytes = BLOCK_ROWS * pairs * 4;
  const rangeAddr = bBytes + cBytes + aBytes;
  const xAddr = rangeAddr + 32;
  growTo(k.memory, xAddr + mPadded * kPadded * 4);
  const heap16 = new Int16Array(k.memory.buffer);
  const heap32 = new Int32Array(k.memory.buffer);
  const heapF32 = new Float32Array(k.memory.buffer);
  heap16.set(w.panels, 0);
  const xBase = xAddr / 4;
  if (K === kPadded) heapF32.set(x.subarray(xOff, xOff + M * K), xBase);
  else {
    for (let r = 0; r < M; r++) {
      heapF32.set(x.subarray(xOff + r * K, xOff + (r + 1) * K), xBase + r * kPadded);
      heapF32.fill(0, xBase + r * kPadded + K, xBase + (r + 1) * kPadded);
    }
  }
  heapF32.fill(0, xBase + M * kPadded, xBase + mPadded * kPadded); // rows past M quantize to 0
  k.minmax(xAddr, (mPadded * kPadded) / 4, rangeAddr);
  const r = rangeAddr / 4;
  const qx = choose(
    Math.min(heapF32[r]!, heapF32[r + 1]!, heapF32[r + 2]!, heapF32[r + 3]!),
    Math.max(heapF32[r + 4]!, heapF32[r + 5]!, heapF32[r + 6]!, heapF32[r + 7]!),
  );
  f32View[0] = 1 / qx.scale; // rounded to float32, as fbgemm keeps the inverse scale
  // q(x) − z = clamp(round(x/s), −z, 255 − z): the zero point cancels except in the clamp.
  const lo = -qx.zeroPoint;
  const hi = 255 - qx.zeroPoint;
  const cBase = bBytes / 4; // in int32s
  const aAddr = bBytes + cBytes;
  for (let i0 = 0; i0 < M; i0 += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, M - i0);
    const mTiles = Math.ceil(rows / MR);
    k.qpack(xAddr + i0 * kPadded * 4, aAddr, mTiles, kPadded / K_BLOCK, kPadded * 4, f32Bits[0]!, lo, hi);
    k.gemm(aAddr, 0, cBase * 4, mTiles, nTiles, pairs, ldc * 4, 0);
    if (ldc === N) out.set(heap32.subarray(cBase, cBase + rows * N), i0 * N);
    else for (let r = 0; r < rows; r++) out.set(heap32.subarray(cBase + r * ldc, cBase + r * ldc + N), (i0 + r) * N);
  }
  return qx;
}

/** [min, max] of n values from `offset` (NaN skipped); two lanes and selects, as V8 runs them fastest. */
function minMax(x: HostArray, offset: number, n: number): [number, number] {
  let min0 = Infinity;
  let min1 = Infinity;
  let max0 = -Infinity;
  let max1 = -Infinity;
  const end = offset + n - (n % 2);
  for (let i = offset; i < end; i += 2) {
    const a = x[i]!;
    const b = x[i + 1]!;
    min0 = a < min0 ? a : min0;
    max0 = a > max0 ? a : max0;
    min1 = b < min1 ? b : min1;
    max1 = b > max1 ? b : max1;
  }
  if (n % 2 === 1) {
    const last = x[offset + n - 1]!;
    min0 = last < min0 ? last : min0;
    max0 = last > max0 ? last : max0;
  }
  return [Math.min(min0, min1), Math.max(max0, max1)];
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
  const inverseScale = Math.fround(1 / qx.scale);
  const a = new Int16Array(K);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      a[k] = quantizeValue(x[xOff + m * K + k]!, inverseScale, qx.zeroPoint, 0, 255) - qx.zeroPoint;
    }
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += a[k]! * weight[n * K + k]!;
      out[m * N + n] = sum;
    }
  }
}
