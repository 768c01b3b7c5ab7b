/**
 * Host side of the WebAssembly SIMD float32 matmul: packs operands into the module's memory in the
 * layout kernel.ts documents, runs the kernel, and copies C out into the strided output view.
 *
 * The module is generated and compiled synchronously on first use (a few KiB; well under a
 * millisecond). Where WebAssembly or its SIMD extension is missing, the module fails to validate,
 * wasmSimdAvailable() is false, and the caller keeps using the JavaScript kernel.
 */
import type { Matrix } from '../matmul.ts';
import { growTo, instantiate, type WasmMemory } from './instance.ts';
import { gemmModuleBytes, MR, NR } from './kernel.ts';

type Gemm = (a: number, b: number, c: number, mTiles: number, nTiles: number, K: number, ldc: number) => void;
type Pack = (src: number, rs: number, ks: number, K: number, dst: number) => void;

interface Kernel {
  gemm: Gemm;
  pack4: Pack;
  pack8: Pack;
  memory: WasmMemory;
  /** Float32Array over memory.buffer; replaced after every grow (growing detaches the old buffer). */
  heap: Float32Array;
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const module = instantiate(gemmModuleBytes());
  if (module === null) return (kernel = null);
  const { exports, memory } = module;
  const heap = new Float32Array(memory.buffer);
  return (kernel = {
    gemm: exports.gemm as Gemm,
    pack4: exports.pack4 as Pack,
    pack8: exports.pack8 as Pack,
    memory,
    heap,
  });
}

/** Whether this runtime validates the SIMD module (checked once, compiling it if so). */
export function wasmSimdAvailable(): boolean {
  return load() !== null;
}

/** Grows the memory to hold at least `floats` f32s. */
function reserve(k: Kernel, floats: number): Float32Array {
  if (growTo(k.memory, floats * 4)) k.heap = new Float32Array(k.memory.buffer);
  return k.heap;
}

/**
 * Packed A rows per block: one block (≤ 256 KiB) stays in L2 while every B panel sweeps it. The
 * caps bound the C scratch (mc × nc floats, ≤ 4 MiB) when K is small.
 */
const A_BLOCK_BYTES = 256 * 1024;
const MAX_ROWS = 512;
/** B columns packed at a time: bounds the packed-B scratch at a few MiB for large matrices. */
const B_BLOCK_BYTES = 4 * 1024 * 1024;
const MAX_COLS = 2048;

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

/**
 * One float32 (or float16/bfloat16-stored-as-float32) [M, K] × [K, N] product into `out`, M, N ≥ 1.
 * `bIsPacked` says the previous call packed this same B (a broadcast batch operand) and it is
 * still in place; returns whether this call left all of B packed, for the next batch to reuse.
 */
export function wasmFloatMatmul(
  a: Matrix,
  b: Matrix,
  bIsPacked: boolean,
  out: Matrix,
  round: ((x: number) => number) | null,
  M: number,
  N: number,
  K: number,
): boolean {
  const k = load();
  if (k === null) throw new Error('WebAssembly SIMD is not available');
  if (K === 0) {
    fillZero(out, M, N);
    return false;
  }
  const mc = Math.min(MAX_ROWS, Math.max(MR, Math.floor(A_BLOCK_BYTES / (4 * K * MR)) * MR));
  const nc = Math.min(MAX_COLS, Math.max(NR, Math.floor(B_BLOCK_BYTES / (4 * K * NR)) * NR));
  const mcp = Math.min(mc, roundUp(M, MR));
  const ncp = Math.min(nc, roundUp(N, NR));
  // Memory layout (f32 indices): packed B block at 0, packed A block after it, then C (ldc = ncp).
  const aBase = ncp * K;
  const cBase = aBase + mcp * K;
  // Then room for a copy of the source rows packWasm reads.
  const srcBase = cBase + mcp * ncp;
  const heap = reserve(k, srcBase + Math.max(extent(b.col, b.row, ncp, K), extent(a.row, a.col, mcp, K)));
  const A = a.data as Float32Array;
  const B = b.data as Float32Array;
  for (let j0 = 0; j0 < N; j0 += nc) {
    const nb = Math.min(nc, N - j0);
    if (!bIsPacked) packRows(k, B, b.off + j0 * b.col, b.col, b.row, nb, K, NR, 0, srcBase);
    for (let i0 = 0; i0 < M; i0 += mc) {
      const mb = Math.min(mc, M - i0);
      packRows(k, A, a.off + i0 * a.row, a.row, a.col, mb, K, MR, aBase, srcBase);
      k.gemm(4 * aBase, 0, 4 * cBase, roundUp(mb, MR) / MR, roundUp(nb, NR) / NR, K, 4 * ncp);
      copyOut(heap, cBase, ncp, out, out.off + i0 * out.row + j0 * out.col, mb, nb, round);
    }
  }
  return nc >= N;
}

/**
 * Floats spanned by `rows` rows of K elements with these strides, where the rows are dense enough
 * to copy whole into the module's memory for its pack functions (else 0: the JavaScript pack runs).
 */
function extent(rowStride: number, kStride: number, rows: number, K: number): number {
  if (rowStride < 0 || kStride < 0) return 0;
  const span = (rows - 1) * rowStride + (K - 1) * kStride + 1;
  return span <= 2 * rows * K ? span : 0;
}

