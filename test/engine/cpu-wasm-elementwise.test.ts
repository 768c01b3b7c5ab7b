import { describe, expect, it } from 'vitest';
import type { BinaryOp, UnaryOp, View } from '../../engine/backend/types.ts';
import { cpuData, makeCpuBuffer } from '../../engine/backends/cpu/buffer.ts';
import { binary, reluBackward, unary } from '../../engine/backends/cpu/elementwise.ts';
import { wasmSimdAvailable } from '../../engine/backends/cpu/wasm/matmul.ts';

/** Awkward float32 values: signed zeros, infinities, NaN, subnormals, the extremes, ordinary ones. */
const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1e-39, 3.4028234663852886e38, -1, 1, 0.1, 2.5];

function values(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) =>
    i % 3 === 0 ? SPECIAL[(i + seed) % SPECIAL.length]! : Math.sin(i * 7.3 + seed) * 10 ** ((i % 7) - 3),
  );
}

/** A [n] float32 view at offset 3 into a buffer of sevens; stride 0 makes it a broadcast scalar. */
function view(data: number[], n = data.length, stride = 1): View {
  const buffer = new Float32Array(data.length + 6).fill(7);
  buffer.set(data, 3);
  return { buffer: makeCpuBuffer('float32', buffer), shape: [n], strides: [stride], offset: 3 };
}

const reference: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  neg: (a) => -a,
  abs: (a) => Math.abs(a),
  sqrt: (a) => Math.sqrt(a),
  reciprocal: (a) => 1 / a,
  relu: (a) => (a > 0 ? a : a !== a ? a : 0),
};

/** Every element, NaN and the sign of zero included, as the float64 formula rounded to float32. */
function expectElements(out: View, expected: (i: number) => number): void {
  const data = cpuData(out);
  const n = out.shape[0]!;
  const wrong = Array.from({ length: n }, (_, i) => i).filter((i) => !Object.is(data[3 + i], Math.fround(expected(i))));
  expect(wrong.slice(0, 5).map((i) => [i, data[3 + i], Math.fround(expected(i))])).toEqual([]);
  expect([data[2], data[3 + n]]).toEqual([7, 7]);
}

