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
import { gemmModuleBytes, MR, NR, type Gemm } from './kernel.ts';

/** kernel.ts's gemmEdges: gemm's arguments, then the real rows of the last A tile and vectors of the last B panel. */
type GemmEdges = (...args: [...Parameters<Gemm>, rows: number, vecs: number]) => void;
import { CONTROL_BYTES, GemmPool } from './threads.ts';

type Pack = (src: number, rs: number, ks: number, K: number, dst: number, rows?: number) => void;
type Compact = (c: number, ldc: number, cols: number, rows: number) => void;

interface Kernel {
  gemm: GemmEdges;
  /** Packs one full tile of A (MR rows), and of B (NR columns); the edge ones a last partial tile. */
  pack: Pack;
  packB: Pack;
  packEdge: Pack;
  packEdgeB: Pack;
  compact: Compact;
  memory: WasmMemory;
  /** Float32Array over memory.buffer; replaced after every grow (growing detaches the old buffer). */
  heap: Float32Array;
  /** The first float of the scratch (a shared memory starts with the worker threads' control block). */
  base: number;
  /**
   * gemm with its multiply-adds (`work`) last, on several threads where a pool shares the memory;
   * with `packB`, B's panels are first packed from that staged block, each by the thread that uses it.
   */
  run: (...args: [...Parameters<GemmEdges>, work: number, packB: StagedB | null]) => void;
  /**
   * Whether run() packs B (the pool's kernel): B then stays staged in a region of its own until
   * run(), where one thread packs it at once into the region A is staged in next.
   */
  sharesPacking: boolean;
}

/**
 * A block of B staged in the module's memory (byte address and byte strides of element (column, k)),
 * `cols` columns wide, whose NR-wide panels gemm's B argument is to hold once packed.
 */
export interface StagedB {
  src: number;
  rs: number;
  ks: number;
  cols: number;
}

let kernel: Kernel | null | undefined;
/** The shared-memory kernel and its worker pool, made on the first setMatmulThreads(n > 1). */
let shared: Kernel | null | undefined;
let pool: GemmPool | null = null;
let threads = 1;

/** Shared memories declare a maximum; this one (1 GiB) is address space, not memory, until used. */
const SHARED_MAX_PAGES = 16384;

function instantiateKernel(sharedMemory: boolean): Kernel | null {
  const bytes = gemmModuleBytes('f32', sharedMemory ? SHARED_MAX_PAGES : undefined);
  const module = instantiate(bytes, sharedMemory ? SHARED_MAX_PAGES : undefined);
  if (module === null) return null;
  const { exports, memory } = module;
  const gemm = exports.gemmEdges as GemmEdges;
  const k: Kernel = {
    gemm,
    pack: exports.pack as Pack,
    packB: exports.packB as Pack,
    packEdge: exports.packEdge as Pack,
    packEdgeB: exports.packEdgeB as Pack,
    compact: exports.compact as Compact,
    memory,
    heap: new Float32Array(memory.buffer),
    base: sharedMemory ? CONTROL_BYTES / 4 : 0,
    run: (a, b, c, mTiles, nTiles, K, ldc, acc, rows, vecs) => gemm(a, b, c, mTiles, nTiles, K, ldc, acc, rows, vecs),
    sharesPacking: false,
  };
  if (sharedMemory) {
    growTo(memory, CONTROL_BYTES);
    k.heap = new Float32Array(memory.buffer);
    k.sharesPacking = true;
    pool = new GemmPool(bytes, memory, gemm, k.packB, k.packEdgeB, NR);
    const p = pool;
    // prettier-ignore
    k.run = (a, b, c, mTiles, nTiles, K, ldc, acc, rows, vecs, work, packB) =>
      p.run(a, b, c, mTiles, nTiles, K, ldc, acc, rows, vecs, 4 * NR * K, 4 * NR, work, threads, packB);
  }
  return k;
}

function load(): Kernel | null {
  if (kernel === undefined) kernel = instantiateKernel(false);
  return kernel;
}

/** The kernel for the current thread count: one with a shared memory and a pool above one thread. */
function current(): Kernel | null {
  return threads > 1 && shared ? shared : load();
}

/**
 * Threads for large float32 products (the calling one included). Above one, the kernel moves to a
 * shared memory with threads − 1 workers; where shared memory is not available it stays on one.
 */
export function setMatmulThreads(n: number): void {
  threads = n;
  if (n > 1 && shared === undefined) {
    try {
      shared = instantiateKernel(true);
    } catch {
      shared = null; // no shared WebAssembly memory (or no worker threads) here
    }
  }
  pool?.grow(n);
}

