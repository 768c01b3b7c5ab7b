/** Elementwise kernels: one JavaScript expression per op, compiled into strided loops. */
import type { BinaryOp, UnaryOp, View } from '../../backend/types.ts';
import { isHalfPrecision, type DType } from '../../dtype.ts';
import { cpuData, makeCpuBuffer } from './buffer.ts';
import { contiguous, elementwise } from './strided.ts';
import { CHUNK, isSimdBinary, isSimdUnary, wasmAddRow, wasmElementwise } from './wasm/elementwise.ts';

// Math.round rounds half up; torch.round rounds half to even.
const roundHalfEven = '(Math.abs(v0 % 1) === 0.5 ? 2 * Math.round(v0 / 2) : Math.round(v0))';

export const unaryExpr: Readonly<Record<UnaryOp, string>> = {
  identity: 'v0',
  neg: '-v0',
  abs: 'Math.abs(v0)',
  sign: '(v0 > 0 ? 1 : v0 < 0 ? -1 : v0)',
  exp: 'Math.exp(v0)',
  log: 'Math.log(v0)',
  sqrt: 'Math.sqrt(v0)',
  rsqrt: '1 / Math.sqrt(v0)',
  reciprocal: '1 / v0',
  sin: 'Math.sin(v0)',
  cos: 'Math.cos(v0)',
  tanh: 'Math.tanh(v0)',
  atan: 'Math.atan(v0)',
  // Written so that exp never overflows: for very negative x it is exp(x)/(1+exp(x)).
  sigmoid: '(v0 >= 0 ? 1 / (1 + Math.exp(-v0)) : Math.exp(v0) / (1 + Math.exp(v0)))',
  relu: '(v0 > 0 ? v0 : (v0 !== v0 ? v0 : 0))',
  floor: 'Math.floor(v0)',
  ceil: 'Math.ceil(v0)',
  round: roundHalfEven,
  not: '(v0 ? 0 : 1)',
  isnan: '(v0 !== v0 ? 1 : 0)',
};

export const binaryExpr: Readonly<Record<BinaryOp, string>> = {
  add: 'v0 + v1',
  sub: 'v0 - v1',
  mul: 'v0 * v1',
  div: 'v0 / v1',
  pow: 'Math.pow(v0, v1)',
  // NaN propagates through maximum/minimum, as in torch.
  maximum: '(v0 > v1 || v0 !== v0 ? v0 : v1)',
  minimum: '(v0 < v1 || v0 !== v0 ? v0 : v1)',
  eq: '(v0 === v1 ? 1 : 0)',
  ne: '(v0 !== v1 ? 1 : 0)',
  lt: '(v0 < v1 ? 1 : 0)',
  le: '(v0 <= v1 ? 1 : 0)',
  gt: '(v0 > v1 ? 1 : 0)',
  ge: '(v0 >= v1 ? 1 : 0)',
  and: '(v0 && v1 ? 1 : 0)',
  or: '(v0 || v1 ? 1 : 0)',
};

/** Rounds 2-byte float outputs to their precision, and maps any nonzero (NaN too) to true for bool outputs. */
function finish(expr: string, out: DType): string {
  if (isHalfPrecision(out)) return `rnd(${expr})`;
  if (out === 'bool') return `((${expr}) !== 0 ? 1 : 0)`;
  return expr;
}

export function unary(op: UnaryOp, x: View, out: View): void {
  if (op === 'identity' && copyFlat(x, out)) return;
  if (simdReady([x], out)) {
    if (isSimdUnary(op) && wasmElementwise(op, [x], out)) return;
    // 1 / x as a division of broadcast ones: the same correctly rounded quotient.
    if (op === 'reciprocal' && wasmElementwise('div', [ones(out), x], out)) return;
  }
  elementwise(`u:${op}`, finish(unaryExpr[op], out.buffer.dtype), [x], out);
}

export function binary(op: BinaryOp, a: View, b: View, out: View): void {
  if (op === 'add' && addRow(a, b, out)) return;
  if (isSimdBinary(op) && simdReady([a, b], out) && wasmElementwise(op, [a, b], out)) return;
  elementwise(`b:${op}`, finish(binaryExpr[op], out.buffer.dtype), [a, b], out);
}

