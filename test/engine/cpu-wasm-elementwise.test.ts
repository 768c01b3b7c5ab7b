import { describe, expect, it } from 'vitest';
import type { BinaryOp, UnaryOp, View } from '../../engine/backend/types.ts';
import { cpuData, makeCpuBuffer } from '../../engine/backends/cpu/buffer.ts';
import { binary, unary } from '../../engine/backends/cpu/elementwise.ts';
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
    for (const op of ['neg', 'abs', 'sqrt', 'relu'] as const) {
      it(`${op} over ${n} elements`, () => {
        const a = values(n, 2).map(Math.fround);
        const out = view(new Array<number>(n).fill(0));
        unary(op as UnaryOp, view(a), out);
        expectElements(out, (i) => reference[op]!(a[i]!, 0));
      });
    }
  }
});
