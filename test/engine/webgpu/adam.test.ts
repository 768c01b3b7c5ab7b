import { afterAll, expect, it } from 'vitest';
import type { AdamStepParams } from '../../../engine/backend/types.ts';
import { cpuBackend } from '../../../engine/backends/cpu/index.ts';
import { destroyWebGPU } from '../../../engine/backends/webgpu/index.ts';
import type { DType } from '../../../engine/dtype.ts';
import { both, contiguous, describeWebGPU, expectSame, gpu, pair, release, values, viewOf } from './harness.ts';

afterAll(destroyWebGPU);

const BASE: AdamStepParams = {
  lr: 1e-2,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  maximize: false,
  step: 1,
};

/** Three steps of the fused update on both backends, from the same state, at an offset into each buffer. */
async function check(dtype: DType, options: Partial<AdamStepParams>, amsgrad: boolean): Promise<void> {
  const n = 1100; // two strides of 512 (64 invocations × 8 elements) and a ragged tail
  const offset = 3;
  const layout = { ...contiguous([n]), offset, length: n + offset };
  const param = pair(dtype, values(dtype, layout.length, 1));
  const m = pair(dtype, values(dtype, layout.length, 2, { lo: -0.1, hi: 0.1 }));
  const v = pair(dtype, values(dtype, layout.length, 3, { lo: 0, hi: 0.1 }));
  const x = pair(dtype, values(dtype, layout.length, 4, { lo: 0, hi: 0.1 }));
  for (let step = 1; step <= 3; step++) {
    const grad = pair(dtype, values(dtype, layout.length, 10 + step));
    both((backend, side) =>
      backend.adamStep!(
        viewOf(param[side], layout),
        viewOf(grad[side], layout),
        viewOf(m[side], layout),
        viewOf(v[side], layout),
        amsgrad ? viewOf(x[side], layout) : null,
        { ...BASE, ...options, step },
      ),
    );
    release(grad);
  }
  const what = `${dtype} ${JSON.stringify(options)} amsgrad ${amsgrad}:`;
  const tol = dtype === 'float16' ? { atol: 2e-3, rtol: 2e-3 } : { atol: 1e-6, rtol: 1e-5 };
  for (const [name, p] of [
    ['param', param],
    ['exp_avg', m],
    ['exp_avg_sq', v],
    ['max_exp_avg_sq', x],
  ] as const)
    await expectSame(p, tol, `${what} ${name}`);
  release(param, m, v, x);
}

describeWebGPU('webgpu fused Adam step matches the CPU backend', () => {
  it('plain, with L2 or decoupled weight decay, amsgrad and maximize', async () => {
    await check('float32', {}, false);
    await check('float32', { weightDecay: 0.1 }, false);
    await check('float32', { weightDecay: 0.1, decoupledWeightDecay: true }, false);
    await check('float32', { maximize: true }, true);
  });

  it('float16 rounds what the composed ops would store', async () => {
    await check('float16', { weightDecay: 0.1 }, true);
  });

  it('NaN in the second moment propagates through amsgrad', async () => {
    const layout = contiguous([4]);
    const [p, g, m, x] = [1, 2, 3, 4].map((k) => pair('float32', values('float32', 4, k, { lo: 0, hi: 1 })));
    const nan = pair('float32', Float32Array.of(NaN, 0, 0, 0));
    both((backend, side) =>
      backend.adamStep!(
        viewOf(p![side], layout),
        viewOf(g![side], layout),
        viewOf(m![side], layout),
        viewOf(nan[side], layout),
        viewOf(x![side], layout),
        BASE,
      ),
    );
    const [cpuX, gpuX] = await Promise.all([
      cpuBackend.read(viewOf(x!.cpu, layout)),
      gpu!.read(viewOf(x!.gpu, layout)),
    ]);
    expect(Number.isNaN(cpuX[0])).toBe(true);
    expect(Number.isNaN(gpuX[0])).toBe(true);
    await expectSame(p!);
    release(p!, g!, m!, x!, nan);
  });

  it('refuses a parameter that shares its buffer with its gradient', () => {
    const p = gpu!.alloc('float32', 4);
    const view = viewOf(p, contiguous([4]));
    expect(() => gpu!.adamStep(view, view, view, view, null, BASE)).toThrow(/separate tensors/);
    gpu!.release(p);
  });
});
