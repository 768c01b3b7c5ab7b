import fc from 'fast-check';
import { afterAll, it } from 'vitest';
import type { BinaryOp, UnaryOp } from '../../../engine/backend/types.ts';
import { destroyWebGPU } from '../../../engine/backends/webgpu/index.ts';
import type { DType } from '../../../engine/dtype.ts';
import {
  both,
  contiguous,
  describeWebGPU,
  expectSame,
  layoutArb,
  pair,
  release,
  runs,
  values,
  viewOf,
} from './harness.ts';

afterAll(destroyWebGPU);

const shapeArb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 4 });

/** A shape, a layout for each input (broadcast allowed), a layout for out, and a seed. */
const caseArb = (inputs: number) =>
  shapeArb.chain((shape) =>
    fc.record({
      ins: fc.tuple(...Array.from({ length: inputs }, () => layoutArb(shape, { broadcast: true }))),
      out: layoutArb(shape),
      seed: fc.integer(),
    }),
  );

/** Inputs where the op is defined and not at a kink (log, sqrt of positives). */
const POSITIVE: ReadonlySet<UnaryOp> = new Set(['log', 'sqrt', 'rsqrt', 'reciprocal']);

async function checkUnary(op: UnaryOp, inDtype: DType, outDtype: DType, numRuns = 15): Promise<void> {
  await fc.assert(
    fc.asyncProperty(caseArb(1), async ({ ins: [xl], out, seed }) => {
      const range = POSITIVE.has(op) ? { lo: 0.5, hi: 3 } : op === 'round' ? { lo: -3, hi: 3 } : { lo: -3, hi: 3 };
      const data = values(inDtype, xl.length, seed, range);
      // Halves exercise round-half-to-even.
      if (op === 'round') data.forEach((v, i) => (data[i] = Math.round(v * 2) / 2));
      const x = pair(inDtype, data);
      const o = pair(outDtype, values(outDtype, out.length, seed + 1));
      both((b, side) => b.unary(op, viewOf(x[side], xl), viewOf(o[side], out)));
      await expectSame(o, undefined, `${op} ${inDtype}→${outDtype} shape [${out.shape}]`);
      release(x, o);
    }),
    runs(numRuns),
  );
}

async function checkBinary(op: BinaryOp, inDtype: DType, outDtype: DType, numRuns = 15): Promise<void> {
  await fc.assert(
    fc.asyncProperty(caseArb(2), async ({ ins: [al, bl], out, seed }) => {
      const a = pair(inDtype, values(inDtype, al.length, seed, op === 'pow' ? { lo: -3, hi: 3 } : {}));
      const bData = values(
        inDtype,
        bl.length,
        seed + 2,
        op === 'pow' ? { lo: -2, hi: 3 } : op === 'div' && inDtype === 'int32' ? { lo: 1, hi: 4 } : {},
      );
      // pow with a negative base is defined only for integral exponents.
      if (op === 'pow') bData.forEach((v, i) => (bData[i] = Math.round(v)));
      const b = pair(inDtype, bData);
      const o = pair(outDtype, values(outDtype, out.length, seed + 1));
      both((be, side) => be.binary(op, viewOf(a[side], al), viewOf(b[side], bl), viewOf(o[side], out)));
      await expectSame(o, undefined, `${op} ${inDtype}→${outDtype} shape [${out.shape}]`);
      release(a, b, o);
    }),
    runs(numRuns),
  );
}

describeWebGPU('webgpu unary kernels match the CPU backend on strided views', () => {
  const floatOps: UnaryOp[] = [
    'identity',
    'neg',
    'abs',
    'sign',
    'exp',
    'log',
    'sqrt',
    'rsqrt',
    'reciprocal',
    'sin',
    'cos',
    'tanh',
    'sigmoid',
    'relu',
    'floor',
    'ceil',
    'round',
  ];
  for (const op of floatOps) it(`${op} float32`, () => checkUnary(op, 'float32', 'float32'));
  for (const op of ['neg', 'abs', 'sign', 'relu'] as const)
    it(`${op} int32`, () => checkUnary(op, 'int32', 'int32', 8));
  it('not bool', () => checkUnary('not', 'bool', 'bool'));
  it('exp and tanh float16', async () => {
    await checkUnary('exp', 'float16', 'float16', 8);
    await checkUnary('tanh', 'float16', 'float16', 8);
  });
  const casts: [DType, DType][] = [
    ['float32', 'int32'],
    ['int32', 'float32'],
    ['float32', 'bool'],
    ['bool', 'float32'],
    ['int32', 'bool'],
    ['bool', 'int32'],
    ['float32', 'float16'],
    ['float16', 'float32'],
    ['float16', 'int32'],
  ];
  for (const [from, to] of casts) it(`cast ${from} → ${to}`, () => checkUnary('identity', from, to, 8));
  it('tanh and sigmoid saturate instead of overflowing', async () => {
    const x = pair('float32', Float32Array.from([-100, -20, 0, 20, 100]));
    const o = pair('float32', new Float32Array(5));
    for (const op of ['tanh', 'sigmoid'] as const) {
      both((b, side) => b.unary(op, viewOf(x[side], contiguous([5])), viewOf(o[side], contiguous([5]))));
      await expectSame(o);
    }
    release(x, o);
  });
});

