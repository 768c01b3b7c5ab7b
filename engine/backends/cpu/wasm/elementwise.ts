/**
 * Float32 elementwise ops as WebAssembly SIMD loops, four lanes at a time. V8 runs a JavaScript loop
 * over Float32Arrays with a float32→float64 conversion per load and back per store; these loops do
 * one f32x4 instruction per four elements.
 *
 * The operands are copied into the module's memory and the result out of it a chunk at a time, so
 * the three slots stay in the cache and a large op reads and writes its tensors once, as a
 * JavaScript loop would. Copying row by row, an operand may be any view whose rows run with stride
 * 1 or 0 (a value broadcast along the row, written out with fill): [N, N] − [N, 1] and
 * [N, 1] + [1, N] take this path too.
 *
 * Results are bit-identical to the JavaScript kernels: +, −, ×, ÷ and √ of float32 values done in
 * float64 and rounded once to float32 give the correctly rounded float32 result (float64 carries
 * more than twice float32's precision), which is what f32x4 computes. ReLU keeps NaN and maps −0
 * to +0, as the JavaScript expression does; ReLU's backward (grad where y > 0, else +0) is a bit
 * mask giving the JavaScript select's bits.
 */
import type { View } from '../../../backend/types.ts';
import { cpuData } from '../buffer.ts';
import { contiguous, forEachRow, innermost } from '../strided.ts';
import { FunctionBuilder, moduleBytes } from './emit.ts';
import { growTo, instantiate, type WasmMemory } from './instance.ts';

export type SimdBinaryOp = 'add' | 'sub' | 'mul' | 'div';
export type SimdUnaryOp = 'neg' | 'abs' | 'sqrt' | 'relu';
/** ReLU's backward, out = y > 0 ? grad : 0 (operands grad, y). */
type ReluBackwardOp = 'relu-backward';
type Op = SimdBinaryOp | SimdUnaryOp | ReluBackwardOp;

const BINARY: ReadonlySet<string> = new Set<SimdBinaryOp>(['add', 'sub', 'mul', 'div']);
const UNARY: ReadonlySet<string> = new Set<SimdUnaryOp>(['neg', 'abs', 'sqrt', 'relu']);

export function isSimdBinary(op: string): op is SimdBinaryOp {
  return BINARY.has(op);
}
export function isSimdUnary(op: string): op is SimdUnaryOp {
  return UNARY.has(op);
}

/** Elements per slot and pass: three 32 KiB slots (two operands, the result) fit in a core's cache. */
export const CHUNK = 8192;
/** Rows shorter than this cost more in per-row copies than the SIMD loop saves. */
const MIN_ROW = 32;

/** run(a, b, out, end): out[i] = op(a[i], b[i]) for out < end, 16 bytes a step (b unread by unary ops). */
type Run = (a: number, b: number, out: number, end: number) => void;

function moduleFor(op: Op): Uint8Array {
  const f = new FunctionBuilder(['a', 'b', 'out', 'end']);
  f.local('y', 'v128');
  const binary = isSimdBinary(op);
  f.loop((body) => {
    body.get('out');
    if (binary) {
      body.get('a').v128Load().get('b').v128Load();
      body.simdOp(op);
    } else if (op === 'relu-backward') {
      // grad & (y > 0): grad's bits where y is positive, +0 elsewhere (NaN y included).
      body.get('a').v128Load().get('b').v128Load().v128Zero().f32x4Gt().v128And();
    } else if (op === 'relu') {
      // x & (x > 0 | x ≠ x): keeps positives and NaN, zero otherwise (−0 included).
      body.get('a').v128Load().tee('y').get('y').v128Zero().f32x4Gt();
      body.get('y').get('y').f32x4Ne().v128Or().v128And();
    } else {
      body.get('a').v128Load().simdOp(op);
    }
    body.v128Store();
    body.addTo('a', 16).addTo('b', 16).addTo('out', 16);
    body.get('out').get('end').i32Ne().brIf(0);
  });
  return moduleBytes('run', f, 'memory');
}

