/**
 * CPU matmul: packed panels and a register-tiled micro-kernel (the GotoBLAS scheme), in two
 * implementations behind one driver:
 *
 * - float32 and float16: a WebAssembly SIMD kernel (wasm/kernel.ts, wasm/matmul.ts), summing in
 *   float32 as PyTorch does, about 10× the JavaScript kernel. Used wherever WebAssembly SIMD
 *   validates, except for products so small that the call and copy overhead dominates.
 * - float64 (and float32/float16 without WebAssembly SIMD): the JavaScript kernel below.
 *   V8 does not vectorise, so speed comes from keeping a tile of C in local variables (registers)
 *   and doing as many multiply-adds per load as the 16 xmm registers allow. Both operands are first
 *   copied into contiguous Float64Array panels laid out in exactly the order the micro-kernel reads
 *   them; after that, every layout (transposed, broadcast, sliced) runs the same fast loop, and the
 *   copy costs O(MK + KN) against O(MNK) arithmetic. Each C element is summed from zero over
 *   k = 0…K-1 in order, in float64, with no K-splitting: float64 results are bit-identical to the
 *   naive triple loop, and float32/float16 results are that double-precision sum rounded once.
 * - int32: a plain triple loop with wraparound.
 */
import type { View } from '../../backend/types.ts';
import { storeRounding, type HostArray } from '../../dtype.ts';
import { cpuData } from './buffer.ts';
import { wasmFloatMatmul, wasmSimdAvailable } from './wasm/matmul.ts';

/**
 * Tile height and width. Measured alone, tiles from 3×4 to 8×4, 4×8 and 6×6 all ran 4.5–5.0
 * GFLOP/s: the limit is V8's bounds check and index arithmetic per load, not registers (and k-loop
 * unrolling made it slower). 4×4 is as fast as any and pads least on the MNIST MLP, where 4
 * divides every dimension except the 10 classes. Panels are float64 for every float dtype: float64
 * loads skip a conversion, and one array type keeps the kernel monomorphic.
 */
const MR = 4;
const NR = 4;

/** Rows of A packed at a time: ~256 KiB of packed A stays in L2 while B's column panels stream. */
const A_BLOCK_BYTES = 256 * 1024;
/** Columns of B packed at a time: bounds the scratch at a few MiB for large matrices. */
const B_BLOCK_BYTES = 4 * 1024 * 1024;

// Grow-only scratch, reused by every call: packing allocates nothing in steady state.
let packedA: Float64Array = new Float64Array(0);
let packedB: Float64Array = new Float64Array(0);
const tile = new Float64Array(MR * NR);

function scratch(current: Float64Array, length: number): Float64Array {
  return current.length >= length ? current : new Float64Array(length);
}

/** One batch's matrix: element (r, c) at data[off + r·row + c·col]. */
export interface Matrix {
  data: HostArray;
  off: number;
  row: number;
  col: number;
}

/**
 * Below this many multiply-adds (M·N·K) a float32 product stays in JavaScript: the WebAssembly
 * path's fixed costs (call, packing into wasm memory, copying C out) outweigh its faster loop.
 * Measured crossover: JS 1.8 µs vs wasm 2.0 µs at 8×8×8, wasm ahead from about 16×8×16.
 */
const WASM_MIN_WORK = 1024;

/** Which float kernel runs: chosen per call by default; benchmarks and tests may force one. */
export type FloatKernel = 'js' | 'wasm';