describe('CPU float32 elementwise ops, WebAssembly SIMD path', () => {
  it('is available here', () => expect(wasmSimdAvailable()).toBe(true));

  for (const n of [256, 257, 1003]) {
    for (const op of ['add', 'sub', 'mul', 'div'] as const) {
      it(`${op} over ${n} elements: contiguous, scalar second and scalar first operands`, () => {
        const a = values(n, 1).map(Math.fround);
        const b = values(n, 5).map(Math.fround);
        const out = () => view(new Array<number>(n).fill(0));
        const contiguous = out();
        binary(op as BinaryOp, view(a), view(b), contiguous);
        expectElements(contiguous, (i) => reference[op]!(a[i]!, b[i]!));
        const scalarB = out();
        binary(op as BinaryOp, view(a), view([b[4]!], n, 0), scalarB);
        expectElements(scalarB, (i) => reference[op]!(a[i]!, b[4]!));
        const scalarA = out();
        binary(op as BinaryOp, view([a[2]!], n, 0), view(b), scalarA);
        expectElements(scalarA, (i) => reference[op]!(a[2]!, b[i]!));
      });
    }
    it(`reluBackward over ${n} elements: grad where y > 0, +0 elsewhere (y NaN or ±0 too)`, () => {
      const g = values(n, 3).map(Math.fround);
      const y = values(n, 4).map(Math.fround);
      const out = view(new Array<number>(n).fill(0));
      reluBackward(view(g), view(y), out);
      expectElements(out, (i) => (y[i]! > 0 ? g[i]! : 0));
    });
    for (const op of ['neg', 'abs', 'sqrt', 'relu', 'reciprocal'] as const) {
      it(`${op} over ${n} elements`, () => {
        const a = values(n, 2).map(Math.fround);
        const out = view(new Array<number>(n).fill(0));
        unary(op as UnaryOp, view(a), out);
        expectElements(out, (i) => reference[op]!(a[i]!, 0));
      });
    }
  }

  /** A [rows, cols] float32 view of data (row-major) at offset 3, with the given strides. */
  const matrix = (data: number[], rows: number, cols: number, strides: [number, number]): View => ({
    ...view(data),
    shape: [rows, cols],
    strides,
  });

  // Rows of 5,000 cross the kernel's chunks of 8,192 elements; rows of 37 share them.
  for (const [rows, cols] of [
    [3, 5000],
    [40, 37],
  ] as const) {
    for (const op of ['sub', 'div'] as const) {
      it(`${op} of broadcast rows and columns, [${rows}, ${cols}]: [${rows}, ${cols}] − [${rows}, 1], [${rows}, 1] − [1, ${cols}], transposed`, () => {
        const a = values(rows * cols, 3).map(Math.fround);
        const col = values(rows, 4).map(Math.fround);
        const row = values(cols, 6).map(Math.fround);
        const f = reference[op]!;
        const out = () => matrix(new Array<number>(rows * cols).fill(0), rows, cols, [cols, 1]);
        const o1 = out();
        binary(op, matrix(a, rows, cols, [cols, 1]), matrix(col, rows, cols, [1, 0]), o1);
        expectElements({ ...o1, shape: [rows * cols] }, (k) => f(a[k]!, col[Math.floor(k / cols)]!));
        const o2 = out();
        binary(op, matrix(col, rows, cols, [1, 0]), matrix(row, rows, cols, [0, 1]), o2);
        expectElements({ ...o2, shape: [rows * cols] }, (k) => f(col[Math.floor(k / cols)]!, row[k % cols]!));
        // A transposed operand (inner stride ≠ 1) is left to the JavaScript loop: the same values.
        const o3 = out();
        binary(op, matrix(row, rows, cols, [0, 1]), matrix(a, rows, cols, [1, rows]), o3);
        expectElements({ ...o3, shape: [rows * cols] }, (k) =>
          f(row[k % cols]!, a[(k % cols) * rows + Math.floor(k / cols)]!),
        );
      });
    }
  }

  it('writes in place over its own first operand', () => {
    const n = 1003;
    const a = values(n, 8).map(Math.fround);
    const b = values(n, 9).map(Math.fround);
    const x = view(a);
    binary('mul', x, view(b), x);
    expectElements(x, (i) => a[i]! * b[i]!);
  });
});

describe('CPU bias add: [R, C] + a [C] row broadcast over the rows (its own row loop, SIMD for C a multiple of 4)', () => {
  for (const [rows, cols] of [
    [64, 128],
    [64, 10],
    [3, 1003],
    // SIMD over several chunks of whole rows, rows of one group of four, one row filling a chunk.
    [300, 128],
    [70, 4],
    [2, 8192],
  ] as const) {
    it(`[${rows}, ${cols}] into another buffer and in place: each element the float64 sum rounded to float32`, () => {
      const a = values(rows * cols, 11).map(Math.fround);
      const row = values(cols, 12).map(Math.fround);
      const flat = (v: View): View => ({ ...v, shape: [rows * cols], strides: [1] });
      const matrix = (data: number[]): View => ({ ...view(data), shape: [rows, cols], strides: [cols, 1] });
      const bias = (): View => ({ ...view(row), shape: [rows, cols], strides: [0, 1] });
      const out = matrix(new Array<number>(rows * cols).fill(0));
      binary('add', matrix(a), bias(), out);
      expectElements(flat(out), (k) => a[k]! + row[k % cols]!);
      const y = matrix(a);
      binary('add', y, bias(), y);
      expectElements(flat(y), (k) => a[k]! + row[k % cols]!);
    });
  }
});
