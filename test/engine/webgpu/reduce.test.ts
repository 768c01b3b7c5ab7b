import fc from 'fast-check';
import { afterAll, it } from 'vitest';
import type { ArgReduceOp, ReduceOp } from '../../../engine/backend/types.ts';
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

/** A shape, a non-empty sorted set of axes to reduce, layouts for x and out, and a seed. */
const caseArb = (maxSide: number) =>
  fc.array(fc.integer({ min: 1, max: maxSide }), { minLength: 1, maxLength: 4 }).chain((shape) =>
    fc
      .subarray(
        shape.map((_, d) => d),
        { minLength: 1 },
      )
      .chain((axes) =>
        fc.record({
          shape: fc.constant(shape),
          axes: fc.constant(axes),
          x: layoutArb(shape),
          out: layoutArb(shape.filter((_, d) => !axes.includes(d))),
          seed: fc.integer(),
        }),
      ),
  );

async function checkReduce(op: ReduceOp, dtype: DType, outDtype: DType, maxSide = 5, numRuns = 20): Promise<void> {
  await fc.assert(
    fc.asyncProperty(caseArb(maxSide), async ({ axes, x: xl, out, seed }) => {
      // Products of many values leave float32's range; keep them near 1.
      const x = pair(dtype, values(dtype, xl.length, seed, op === 'prod' ? { lo: 0.5, hi: 1.5 } : {}));
      const o = pair(outDtype, values(outDtype, out.length, seed + 1));
      both((b, side) => b.reduce(op, viewOf(x[side], xl), axes, viewOf(o[side], out)));
      await expectSame(o, undefined, `${op} over [${axes}] of [${xl.shape}]`);
      release(x, o);
    }),
    runs(numRuns),
  );
}

async function checkArg(op: ArgReduceOp, dtype: DType, maxSide = 5, numRuns = 20): Promise<void> {
  await fc.assert(
    fc.asyncProperty(caseArb(maxSide), async ({ axes, shape, x: xl, seed }) => {
      const axis = axes[0]!;
      const outLayout = contiguous(shape.filter((_, d) => d !== axis));
      // Small integers repeat, so ties must resolve to the first index.
      const x = pair(dtype, values(dtype, xl.length, seed, { lo: -2, hi: 2 }));
      const o = pair('int32', values('int32', outLayout.length, seed + 1));
      both((b, side) => b.argReduce(op, viewOf(x[side], xl), axis, viewOf(o[side], outLayout)));
      await expectSame(o, undefined, `${op} over ${axis} of [${xl.shape}]`);
      release(x, o);
    }),
    runs(numRuns),
  );
}

describeWebGPU('webgpu reductions match the CPU backend', () => {
  for (const op of ['sum', 'prod', 'max', 'min'] as const)
    it(`${op} float32`, () => checkReduce(op, 'float32', 'float32'));
  it('sum int32', () => checkReduce('sum', 'int32', 'int32', 5, 10));
  it('sum bool → int32', () => checkReduce('sum', 'bool', 'int32', 5, 10));
  it('max bool (any)', () => checkReduce('max', 'bool', 'bool', 5, 10));
  it('sum float16', () => checkReduce('sum', 'float16', 'float32', 5, 10));
  it('long reductions take the workgroup tree', async () => {
    for (const [shape, axes] of [
      [[3, 1000], [1]],
      [[5000], [0]],
      [
        [7, 300, 2],
        [0, 1],
      ],
    ] as [number[], number[]][]) {
      for (const op of ['sum', 'max'] as const) {
        const xl = contiguous(shape);
        const ol = contiguous(shape.filter((_, d) => !axes.includes(d)));
        const x = pair('float32', values('float32', xl.length, shape.length));
        const o = pair('float32', new Float32Array(ol.length));
        both((b, side) => b.reduce(op, viewOf(x[side], xl), axes, viewOf(o[side], ol)));
        await expectSame(o, { atol: 1e-4, rtol: 1e-4 }, `${op} [${shape}] over [${axes}]`);
        release(x, o);
      }
    }
  });
  it('an empty sum is 0 and an empty product 1', async () => {
    const x = pair('float32', new Float32Array(1));
    const o = pair('float32', Float32Array.from([5, 5, 5]));
    const xl = { shape: [3, 0], strides: [0, 1], offset: 0, length: 1 };
    for (const op of ['sum', 'prod'] as const) {
      both((b, side) => b.reduce(op, viewOf(x[side], xl), [1], viewOf(o[side], contiguous([3]))));
      await expectSame(o, undefined, op);
    }
    release(x, o);
  });
});

describeWebGPU('webgpu argmax/argmin match the CPU backend', () => {
  for (const op of ['argmax', 'argmin'] as const) {
    it(`${op} float32`, () => checkArg(op, 'float32'));
    it(`${op} int32 with ties`, () => checkArg(op, 'int32', 5, 15));
  }
  it('argmax over a long axis (workgroup tree) keeps the first maximum', async () => {
    const data = values('int32', 3 * 2000, 3, { lo: 0, hi: 50 });
    const x = pair('int32', data);
    const o = pair('int32', new Int32Array(3));
    both((b, side) =>
      b.argReduce('argmax', viewOf(x[side], contiguous([3, 2000])), 1, viewOf(o[side], contiguous([3]))),
    );
    await expectSame(o);
    release(x, o);
  });
});