interface Kernel {
  run: Run;
  memory: WasmMemory;
}

const kernels = new Map<Op, Kernel | null>();

function load(op: Op): Kernel | null {
  const cached = kernels.get(op);
  if (cached !== undefined) return cached;
  const module = instantiate(moduleFor(op));
  const kernel = module && { run: module.exports.run as Run, memory: module.memory };
  kernels.set(op, kernel);
  return kernel;
}

/**
 * out = op(operands…) for a contiguous float32 `out` and float32 operands broadcast to its shape
 * (one operand for a unary op, two for a binary one). False (nothing done) where WebAssembly SIMD
 * is unavailable or the operands do not suit `streamChunks`.
 */
export function wasmElementwise(op: Op, operands: readonly View[], out: View): boolean {
  const k = load(op);
  if (k === null) return false;
  return streamChunks(k.memory, operands, out, 2, (bytes) => k.run(0, CHUNK * 4, 2 * CHUNK * 4, 2 * CHUNK * 4 + bytes));
}

/**
 * run(a, b, out, end, rowBytes): out = a + b, with b one row of rowBytes (whole 16-byte groups)
 * added to every row of a, until out reaches end.
 */
function addRowModule(): Uint8Array {
  const f = new FunctionBuilder(['a', 'b', 'out', 'end', 'rowBytes']);
  f.local('q', 'i32');
  f.local('qEnd', 'i32');
  f.get('b').get('rowBytes').i32Add().set('qEnd');
  f.loop((rows) => {
    rows.get('b').set('q');
    rows.loop((body) => {
      body.get('out').get('a').v128Load().get('q').v128Load().f32x4Add().v128Store();
      body.addTo('a', 16).addTo('q', 16).addTo('out', 16);
      body.get('q').get('qEnd').i32Ne().brIf(0);
    });
    rows.get('out').get('end').i32Ne().brIf(0);
  });
  return moduleBytes('run', f, 'memory');
}

let addRowKernel: { run: (...args: number[]) => void; memory: WasmMemory } | null | undefined;

/**
 * O[oo + i·cols + j] = A[ao + i·cols + j] + B[bo + j] for float32 arrays, a chunk of whole rows at a
 * time: the row of B is copied into the module's memory once, each chunk of A in one copy and the
 * result out in one (Linear's bias add; the JavaScript loop converted every element to a double and
 * back). cols must be a multiple of 4, at most CHUNK. False (nothing done) where WebAssembly SIMD is
 * unavailable.
 */
export function wasmAddRow(
  A: Float32Array,
  ao: number,
  B: Float32Array,
  bo: number,
  O: Float32Array,
  oo: number,
  rows: number,
  cols: number,
): boolean {
  if (addRowKernel === undefined) {
    const module = instantiate(addRowModule());
    addRowKernel = module && { run: module.exports.run as (...args: number[]) => void, memory: module.memory };
  }
  const k = addRowKernel;
  if (k === null) return false;
  growTo(k.memory, 3 * CHUNK * 4);
  const heap = new Float32Array(k.memory.buffer);
  heap.set(B.subarray(bo, bo + cols), 0);
  const perChunk = Math.floor(CHUNK / cols);
  for (let i = 0; i < rows; i += perChunk) {
    const n = Math.min(perChunk, rows - i) * cols;
    const from = ao + i * cols;
    heap.set(A.subarray(from, from + n), CHUNK);
    k.run(CHUNK * 4, 0, 2 * CHUNK * 4, 2 * CHUNK * 4 + n * 4, cols * 4);
    O.set(heap.subarray(2 * CHUNK, 2 * CHUNK + n), oo + i * cols);
  }
  return true;
}

/**
 * Streams float32 operands through a kernel's memory a chunk at a time: operand i is copied to slot
 * i (CHUNK elements from byte i·CHUNK·4), `run(bytes)` computes the chunk into slot `outSlot` (its
 * length rounded up to whole 16-byte steps) and the result is copied out. False (nothing done)
 * where an operand's rows are neither contiguous nor broadcast, or too short, or where an operand
 * reads memory that `out` writes at another place (the JavaScript loop defines what that does).
 */