export function matmul(a: View, b: View, out: View, kernel?: FloatKernel): void {
  const rank = out.shape.length;
  const M = out.shape[rank - 2]!;
  const N = out.shape[rank - 1]!;
  const K = a.shape[a.shape.length - 1]!;
  const dtype = out.buffer.dtype;
  if (dtype === 'bool') throw new Error("matmul is not implemented for 'bool'");
  const round = storeRounding(dtype);

  const batchRank = rank - 2;
  let batches = 1;
  for (let d = 0; d < batchRank; d++) batches *= out.shape[d]!;
  if (batches === 0 || M === 0 || N === 0) return;
  const float32 = dtype === 'float32' || round !== null;
  if (kernel === 'wasm' && !float32) throw new Error(`the WebAssembly matmul kernel is float32 only (got '${dtype}')`);
  const wasm =
    kernel === 'wasm' || (kernel === undefined && float32 && M * N * K >= WASM_MIN_WORK && wasmSimdAvailable());
  const floatMatmul = wasm ? wasmFloatMatmul : jsFloatMatmul;

  const am = matrix(a);
  const bm = matrix(b);
  const om = matrix(out);
  const int = dtype === 'int32' || dtype === 'int8';
  // One product (every matmul of an MLP) makes none of the batch loop's arrays.
  if (batchRank === 0) {
    if (int) intMatmul(am, bm, om, M, N, K);
    else floatMatmul(am, bm, false, om, round, M, N, K);
    return;
  }
  const operands = [am, bm, om] as const;
  const strides = [batchStrides(a, batchRank), batchStrides(b, batchRank), batchStrides(out, batchRank)] as const;

  const index = new Array<number>(batchRank).fill(0);
  let packedBOff = -1;
  for (let batch = 0; batch < batches; batch++) {
    if (int) {
      intMatmul(am, bm, om, M, N, K);
    } else {
      // A broadcast B (same offset as the batch before) is packed once for the whole batch.
      const packed = floatMatmul(am, bm, bm.off === packedBOff, om, round, M, N, K);
      packedBOff = packed ? bm.off : -1;
    }
    for (let d = batchRank - 1; d >= 0; d--) {
      const wrap = ++index[d]! === out.shape[d]!;
      if (wrap) index[d] = 0;
      for (let x = 0; x < 3; x++) operands[x].off += strides[x][d]! * (wrap ? 1 - out.shape[d]! : 1);
      if (!wrap) break;
    }
  }
}

// Top-level rather than closures in matmul(): a product of the MLP's second layer takes a few µs,
// and closures made per call (each wrapped by the TypeScript loader's name helper) were a share of it.

/** A view's batch strides for `batchRank` batch dims: missing leading dims broadcast (stride 0). */
function batchStrides(v: View, batchRank: number): number[] {
  const lead = v.shape.length - 2 - batchRank;
  const out = new Array<number>(batchRank);
  for (let d = 0; d < batchRank; d++) out[d] = d + lead >= 0 ? v.strides[d + lead]! : 0;
  return out;
}

function matrix(v: View): Matrix {
  const r = v.strides.length;
  return { data: cpuData(v), off: v.offset, row: v.strides[r - 2]!, col: v.strides[r - 1]! };
}

/**
 * One [M, K] × [K, N] product in blocks: a block of B's columns is packed, then for each block of
 * A's rows every MR×NR tile is computed, walking A's tiles under one B panel so that panel stays
 * in L1. Returns whether packedB now holds all of B (so a broadcast B need not be packed again).
 */
function jsFloatMatmul(
  a: Matrix,
  b: Matrix,
  bIsPacked: boolean,
  out: Matrix,
  round: ((x: number) => number) | null,
  M: number,
  N: number,
  K: number,
): boolean {
  const kk = Math.max(K, 1);
  const mc = Math.max(MR, Math.floor(A_BLOCK_BYTES / (8 * kk * MR)) * MR);
  const nc = Math.max(NR, Math.floor(B_BLOCK_BYTES / (8 * kk * NR)) * NR);
  packedA = scratch(packedA, Math.min(mc, roundUp(M, MR)) * K);
  packedB = scratch(packedB, Math.min(nc, roundUp(N, NR)) * K);
  const { data: O, row: oRow, col: oCol } = out;
  for (let j0 = 0; j0 < N; j0 += nc) {
    const nb = Math.min(nc, N - j0);
    if (!bIsPacked) pack(b.data, b.off + j0 * b.col, b.col, b.row, nb, K, NR, packedB);
    for (let i0 = 0; i0 < M; i0 += mc) {
      const mb = Math.min(mc, M - i0);
      pack(a.data, a.off + i0 * a.row, a.row, a.col, mb, K, MR, packedA);
      for (let j = 0; j < nb; j += NR) {
        for (let i = 0; i < mb; i += MR) {
          const o = out.off + (i0 + i) * oRow + (j0 + j) * oCol;
          const rows = Math.min(MR, mb - i);
          const cols = Math.min(NR, nb - j);
          // Full tiles go straight to out; edge tiles and 2-byte floats go through `tile` to be clipped/rounded.
          if (rows === MR && cols === NR && !round) {
            kernel(packedA, i * K, packedB, j * K, K, O, o, oRow, oCol);
          } else {
            kernel(packedA, i * K, packedB, j * K, K, tile, 0, NR, 1);
            store(O, o, oRow, oCol, rows, cols, round);
          }
        }
      }
    }
  }
  return nc >= N;
}

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