/** Threads that would share a large product now: the calling one and the workers started so far. */
export function matmulThreadsReady(): number {
  return threads > 1 && pool ? 1 + Math.min(threads - 1, pool.ready()) : 1;
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
 * The blocking (GotoBLAS/BLIS): K is cut into blocks of at most K_BLOCK so that one packed B panel
 * (K_BLOCK × NR floats, ≤ 32 KiB) stays in L1 while the A tiles stream past it, and a block of A
 * rows (≤ A_BLOCK_BYTES) stays in L2 while every B panel of the column block sweeps it. Blocks of K
 * are balanced (1600 = 2 × 800, not 1024 + 576). The MLP's K = 784 stays one block: splitting it
 * measured no faster, and costs a second staging of each operand and a reload of C.
 */
const K_BLOCK = 1024;
const A_BLOCK_BYTES = 256 * 1024;
/** B columns packed at a time (kc × nc floats ≤ B_BLOCK_BYTES, a few MiB in L3). */
const B_BLOCK_BYTES = 4 * 1024 * 1024;
/**
 * C's scratch holds all M rows of one column block while K's blocks accumulate into it; 1 MiB, so
 * it stays in L2/L3 rather than streaming to memory and back once per block of K. With K in one
 * block only the current A block's rows are live (each goes out as soon as computed), so the bound
 * allows wider column blocks: every column block packs all of A again, and n = 512 made one of
 * 504 columns and one of 8 (that one on a single thread).
 */
const C_BLOCK_FLOATS = 256 * 1024;

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
  const k = current();
  if (k === null) throw new Error('WebAssembly SIMD is not available');
  if (K === 0) {
    fillZero(out, M, N);
    return false;
  }
  const kBlocks = Math.ceil(K / K_BLOCK);
  const kc = Math.ceil(K / kBlocks);
  const mp = roundUp(M, MR);
  const mc = Math.min(mp, Math.max(MR, Math.floor(A_BLOCK_BYTES / (4 * kc * MR)) * MR));
  const cRows = kBlocks === 1 ? mc : mp;
  const ncMax = Math.min(B_BLOCK_BYTES / (4 * kc), C_BLOCK_FLOATS / cRows);
  const nc = Math.min(roundUp(N, NR), Math.max(NR, Math.floor(ncMax / NR) * NR));
  // Memory layout (f32 indices): packed B block at base, packed A block after it, then C (cRows ×
  // nc at most: its rows are the column block's width rounded up to a vector), then room for the staged source blocks stage() copies in (each with the float past its
  // end that the 3-wide pack reads and discards, and one to keep it 8-byte aligned): A's, and B's
  // in the same place unless run() packs B, after A's then.
  const bBase = k.base;
  const aBase = bBase + nc * kc;
  const cBase = aBase + mc * kc;
  const srcBase = cBase + cRows * nc;
  const bSrcBase = k.sharesPacking ? srcBase + 2 * mc * kc + 8 : srcBase;
  reserve(k, Math.max(srcBase + 2 * mc * kc, bSrcBase + 2 * nc * kc) + 8);
  const A = a.data as Float32Array;
  const B = b.data as Float32Array;
  for (let j0 = 0; j0 < N; j0 += nc) {
    const nb = Math.min(nc, N - j0);
    const nTiles = roundUp(nb, NR) / NR;
    // C's rows hold the block's columns to the next multiple of 4 (the kernel stores whole vectors).
    const ldc = roundUp(nb, 4);
    const vecs = (ldc - (nTiles - 1) * NR) / 4;
    for (let p0 = 0; p0 < K; p0 += kc) {
      const kb = Math.min(kc, K - p0);
      const bOff = b.off + j0 * b.col + p0 * b.row;
      const staged = bIsPacked ? null : stage(k, B, bOff, b.col, b.row, nb, kb, NR, bBase, bSrcBase);
      if (staged && !k.sharesPacking) packPanels(k.packB, k.packEdgeB, staged, 4 * bBase, kb, nTiles, NR);
      // Or the first A block's gemm packs them, on the threads that share it.
      let stagedB = k.sharesPacking ? staged : null;
      for (let i0 = 0; i0 < M; i0 += mc) {
        const mb = Math.min(mc, M - i0);
        const mTiles = roundUp(mb, MR) / MR;
        const stagedA = stage(k, A, a.off + i0 * a.row + p0 * a.col, a.row, a.col, mb, kb, MR, aBase, srcBase);
        if (stagedA) packPanels(k.pack, k.packEdge, stagedA, 4 * aBase, kb, mTiles, MR);
        const c = cBase + (kBlocks === 1 ? 0 : i0 * ldc);
        const rows = mb - (mTiles - 1) * MR;
        // prettier-ignore
        k.run(4 * aBase, 4 * bBase, 4 * c, mTiles, nTiles, kb, 4 * ldc, p0, rows, vecs, mb * nb * kb, stagedB);
        stagedB = null;
        if (kBlocks === 1) copyOut(k, c, ldc, out, out.off + i0 * out.row + j0 * out.col, mb, nb, round);
      }
    }
    if (kBlocks > 1) copyOut(k, cBase, ldc, out, out.off + j0 * out.col, M, nb, round);
  }
  return nc >= N && kBlocks === 1;
}

