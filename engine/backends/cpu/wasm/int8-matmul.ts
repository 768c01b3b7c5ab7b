/**
 * Host side of the int8 matmul behind dynamically quantized Linear layers: y = s·(A·Wᵀ) + b, the
 * product summed exactly in int32, A being the activations quantized to uint8 and W the int8
 * weight [N, K]. The weight is packed once, when the layer is first called, and copied into the
 * module's memory once, where it stays while the layers in use fit (RESIDENT_BYTES). Each call
 * copies the input rows into the module's memory (a memcpy when K is a multiple of 16), where
 * qpack (int8-pack.ts) quantizes them into the kernel's layout, a WebAssembly SIMD gemm (kernel.ts)
 * multiplies, and dequantize scales the sums to float32 in place, so nothing leaves the module but
 * the layer's output. Without SIMD the same numbers come from JavaScript loops, so results never
 * depend on the runtime.
 *
 * Two gemms: 'i16' (k-pairs, i32x4.dot_i16x8_s) takes any activations; 'i8' (k-quads,
 * relaxed_dot_i8x16_i7x16_add_s) needs every q ≤ 127, which PyTorch's reduce_range choice of
 * scale and zero point (q ∈ [0, 127]) gives all but a rounding's worth of the time (the host
 * checks q of the largest value: quantization is monotonic). It runs where V8 revectorizes (Node
 * 24–25), whose 4×16 'i8' tile ran the MNIST layer (64 × 784 × 128) 2.8× as fast as the 4×8
 * 'i16' one (Zen 5, AVX-VNNI; kernels alone, CPU time, interleaved), and 1.2× as fast with V8's
 * AVX-VNNI off (--no-enable-avx-vnni: pmaddubsw, pmaddwd, paddd), as on older AVX2 CPUs. On Node
 * 20 and 22 (no vpdpbusd, no revectorizer) the 'i8' tiles ran at 0.9× 'i16', so they keep 'i16'.
 */
import type { HostArray } from '../../../dtype.ts';
import { quantizeValue } from '../../../quantization/qparams.ts';
import { moduleOfFunctions, type FunctionBuilder } from './emit.ts';
import { growTo, instantiate, type WasmMemory } from './instance.ts';
import { dequantizeFunction, minmaxFunction, QPACK_K, qpackFunction } from './int8-pack.ts';
import { gemmFunction, I8_NR, I16_MR as MR, I16_NR, REVECTORIZE, type Gemm } from './kernel.ts';

type Elements = 'i16' | 'i8';

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
type Dequantize = (c: number, ldc: number, rows: number, groups: number, coef: number, y: number, ldy: number) => void;

interface Kernel {
  gemm: Partial<Record<Elements, Gemm>>;
  qpack: Partial<Record<Elements, Qpack>>;
  minmax: Minmax;
  dequantize: Dequantize;
  memory: WasmMemory;
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const build = (bytes: boolean) => {
    const fns: Record<string, FunctionBuilder> = {
      gemm16: gemmFunction('i16'),
      qpack16: qpackFunction('i16'),
      minmax: minmaxFunction(),
      dequantize: dequantizeFunction(),
    };
    if (bytes) Object.assign(fns, { gemm8: gemmFunction('i8'), qpack8: qpackFunction('i8') });
    return instantiate(moduleOfFunctions(fns, 'memory'));
  };
  // Relaxed SIMD ships in V8 13–14; without it the module still has the 'i16' path.
  const module = (REVECTORIZE ? build(true) : null) ?? build(false);
  if (module === null) return (kernel = null);
  const { exports: e, memory } = module;
  return (kernel = {
    gemm: { i16: e.gemm16 as Gemm, i8: e.gemm8 as Gemm | undefined },
    qpack: { i16: e.qpack16 as Qpack, i8: e.qpack8 as Qpack | undefined },
    minmax: e.minmax as Minmax,
    dequantize: e.dequantize as Dequantize,
    memory,
  });
}

/** k is padded to whole blocks of the widest qpack step. */
const K_ALIGN = QPACK_K.i8;
const NR: Record<Elements, number> = { i16: I16_NR, i8: I8_NR };
/** k per 4-byte slot of A and lane of B. */
const SLOT_K: Record<Elements, number> = { i16: 2, i8: 4 };

/** One packing of the weight as a gemm reads B. */
interface Layout {
  /** nTiles panels × kSlots × NR lanes × slot: panel p, slot q, lane j, part u = W[p·NR + j][q·SLOT_K + u]. */
  readonly panels: Int16Array | Int8Array;
  /** Σ_k W[n][k] per column, zero past N ('i8': the zero point's correction). */
  readonly columnSums: Int32Array;
}

