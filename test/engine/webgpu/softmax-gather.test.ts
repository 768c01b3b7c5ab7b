import fc from 'fast-check';
import { afterAll, it } from 'vitest';
import { destroyWebGPU } from '../../../engine/backends/webgpu/index.ts';
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

const shapeAxisArb = (maxSide: number) =>
  fc.array(fc.integer({ min: 1, max: maxSide }), { minLength: 1, maxLength: 3 }).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      axis: fc.integer({ min: 0, max: shape.length - 1 }),
      x: layoutArb(shape),
      out: layoutArb(shape),
      seed: fc.integer(),
    }),
  );

describeWebGPU('webgpu softmax matches the CPU backend', () => {
  for (const log of [false, true]) {
    it(`${log ? 'logSoftmax' : 'softmax'} on strided views`, async () => {
      await fc.assert(
        fc.asyncProperty(shapeAxisArb(6), async ({ axis, x: xl, out, seed }) => {
          const x = pair('float32', values('float32', xl.length, seed, { lo: -20, hi: 20 }));
          const o = pair('float32', values('float32', out.length, seed + 1));
          both((b, side) => b.softmax(viewOf(x[side], xl), axis, log, viewOf(o[side], out)));
          await expectSame(o);
          release(x, o);
        }),
        runs(20),
      );
    });
  }
  it('long rows take the workgroup path', async () => {
    for (const log of [false, true]) {
      const xl = contiguous([3, 3000]);
      const x = pair('float32', values('float32', xl.length, 1, { lo: -50, hi: 50 }));
      const o = pair('float32', new Float32Array(xl.length));
      both((b, side) => b.softmax(viewOf(x[side], xl), 1, log, viewOf(o[side], xl)));
      await expectSame(o, { atol: 1e-5, rtol: 1e-3 });
      release(x, o);
    }
  });
});

/** x of `shape`, an index tensor no larger in any dim, and the dim to gather along / scatter into. */
const indexCaseArb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }).chain((shape) =>
  fc.integer({ min: 0, max: shape.length - 1 }).chain((dim) =>
    fc.tuple(...shape.map((s, d) => fc.integer({ min: 1, max: d === dim ? 7 : s }))).chain((indexShape) =>
      fc.record({
        shape: fc.constant(shape),
        dim: fc.constant(dim),
        x: layoutArb(shape),
        index: layoutArb(indexShape, { broadcast: true }),
        src: layoutArb(indexShape),
        out: layoutArb(indexShape),
        seed: fc.integer(),
      }),
    ),
  ),
);

describeWebGPU('webgpu gather and scatterAdd match the CPU backend', () => {
  it('gather', async () => {
    await fc.assert(
      fc.asyncProperty(indexCaseArb, async ({ shape, dim, x: xl, index: il, out, seed }) => {
        const x = pair('float32', values('float32', xl.length, seed));
        const index = pair('int32', values('int32', il.length, seed + 1, { lo: 0, hi: shape[dim]! - 1 }));
        const o = pair('float32', values('float32', out.length, seed + 2));
        both((b, side) => b.gather(viewOf(x[side], xl), dim, viewOf(index[side], il), viewOf(o[side], out)));
        await expectSame(o);
        release(x, index, o);
      }),
      runs(25),
    );
  });
  it('scatterAdd sums duplicate indices', async () => {
    await fc.assert(
      fc.asyncProperty(indexCaseArb, async ({ shape, dim, x: xl, index: il, src: sl, seed }) => {
        // Few targets, so duplicates are common.
        const index = pair('int32', values('int32', il.length, seed + 1, { lo: 0, hi: Math.min(1, shape[dim]! - 1) }));
        const src = pair('float32', values('float32', sl.length, seed + 2));
        const o = pair('float32', values('float32', xl.length, seed));
        both((b, side) => b.scatterAdd(dim, viewOf(index[side], il), viewOf(src[side], sl), viewOf(o[side], xl)));
        await expectSame(o);
        release(index, src, o);
      }),
      runs(25),
    );
  });
});