/** Below this many elements the JavaScript loop beats the WebAssembly call and its copies. */
const SIMD_MIN_ELEMENTS = 256;

const ONE = makeCpuBuffer('float32', new Float32Array([1]));
/** A float32 1 broadcast to out's shape. */
const ones = (out: View): View => ({ buffer: ONE, shape: out.shape, strides: out.shape.map(() => 0), offset: 0 });

/** Whether a float32 op writing a contiguous float32 out is large enough for the SIMD kernels. */
function simdReady(operands: readonly View[], out: View): boolean {
  return (
    out.buffer.dtype === 'float32' &&
    operands.every((v) => v.buffer.dtype === 'float32') &&
    contiguous(out) &&
    count(out) >= SIMD_MIN_ELEMENTS
  );
}

const count = (v: View): number => v.shape.reduce((a, b) => a * b, 1);

/** ReLU's backward of the gradient v0 and ReLU's output v1: where(v1 > 0, v0, 0). */
export const reluBackwardExpr = '(v1 > 0 ? v0 : 0)';

/** One pass, no mask (a WebAssembly SIMD loop from 256 float32 elements): the select where(y > 0, grad, 0) makes in two. */
export function reluBackward(grad: View, y: View, out: View): void {
  if (simdReady([grad, y], out) && wasmElementwise('relu-backward', [grad, y], out)) return;
  elementwise('relu-backward', finish(reluBackwardExpr, out.buffer.dtype), [grad, y], out);
}

/**
 * out = a + b for a contiguous [R, C] `a` and `out` and a row `b` broadcast over the R rows (stride
 * [0, 1]): Linear's bias add. A plain row loop, where the SIMD path streams the row through its
 * memory once per row of `a` and [64, 10] (rows under 32) fell to the generic odometer loop: in the
 * MNIST MLP's training step the two bias adds took 6-7% of the step, 1.5-2.5% this way. float32 rows
 * of a multiple of 4 go to a SIMD loop of their own (wasmAddRow: 64×128 in 1.8 µs, the loop 14-18). The same
 * float32 or float64 sums as the other paths (a double sum of two floats, rounded once on store).
 * False (nothing done) for any other layout or dtype.
 */
function addRow(a: View, b: View, out: View): boolean {
  const dtype = out.buffer.dtype;
  if ((dtype !== 'float32' && dtype !== 'float64') || a.buffer.dtype !== dtype || b.buffer.dtype !== dtype)
    return false;
  if (out.shape.length !== 2 || b.strides[0] !== 0 || b.strides[1] !== 1 || b.buffer === out.buffer) return false;
  if (!contiguous(out) || !contiguous(a) || (a.buffer === out.buffer && a.offset !== out.offset)) return false;
  const [rows, cols] = out.shape as [number, number];
  const [A, B, O] = [cpuData(a), cpuData(b), cpuData(out)];
  if (
    dtype === 'float32' &&
    cols % 4 === 0 &&
    cols <= CHUNK &&
    rows * cols >= SIMD_MIN_ELEMENTS &&
    wasmAddRow(A as Float32Array, a.offset, B as Float32Array, b.offset, O as Float32Array, out.offset, rows, cols)
  )
    return true;
  for (let i = 0, p = a.offset, o = out.offset; i < rows; i++) {
    for (let j = 0, q = b.offset; j < cols; j++, p++, q++, o++) O[o] = A[p]! + B[q]!;
  }
  return true;
}

export function where(cond: View, a: View, b: View, out: View): void {
  elementwise('where', finish('(v0 ? v1 : v2)', out.buffer.dtype), [cond, a, b], out);
}

/**
 * A copy between two contiguous views of one dtype (clone, contiguous(), a gradient landing in
 * .grad) is a memcpy: TypedArray.set moves the bytes several times faster than a loop converting
 * every element to a double and back.
 */
function copyFlat(x: View, out: View): boolean {
  if (x.buffer.dtype !== out.buffer.dtype || !contiguous(x) || !contiguous(out)) return false;
  const n = count(out);
  const src = cpuData(x);
  cpuData(out).set(src.subarray(x.offset, x.offset + n), out.offset);
  return true;
}