/** An int8 weight [N, K] and its packings, each made the first time a call needs it. */
export class PackedInt8Weight {
  /** K rounded up to whole qpack blocks. */
  readonly kPadded: number;
  private readonly layouts: Partial<Record<Elements, Layout>> = {};

  constructor(
    readonly weight: Int8Array,
    readonly N: number,
    readonly K: number,
  ) {
    this.kPadded = Math.ceil(K / K_ALIGN) * K_ALIGN;
  }

  layout(elements: Elements): Layout {
    return (this.layouts[elements] ??= this.pack(elements));
  }

  private pack(elements: Elements): Layout {
    const { N, K, weight, kPadded } = this;
    const [nr, slotK] = [NR[elements], SLOT_K[elements]];
    const nTiles = Math.ceil(N / nr);
    const panels = new (elements === 'i16' ? Int16Array : Int8Array)(nTiles * nr * kPadded);
    const columnSums = new Int32Array(nTiles * nr);
    for (let n = 0; n < N; n++) {
      const base = Math.floor(n / nr) * nr * kPadded + (n % nr) * slotK;
      for (let k = 0; k < K; k++) {
        const w = weight[n * K + k]!;
        panels[base + Math.floor(k / slotK) * nr * slotK + (k % slotK)] = w;
        columnSums[n] += w;
      }
    }
    return { panels, columnSums };
  }
}

export function packInt8Weight(weight: Int8Array, N: number, K: number): PackedInt8Weight {
  return new PackedInt8Weight(weight, N, K);
}

/**
 * Packed weights live at the bottom of the module's memory, copied in at their first call (the
 * MNIST layer's 'i16' panels, 196 KiB, were copied on every call), the scratch of each call above
 * them. Past RESIDENT_BYTES the region starts over, and a layer placed before is copied in again.
 */
const RESIDENT_BYTES = 16 << 20;
const placed = new WeakMap<Layout, { generation: number; address: number }>();
let residentTop = 0;
let generation = 0;

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

function place(k: Kernel, layout: Layout): number {
  const at = placed.get(layout);
  if (at !== undefined && at.generation === generation) return at.address;
  const bytes = align16(layout.panels.byteLength);
  if (residentTop > 0 && residentTop + bytes > RESIDENT_BYTES) {
    generation++;
    residentTop = 0;
  }
  const address = residentTop;
  residentTop += bytes;
  growTo(k.memory, residentTop);
  new Uint8Array(k.memory.buffer).set(new Uint8Array(layout.panels.buffer, 0, layout.panels.byteLength), address);
  placed.set(layout, { generation, address });
  return address;
}