/**
 * Shortest line worth its own memcpy when staging a sparse block or copying rows of C out: below
 * it, the call's fixed cost (a subarray view and a set, ~0.1 µs) beats a JavaScript loop over them.
 */
const MIN_LINE = 64;

/**
 * Copies a block (element (r, k) at off + r·rowStride + k·kStride) into the module's memory at
 * srcBase (it needs 2·rows·K + 2 floats there), for its pack functions to lay out as tiles of
 * `width` rows: one memcpy of the whole span where the block is dense (at most twice its size; a
 * whole array without a subarray view), else one per line along whichever stride is 1 (a K block
 * of a row-major A, a column block of a row-major B). Returns where it put it, or null where
 * neither works: then the JavaScript pack has laid out the tiles at base itself, from the source.
 */
// prettier-ignore
function stage(
  k: Kernel, src: Float32Array, off: number, rowStride: number, kStride: number, rows: number, K: number,
  width: typeof MR | typeof NR, base: number, srcBase: number,
): StagedB | null {
  const heap = k.heap;
  const span = (rows - 1) * rowStride + (K - 1) * kStride + 1;
  // A copy into a shared memory moves 8 bytes at a time only where source and destination are
  // equally aligned mod 8, else byte by byte (~7× slower): the staged block starts on the source's
  // alignment, and its lines keep the source's stride mod 2 floats.
  const base0 = srcBase + (((src.byteOffset >> 2) + off - srcBase) & 1);
  let rs = rowStride;
  let ks = kStride;
  if (rowStride >= 0 && kStride >= 0 && span <= 2 * rows * K && off + span <= src.length) {
    heap.set(off === 0 && span === src.length ? src : src.subarray(off, off + span), base0);
  } else if (kStride === 1 && K >= MIN_LINE) {
    rs = K + ((rowStride - K) & 1);
    for (let r = 0, o = off; r < rows; r++, o += rowStride) heap.set(src.subarray(o, o + K), base0 + r * rs);
  } else if (rowStride === 1 && rows >= MIN_LINE) {
    ks = rows + ((kStride - rows) & 1);
    for (let q = 0, o = off; q < K; q++, o += kStride) heap.set(src.subarray(o, o + rows), base0 + q * ks);
  } else {
    pack(src, off, rowStride, kStride, rows, K, width, heap, base);
    return null;
  }
  return { src: 4 * base0, rs: 4 * rs, ks: 4 * ks, cols: rows };
}

/**
 * Lays out a staged block as `tiles` tiles of `width` rows (the pack functions' width) at byte
 * address `dst`, each K·width floats; the last, partial one zero-padded (by packEdge).
 */
// prettier-ignore
function packPanels(
  packTile: Pack, packEdge: Pack, staged: StagedB, dst: number, K: number, tiles: number, width: number,
): void {
  const { src, rs, ks, cols } = staged;
  for (let t = 0; t < tiles; t++) {
    const r = t * width;
    if (r + width <= cols) packTile(src + r * rs, rs, ks, K, dst + 4 * t * K * width);
    else packEdge(src + r * rs, rs, ks, K, dst + 4 * t * K * width, cols - r);
  }
}

/**
 * Copies `rows` rows (element (r, k) at off + r·rowStride + k·kStride) into tiles of `width` rows
 * at dst[base …], each tile k-major: dst[base + t·K + k·width + r] for the tile starting at row t.
 * Rows past the end are zero-filled so the kernel always computes full tiles. B is packed as Bᵀ.
 * Only blocks that stage() cannot copy come here (neither stride 1): the module packs the rest.
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
    packPartial(src, off + t * rowStride, rowStride, kStride, Math.min(width, rows - t), K, width, dst, base + t * K);
  }
}

/** One tile, with `full` ≤ width real rows. */
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
  k: Kernel,
  c: number,
  ldc: number,
  out: Matrix,
  o: number,
  rows: number,
  cols: number,
  round: ((x: number) => number) | null,
): void {
  const { data: O, row: oRow, col: oCol } = out;
  if (!round && oCol === 1 && oRow === cols) {
    // out's rows are back to back: C's close up in place and leave in one copy (a copy per row
    // made a subarray each, 260 a training step of the MNIST MLP, garbage for the collector).
    if (cols !== ldc && rows > 1) k.compact(4 * c, 4 * ldc, 4 * cols, rows);
    O.set(k.heap.subarray(c, c + rows * cols), o);
    return;
  }
  const heap = k.heap;
  for (let r = 0; r < rows; r++, c += ldc, o += oRow) {
    if (oCol === 1 && !round && cols >= MIN_LINE) {
      O.set(heap.subarray(c, c + cols), o);
    } else {
      for (let j = 0, p = o; j < cols; j++, p += oCol) O[p] = round ? round(heap[c + j]!) : heap[c + j]!;
    }
  }
}

function fillZero(out: Matrix, M: number, N: number): void {
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out.data[out.off + i * out.row + j * out.col] = 0;
}