/**
 * pack() through the module: the source rows are copied into its memory at srcBase (one memcpy)
 * and its pack4/pack8 functions lay out the full tiles; a last partial tile is packed here.
 */
// prettier-ignore
function packRows(
  k: Kernel, src: Float32Array, off: number, rowStride: number, kStride: number, rows: number, K: number,
  width: typeof MR | typeof NR, base: number, srcBase: number,
): void {
  const span = extent(rowStride, kStride, rows, K);
  if (span === 0 || src.length < off + span || srcBase + span > k.heap.length) {
    pack(src, off, rowStride, kStride, rows, K, width, k.heap, base);
    return;
  }
  k.heap.set(src.subarray(off, off + span), srcBase);
  const full = rows - (rows % width);
  const packTile = width === 8 ? k.pack8 : k.pack4;
  for (let t = 0; t < full; t += width) {
    packTile(4 * (srcBase + t * rowStride), 4 * rowStride, 4 * kStride, K, 4 * (base + t * K));
  }
  if (full < rows) packPartial(src, off + full * rowStride, rowStride, kStride, rows - full, K, width, k.heap, base + full * K);
}

/**
 * Copies `rows` rows (element (r, k) at off + r·rowStride + k·kStride) into tiles of `width` rows
 * at dst[base …], each tile k-major: dst[base + t·K + k·width + r] for the tile starting at row t.
 * Rows past the end are zero-filled so the kernel always computes full tiles. B is packed as Bᵀ.
 *
 * Packing is a fair share of the time on the MLP's shapes (150k floats against 12.8 MFLOP), so
 * full tiles go through loops unrolled over the tile's rows: one pass over k reads `width` source
 * rows side by side and writes dst sequentially, about twice as fast as a loop over r per k,
 * whichever of the two strides is the small one.
 */
function pack(
  src: Float32Array,
  off: number,
  rowStride: number,
  kStride: number,
  rows: number,
  K: number,
  width: typeof MR | typeof NR,
  dst: Float32Array,
  base: number,
): void {
  for (let t = 0; t < rows; t += width) {
    const s = off + t * rowStride;
    const d = base + t * K;
    const full = Math.min(width, rows - t);
    if (full === 8) pack8(src, s, rowStride, kStride, K, dst, d);
    else if (full === 4 && width === 4) pack4(src, s, rowStride, kStride, K, dst, d);
    else packPartial(src, s, rowStride, kStride, full, K, width, dst, d);
  }
}

// prettier-ignore
function pack8(src: Float32Array, s: number, rs: number, ks: number, K: number, dst: Float32Array, d: number): void {
  const s1 = s + rs, s2 = s1 + rs, s3 = s2 + rs, s4 = s3 + rs, s5 = s4 + rs, s6 = s5 + rs, s7 = s6 + rs;
  for (let k = 0, q = 0; k < K; k++, q += ks, d += 8) {
    dst[d] = src[s + q]!; dst[d + 1] = src[s1 + q]!; dst[d + 2] = src[s2 + q]!; dst[d + 3] = src[s3 + q]!;
    dst[d + 4] = src[s4 + q]!; dst[d + 5] = src[s5 + q]!; dst[d + 6] = src[s6 + q]!; dst[d + 7] = src[s7 + q]!;
  }
}

// prettier-ignore
function pack4(src: Float32Array, s: number, rs: number, ks: number, K: number, dst: Float32Array, d: number): void {
  const s1 = s + rs, s2 = s1 + rs, s3 = s2 + rs;
  for (let k = 0, q = 0; k < K; k++, q += ks, d += 4) {
    dst[d] = src[s + q]!; dst[d + 1] = src[s1 + q]!; dst[d + 2] = src[s2 + q]!; dst[d + 3] = src[s3 + q]!;
  }
}

/** The last tile, with `full` < width real rows. */
function packPartial(
  src: Float32Array,
  s: number,
  rs: number,
  ks: number,
  full: number,
  K: number,
  width: number,
  dst: Float32Array,
  d: number,
): void {
  for (let k = 0; k < K; k++, s += ks) {
    for (let r = 0; r < full; r++) dst[d++] = src[s + r * rs]!;
    for (let r = full; r < width; r++) dst[d++] = 0;
  }
}

/** Writes the rows × cols corner of C (row-major, ldc floats per row, at heap[c]) into out at `o`. */
function copyOut(
  heap: Float32Array,
  c: number,
  ldc: number,
  out: Matrix,
  o: number,
  rows: number,
  cols: number,
  round: ((x: number) => number) | null,
): void {
  const { data: O, row: oRow, col: oCol } = out;
  if (!round && oCol === 1 && oRow === cols && cols === ldc) {
    // out's rows and C's rows are both back to back (N a multiple of NR, contiguous out): one copy.
    O.set(heap.subarray(c, c + rows * cols), o);
    return;
  }
  for (let r = 0; r < rows; r++, c += ldc, o += oRow) {
    if (oCol === 1 && !round) {
      O.set(heap.subarray(c, c + cols), o);
    } else {
      for (let j = 0, p = o; j < cols; j++, p += oCol) O[p] = round ? round(heap[c + j]!) : heap[c + j]!;
    }
  }
}

function fillZero(out: Matrix, M: number, N: number): void {
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out.data[out.off + i * out.row + j * out.col] = 0;
}
