import fc from 'fast-check';
import { afterAll, beforeAll, it } from 'vitest';
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
  gpu,
  runs,
  values,
  viewOf,
  type Layout,
} from './harness.ts';

afterAll(destroyWebGPU);

/** Transposed (column-major) layout of a 2-D view: what `W.t()` hands matmul. */
function transposed(rows: number, cols: number): Layout {
  return { shape: [rows, cols], strides: [1, rows], offset: 0, length: rows * cols };
}

async function check(
  dtype: DType,
  m: number,
  k: number,
  n: number,
  al: Layout,
  bl: Layout,
  ol: Layout,
  seed: number,
  what: string,
): Promise<void> {
  const a = pair(dtype, values(dtype, al.length, seed, { lo: -2, hi: 2 }));
  const b = pair(dtype, values(dtype, bl.length, seed + 1, { lo: -2, hi: 2 }));
  const o = pair(dtype, values(dtype, ol.length, seed + 2));
  both((be, side) => be.matmul(viewOf(a[side], al), viewOf(b[side], bl), viewOf(o[side], ol)));
  const tol =
    dtype === 'float16'
      ? { atol: 0.05, rtol: 0.01 }
      : dtype === 'float32'
        ? { atol: 1e-4 * Math.sqrt(k), rtol: 1e-4 }
        : undefined;
  await expectSame(o, tol, `${what} ${m}×${k}@${k}×${n}`);
  release(a, b, o);
}

const dimArb = fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 60, max: 70 }));

// Both kernels on one adapter: the subgroup kernel where the adapter is a CPU (lavapipe), and the
// register-blocked one every other adapter gets.
for (const kernel of ['lane', 'tiled'] as const)
  describeWebGPU(`webgpu matmul (${kernel} kernel) matches the CPU backend`, () => {
    const lanes = gpu?.context.cpuLanes ?? null;
    if (kernel === 'lane' && lanes === null) {
      // Not the tiled kernel again under the lane kernel's name: reported as skipped instead.
      it.skip('needs a CPU adapter with one subgroup size (lavapipe), which this one is not');
      return;
    }
    beforeAll(() => {
      gpu!.matmulLanes = kernel === 'lane' ? lanes : null;
    });
    afterAll(() => {
      gpu!.matmulLanes = lanes;
    });

    it('on any strided layout, including block edges', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(dimArb, dimArb, dimArb).chain(([m, k, n]) =>
            fc.record({
              m: fc.constant(m),
              k: fc.constant(k),
              n: fc.constant(n),
              a: layoutArb([m, k]),
              b: layoutArb([k, n]),
              o: layoutArb([m, n]),
              seed: fc.integer(),
            }),
          ),
          ({ m, k, n, a, b, o, seed }) => check('float32', m, k, n, a, b, o, seed, 'strided'),
        ),
        runs(25),
      );
    });

    it('on the vec4 paths (row-major, x @ W.t(), x.t() @ g)', async () => {
      for (const [m, k, n] of [
        [64, 784, 128],
        [64, 128, 10],
        [128, 64, 784],
        [8, 4, 4],
        [12, 8, 20],
        [100, 36, 68],
      ] as const) {
        await check('float32', m, k, n, contiguous([m, k]), contiguous([k, n]), contiguous([m, n]), m + n, 'row-major');
        await check(
          'float32',
          m,
          k,
          n,
          contiguous([m, k]),
          transposed(k, n),
          contiguous([m, n]),
          m + k,
          'b transposed',
        );
        await check(
          'float32',
          m,
          k,
          n,
          transposed(m, k),
          contiguous([k, n]),
          contiguous([m, n]),
          k + n,
          'a transposed',
        );
      }
    });

    it('batched, with a broadcast (stride-0) batch dimension', async () => {
      const [batch, m, k, n] = [3, 9, 12, 16];
      const al: Layout = { shape: [batch, m, k], strides: [m * k, k, 1], offset: 0, length: batch * m * k };
      const bl: Layout = { shape: [batch, k, n], strides: [0, n, 1], offset: 0, length: k * n };
      await check('float32', m, k, n, al, bl, contiguous([batch, m, n]), 5, 'batched');
      const a4: Layout = { shape: [2, batch, m, k], strides: [0, m * k, 1, m], offset: 0, length: batch * m * k };
      const b4: Layout = { shape: [2, batch, k, n], strides: [k * n, 0, n, 1], offset: 0, length: 2 * k * n };
      await check('float32', m, k, n, a4, b4, contiguous([2, batch, m, n]), 6, 'rank 4');
    });

    it('with one buffer as both operands (x @ x.t(), x.t() @ x)', async () => {
      const [m, k] = [12, 8];
      const x = pair('float32', values('float32', m * k, 3));
      const gram = pair('float32', values('float32', m * m, 4));
      const cov = pair('float32', values('float32', k * k, 5));
      both((be, side) => {
        be.matmul(
          viewOf(x[side], contiguous([m, k])),
          viewOf(x[side], transposed(k, m)),
          viewOf(gram[side], contiguous([m, m])),
        );
        be.matmul(
          viewOf(x[side], transposed(k, m)),
          viewOf(x[side], contiguous([m, k])),
          viewOf(cov[side], contiguous([k, k])),
        );
      });
      await expectSame(gram, { atol: 1e-4, rtol: 1e-4 }, 'x @ x.t()');
      await expectSame(cov, { atol: 1e-4, rtol: 1e-4 }, 'x.t() @ x');
      release(x, gram, cov);
    });

    it('float16 and int32', async () => {
      await check('float16', 33, 20, 12, contiguous([33, 20]), transposed(20, 12), contiguous([33, 12]), 1, 'float16');
      await check('int32', 17, 9, 13, contiguous([17, 9]), contiguous([9, 13]), contiguous([17, 13]), 2, 'int32');
    });
  });