/** Rows of A packed per kernel call: the block (≤ 196 KiB of int16 pairs for K = 784) stays in L2. */
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
 * y[m·N + n] = f32(s_n·Σ_k (q(x[xOff + m·K + k]) − z)·W[n][k] + b_n), the sum exact in int32, the
 * rest in float64 (PyTorch's quantized::linear_dynamic), for M contiguous rows of x quantized as
 * `choose` says for their range, with s_n = f32(scale·weightScales[n]) (one weight scale, or one
 * per output) and b_n = bias[n] (0 without a bias). The result is a view of the module's memory,
 * valid until the next call: copy it.
 */
export function quantizedLinear(
  x: HostArray,
  xOff: number,
  M: number,
  choose: ChooseQuantization,
  w: PackedInt8Weight,
  weightScales: ArrayLike<number>,
  bias: ArrayLike<number> | null,
): Float32Array {
  const { N, K, kPadded } = w;
  const k = load();
  if (k === null || K === 0 || N === 0 || M === 0) {
    const qx = choose(...minMax(x, xOff, M * K));
    return jsQuantizedLinear(x, xOff, M, qx, w, coefficients(qx, N, weightScales, bias));
  }
  const mPadded = Math.ceil(M / MR) * MR;
  const groups = Math.ceil(N / 4);
  const ldcMax = Math.ceil(N / I8_NR) * I8_NR; // int32s per C row, the widest tile's
  let elements: Elements = k.gemm.i8 ? 'i8' : 'i16';
  let layout = w.layout(elements);
  let b = place(k, layout);
  // Scratch above the resident weights: C block | packed A block | min, max | C's start values |
  // dequantize's coefficients | y (and a vector of room) | every input row, padded to whole tiles.
  const scratch = (c: number) => {
    const a = c + BLOCK_ROWS * ldcMax * 4;
    const range = a + BLOCK_ROWS * kPadded * 2;
    const init = range + 32;
    const coef = init + ldcMax * 4;
    const y = coef + groups * 64;
    return { c, a, range, init, coef, y, x: y + align16(M * N * 4 + 16) };
  };
  let at = scratch(residentTop);
  const stage = (): void => {
    growTo(k.memory, at.x + mPadded * kPadded * 4);
    const heapF32 = new Float32Array(k.memory.buffer);
    const xBase = at.x / 4;
    if (K === kPadded) heapF32.set(x.subarray(xOff, xOff + M * K), xBase);
    else {
      for (let r = 0; r < M; r++) {
        heapF32.set(x.subarray(xOff + r * K, xOff + (r + 1) * K), xBase + r * kPadded);
        heapF32.fill(0, xBase + r * kPadded + K, xBase + (r + 1) * kPadded);
      }
    }
    heapF32.fill(0, xBase + M * kPadded, xBase + mPadded * kPadded); // rows past M quantize to 0
  };
  stage();
  k.minmax(at.x, (mPadded * kPadded) / 4, at.range);
  const range = new Float32Array(k.memory.buffer, at.range, 8);
  const max = Math.max(range[4]!, range[5]!, range[6]!, range[7]!);
  const qx = choose(Math.min(range[0]!, range[1]!, range[2]!, range[3]!), max);
  f32View[0] = 1 / qx.scale; // rounded to float32, as fbgemm keeps the inverse scale
  if (elements === 'i8' && !(quantizeValue(max, f32View[0]!, qx.zeroPoint, 0, 255) <= 127)) {
    // A q of 128 or more is no 7-bit operand: the 'i16' gemm, whose panels may land on the staged rows.
    elements = 'i16';
    layout = w.layout(elements);
    b = place(k, layout);
    if (residentTop !== at.c) {
      at = scratch(residentTop);
      stage();
    }
  }
  // q(x) − z = clamp(round(x/s), −z, 255 − z): the zero point cancels except in the clamp.
  const lo = -qx.zeroPoint;
  const hi = 255 - qx.zeroPoint;
  const nr = NR[elements];
  const nTiles = Math.ceil(N / nr);
  const ldc = nTiles * nr;
  if (elements === 'i8') {
    const init = new Int32Array(k.memory.buffer, at.init, ldc);
    const sums = layout.columnSums;
    for (let n = 0; n < ldc; n++) init[n] = lo * sums[n]!;
  }
  new Float64Array(k.memory.buffer, at.coef, groups * 8).set(coefficients(qx, N, weightScales, bias));
  const slots = kPadded / SLOT_K[elements];
  const kBlocks = kPadded / QPACK_K[elements];
  const qpack = k.qpack[elements]!;
  const gemm = k.gemm[elements]!;
  for (let i0 = 0; i0 < M; i0 += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, M - i0);
    const mTiles = Math.ceil(rows / MR);
    qpack(at.x + i0 * kPadded * 4, at.a, mTiles, kBlocks, kPadded * 4, f32Bits[0]!, lo, hi);
    gemm(at.a, b, at.c, mTiles, nTiles, slots, ldc * 4, elements === 'i8' ? at.init : 0); // 'i16': from zero
    k.dequantize(at.c, ldc * 4, rows, groups, at.coef, at.y + i0 * N * 4, N * 4);
  }
  return new Float32Array(k.memory.buffer, at.y, M * N);
}

/**
 * Per group of 4 outputs, s_n = f32(scale·weightScales[n]) twice two lanes, then b_n likewise, as
 * float64 (zero past N): dequantize's coefficients.
 */
function coefficients(
  qx: InputQuantization,
  N: number,
  weightScales: ArrayLike<number>,
  bias: ArrayLike<number> | null,
): Float64Array {
  const coef = new Float64Array(Math.ceil(N / 4) * 8);
  const perChannel = weightScales.length > 1;
  for (let n = 0; n < N; n++) {
    const at = (n >> 2) * 8 + (n & 3);
    coef[at] = Math.fround(qx.scale * weightScales[perChannel ? n : 0]!); // float32, as fbgemm's float math
    coef[at + 4] = bias ? Math.fround(bias[n]!) : 0;
  }
  return coef;
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

function jsQuantizedLinear(
  x: HostArray,
  xOff: number,
  M: number,
  qx: InputQuantization,
  w: PackedInt8Weight,
  coef: Float64Array,
): Float32Array {
  const { N, K, weight } = w;
  const inverseScale = Math.fround(1 / qx.scale);
  const a = new Int16Array(K);
  const out = new Float32Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      a[k] = quantizeValue(x[xOff + m * K + k]!, inverseScale, qx.zeroPoint, 0, 255) - qx.zeroPoint;
    }
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += a[k]! * weight[n * K + k]!;
      const at = (n >> 2) * 8 + (n & 3);
      out[m * N + n] = coef[at]! * sum + coef[at + 4]!;
    }
  }
  return out;
}