describeWebGPU('webgpu binary kernels match the CPU backend with broadcasting', () => {
  const arith: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'];
  for (const op of arith) it(`${op} float32`, () => checkBinary(op, 'float32', 'float32'));
  for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow'] as const)
    it(`${op} int32`, () => checkBinary(op, 'int32', 'int32', 8));
  for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const)
    it(`${op} int32 → bool`, () => checkBinary(op, 'int32', 'bool', 8));
  it('lt float32 → bool', () => checkBinary('lt', 'float32', 'bool', 8));
  for (const op of ['and', 'or'] as const) it(`${op} bool`, () => checkBinary(op, 'bool', 'bool', 8));
  it('mul float16', () => checkBinary('mul', 'float16', 'float16', 8));
  it('maximum propagates NaN', async () => {
    const a = pair('float32', Float32Array.from([NaN, 1, 2]));
    const b = pair('float32', Float32Array.from([0, NaN, 1]));
    const o = pair('float32', new Float32Array(3));
    const v = contiguous([3]);
    both((be, side) => be.binary('maximum', viewOf(a[side], v), viewOf(b[side], v), viewOf(o[side], v)));
    await expectSame(o);
    release(a, b, o);
  });
  it('covers every element when each invocation handles several (sizes past one loop stride)', async () => {
    // 1517 elements: a few strides of 512 (64 invocations × 8) and a ragged tail; b transposed.
    for (const [rows, cols] of [
      [37, 41],
      [8, 64],
    ] as const) {
      const a = pair('float32', values('float32', rows * cols, rows));
      const b = pair('float32', values('float32', rows * cols, cols));
      const o = pair('float32', new Float32Array(rows * cols));
      const v = contiguous([rows, cols]);
      const bt = { ...v, strides: [1, rows] };
      both((be, side) => be.binary('sub', viewOf(a[side], v), viewOf(b[side], bt), viewOf(o[side], v)));
      await expectSame(o, undefined, `[${rows}, ${cols}]`);
      release(a, b, o);
    }
  });
  it('works in place (out is the first operand)', async () => {
    const a = pair('float32', values('float32', 12, 7));
    const b = pair('float32', values('float32', 4, 8));
    const v = contiguous([3, 4]);
    const row = { ...contiguous([3, 4]), strides: [0, 1] };
    both((be, side) => be.binary('add', viewOf(a[side], v), viewOf(b[side], row), viewOf(a[side], v)));
    await expectSame(a);
    release(a, b);
  });
  it('reads one buffer as both operands (x * x.t(), and in place: x += x)', async () => {
    const x = pair('float32', values('float32', 16, 9));
    const o = pair('float32', values('float32', 16, 10));
    const v = contiguous([4, 4]);
    const t = { ...v, strides: [1, 4] };
    both((be, side) => be.binary('mul', viewOf(x[side], v), viewOf(x[side], t), viewOf(o[side], v)));
    await expectSame(o, undefined, 'x * x.t()');
    both((be, side) => be.binary('add', viewOf(x[side], v), viewOf(x[side], v), viewOf(x[side], v)));
    await expectSame(x, undefined, 'x += x');
    release(x, o);
  });
});

describeWebGPU('webgpu where', () => {
  it('matches the CPU backend', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb(3), async ({ ins: [cl, al, bl], out, seed }) => {
        const c = pair('bool', values('bool', cl.length, seed));
        const a = pair('float32', values('float32', al.length, seed + 1));
        const b = pair('float32', values('float32', bl.length, seed + 2));
        const o = pair('float32', values('float32', out.length, seed + 3));
        both((be, side) =>
          be.where(viewOf(c[side], cl), viewOf(a[side], al), viewOf(b[side], bl), viewOf(o[side], out)),
        );
        await expectSame(o);
        release(c, a, b, o);
      }),
      runs(20),
    );
  });
});