export function streamChunks(
  memory: WasmMemory,
  operands: readonly View[],
  out: View,
  outSlot: number,
  run: (bytes: number) => void,
): boolean {
  const n = out.shape.reduce((a, b) => a * b, 1);
  const scalar = operands.map((v) => v.strides.every((s) => s === 0));
  const whole = operands.every((v, i) => scalar[i] || contiguous(v));
  const shape = whole ? [n] : out.shape;
  const cols = shape.at(-1) ?? 1;
  const steps = operands.map((v, i) => (scalar[i] ? 0 : whole ? 1 : innermost(v.shape, v.strides)[1]));
  if (steps.some((s) => s !== 0 && s !== 1) || (!whole && cols < MIN_ROW)) return false;
  if (operands.some((v) => v.buffer === out.buffer && !(contiguous(v) && v.offset === out.offset))) return false;
  growTo(memory, (outSlot + 1) * CHUNK * 4);
  const heap = new Float32Array(memory.buffer);
  const sources = operands.map((v) => cpuData(v) as Float32Array);
  const target = cpuData(out) as Float32Array;
  let filled = 0;
  let written = out.offset;
  // Each operand's copy in is deferred while its rows follow on from each other in its array (a
  // contiguous operand: one copy per chunk), and a row that repeats the one before (a broadcast
  // operand) is copied within the module's memory: a copy per row made a subarray per row, 128 for
  // the MNIST MLP's bias add, garbage for the collector. The same values land in the same places.
  const k = sources.length;
  const runSrc = new Array<number>(k).fill(0);
  const runAt = new Array<number>(k).fill(0);
  const runLen = new Array<number>(k).fill(0);
  const lastSrc = new Array<number>(k).fill(-1);
  const lastAt = new Array<number>(k).fill(0);
  const lastLen = new Array<number>(k).fill(0);
  const copyRun = (i: number): void => {
    const len = runLen[i]!;
    if (len === 0) return;
    const src = runSrc[i]!;
    heap.set(sources[i]!.subarray(src, src + len), runAt[i]);
    runLen[i] = 0;
  };
  const flush = (): void => {
    for (let i = 0; i < k; i++) {
      copyRun(i);
      lastSrc[i] = -1; // the slot is refilled from its start: nothing in it to repeat
    }
    run(Math.ceil(filled / 4) * 16);
    target.set(heap.subarray(outSlot * CHUNK, outSlot * CHUNK + filled), written);
    written += filled;
    filled = 0;
  };
  const row = (offsets: readonly number[]): void => {
    for (let j = 0; j < cols;) {
      const len = Math.min(cols - j, CHUNK - filled);
      for (let i = 0; i < k; i++) {
        const at = i * CHUNK + filled;
        const src = offsets[i]! + j;
        if (steps[i] === 0) {
          heap.fill(sources[i]![offsets[i]!]!, at, at + len);
        } else if (runLen[i]! > 0 && runSrc[i]! + runLen[i]! === src && runAt[i]! + runLen[i]! === at) {
          runLen[i]! += len;
        } else if (lastSrc[i] === src && lastLen[i] === len) {
          copyRun(i);
          heap.copyWithin(at, lastAt[i]!, lastAt[i]! + len);
        } else {
          copyRun(i);
          runSrc[i] = src;
          runAt[i] = at;
          runLen[i] = len;
        }
        lastSrc[i] = src;
        lastAt[i] = at;
        lastLen[i] = len;
      }
      filled += len;
      j += len;
      if (filled === CHUNK) flush();
    }
  };
  const offsets = operands.map((v) => v.offset);
  if (whole) row(offsets);
  else
    forEachRow(
      shape,
      operands.map((v) => v.strides),
      offsets,
      row,
    );
  if (filled > 0) flush();
  return true;
}