/**
 * Copies `rows` rows (element (r, k) at off + r·rowStride + k·kStride) into tiles of `width` rows,
 * each tile stored k-major: dst[t·width·K + k·width + r]. Rows past the end are zero-filled so the
 * kernel always computes full tiles. B is packed through the same routine as Bᵀ.
 */
function pack(
  src: HostArray,
  off: number,
  rowStride: number,
  kStride: number,
  rows: number,
  K: number,
  width: number,
  dst: Float64Array,
): void {
  for (let t = 0; t < rows; t += width) {
    const full = Math.min(width, rows - t);
    const base = t * K;
    // Walk whichever of (row, k) is closer together in memory innermost.
    if (Math.abs(rowStride) <= Math.abs(kStride)) {
      for (let k = 0; k < K; k++) {
        let s = off + t * rowStride + k * kStride;
        let d = base + k * width;
        for (let r = 0; r < full; r++, s += rowStride) dst[d++] = src[s]!;
        for (let r = full; r < width; r++) dst[d++] = 0;
      }
    } else {
      for (let r = 0; r < width; r++) {
        let d = base + r;
        if (r < full) {
          let s = off + (t + r) * rowStride;
          for (let k = 0; k < K; k++, s += kStride, d += width) dst[d] = src[s]!;
        } else {
          for (let k = 0; k < K; k++, d += width) dst[d] = 0;
        }
      }
    }
  }
}

/**
 * The MR×NR tile of C at C[c + r·cRow + j·cCol] = packed A tile × packed B panel, summed over k in
 * order (laid out as a grid so the tile's shape is visible).
 */
// prettier-ignore
function kernel(
  A: Float64Array, ai: number, B: Float64Array, bi: number, K: number,
  C: HostArray, c: number, cRow: number, cCol: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let k = 0; k < K; k++) {
    const a0 = A[ai]!, a1 = A[ai + 1]!, a2 = A[ai + 2]!, a3 = A[ai + 3]!;
    let b = B[bi]!;
    c00 += a0 * b; c10 += a1 * b; c20 += a2 * b; c30 += a3 * b;
    b = B[bi + 1]!;
    c01 += a0 * b; c11 += a1 * b; c21 += a2 * b; c31 += a3 * b;
    b = B[bi + 2]!;
    c02 += a0 * b; c12 += a1 * b; c22 += a2 * b; c32 += a3 * b;
    b = B[bi + 3]!;
    c03 += a0 * b; c13 += a1 * b; c23 += a2 * b; c33 += a3 * b;
    ai += MR;
    bi += NR;
  }
  const c1 = cCol, c2 = 2 * cCol, c3 = 3 * cCol;
  C[c] = c00; C[c + c1] = c01; C[c + c2] = c02; C[c + c3] = c03;
  c += cRow;
  C[c] = c10; C[c + c1] = c11; C[c + c2] = c12; C[c + c3] = c13;
  c += cRow;
  C[c] = c20; C[c + c1] = c21; C[c + c2] = c22; C[c + c3] = c23;
  c += cRow;
  C[c] = c30; C[c + c1] = c31; C[c + c2] = c32; C[c + c3] = c33;
}

/** Writes the valid rows × cols corner of `tile` into out (edge tiles are partial). */
function store(
  O: HostArray,
  off: number,
  oRow: number,
  oCol: number,
  rows: number,
  cols: number,
  round: ((x: number) => number) | null,
): void {
  for (let r = 0; r < rows; r++) {
    let o = off + r * oRow;
    for (let c = 0; c < cols; c++, o += oCol) {
      const v = tile[r * NR + c]!;
      O[o] = round ? round(v) : v;
    }
  }
}

/** Integer matmul with int32 wraparound (int8 outputs wrap again on store), as torch does; no fast path. */
function intMatmul(a: Matrix, b: Matrix, out: Matrix, M: number, N: number, K: number): void {
  const { data: A, col: aCol } = a;
  const { data: B, row: bRow } = b;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      let p = a.off + i * a.row;
      let q = b.off + j * b.col;
      for (let k = 0; k < K; k++, p += aCol, q += bRow) sum = (sum + Math.imul(A[p]!, B[q]!)) | 0;
      out.data[out.off + i * out.row + j * out.col] = sum;
    }
  }
}
