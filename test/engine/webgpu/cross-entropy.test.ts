/**
 * Cross-entropy's WebGPU kernels (nllLoss, its backward, log-softmax's backward) and ReLU's backward
 * give the composed ops' bits on the device: the loss against the same loss with a weight of ones
 * (composed forward), the gradients against the recorded ones (createGraph composes the backward),
 * in each dtype the adapter stores, on the shapes that take the reduce kernel's workgroup order, on
 * strided views, and where the composed ops turn −0 into +0. The cross-device check (against the CPU
 * backend) is test/engine/nn/loss.test.ts's, under TORCHLINGS_DEVICES=cpu,webgpu.
 */
import { afterAll, expect, it } from 'vitest';
import * as torch from '#engine';
import { destroyWebGPU } from '../../../engine/backends/webgpu/index.ts';
import { describeWebGPU, gpu } from './harness.ts';

afterAll(destroyWebGPU);

const F = torch.nn.functional;
const device = 'webgpu';
const dtypes = (): ('float32' | 'float16')[] => (gpu!.context.hasF16 ? ['float32', 'float16'] : ['float32']);

async function bits(t: torch.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

function logits(rows: number, classes: number, dtype: torch.DType, seed: number): torch.Tensor {
  const g = new torch.Generator(seed);
  const values = Array.from({ length: rows * classes }, () => 12 * (g.uniform53() - 0.5));
  return torch.tensor(values, { shape: [rows, classes], dtype, device, requiresGrad: true });
}

/** Labels in [−C, C) with every fifth ignored (−100). */
function labels(rows: number, classes: number, seed: number): torch.Tensor {
  const g = new torch.Generator(seed);
  const values = Array.from({ length: rows }, (_, i) =>
    i % 5 === 3 ? -100 : Math.floor(g.uniform53() * 2 * classes) - classes,
  );
  return torch.tensor(values, { dtype: 'int32', device });
}

/**
 * Fused loss and gradient for x against the composed ones, bit for bit, for each reduction; the
 * logits are `view(x)`, and `scale` multiplies the loss before backward.
 */
async function expectComposedBits(
  x: torch.Tensor,
  t: torch.Tensor,
  { scale = 1.5, view = (v: torch.Tensor) => v } = {},
): Promise<void> {
  const ones = torch.ones([view(x).shape[1]!], { dtype: x.dtype, device });
  for (const reduction of ['mean', 'sum'] as const) {
    const loss = F.crossEntropy(view(x), t, { reduction });
    const composed = F.crossEntropy(view(x), t, { reduction, weight: ones });
    expect(await bits(loss)).toEqual(await bits(composed));
    const [grad] = torch.autograd.grad(loss.mul(scale), [x]);
    const [recorded] = torch.autograd.grad(composed.mul(scale), [x], { createGraph: true });
    expect(await bits(grad!)).toEqual(await bits(recorded!));
  }
}

describeWebGPU('webgpu cross-entropy kernels give the composed ops’ bits', () => {
  it('in each dtype the adapter stores, with ignored rows and negative labels', async () => {
    for (const dtype of dtypes()) await expectComposedBits(logits(9, 5, dtype, 1), labels(9, 5, 2));
  });

  it('where the sums take a workgroup: many rows (nll), long rows (log-softmax backward)', async () => {
    for (const dtype of dtypes()) {
      await expectComposedBits(logits(300, 7, dtype, 3), labels(300, 7, 4));
      await expectComposedBits(logits(5, 300, dtype, 5), labels(5, 300, 6));
    }
    // More rows than the backward's workgroups cover at one row per invocation.
    await expectComposedBits(logits(5000, 3, 'float32', 12), labels(5000, 3, 13));
  });

  it('on strided views: transposed logits, every other label', async () => {
    const g = new torch.Generator(7);
    const raw = Array.from({ length: 6 * 11 }, () => 12 * (g.uniform53() - 0.5));
    const x = torch.tensor(raw, { shape: [6, 11], device, requiresGrad: true });
    const t = labels(22, 6, 8).slice(0, 0, 22, 2);
    await expectComposedBits(x, t, { view: (v) => v.t() });
  });

  it('a zero gradient comes out +0, as the composed scatter into zeros makes it', async () => {
    const x = logits(9, 5, 'float32', 9);
    const t = labels(9, 5, 10);
    await expectComposedBits(x, t, { scale: 0 });
    const [grad] = torch.autograd.grad(F.crossEntropy(x, t).mul(0), [x]);
    expect((await bits(grad!)).every((v) => Object.is(v, 0))).toBe(true);
  });

  it('a label out of range fails at the next read, as the gather it replaces does', async () => {
    const x = logits(2, 4, 'float32', 11);
    const loss = F.nllLoss(x, torch.tensor([0, 7], { dtype: 'int32', device }));
    await expect(loss.item()).rejects.toThrow(/index 7 is out of bounds for dimension 1 with size 4/);
    // Reported once: the next read is clean.
    expect(await F.nllLoss(x, torch.tensor([0, 3], { dtype: 'int32', device })).item()).toBeTypeOf('number');
  });

  it("ReLU's backward: the gradient where y > 0, +0 elsewhere (y NaN or ±0 too), as gt and where give it", async () => {
    for (const dtype of dtypes()) {
      const x = torch.tensor([1.5, -2, 0, -0, NaN, 3, -0.25, 7], { dtype, device, requiresGrad: true });
      const g = torch.tensor([-1, 2, 3, 4, 5, -0, 0.5, -6], { dtype, device });
      const [fused] = torch.autograd.grad(x.relu(), [x], { gradOutputs: [g] });
      const [recorded] = torch.autograd.grad(x.relu(), [x], { gradOutputs: [g], createGraph: true });
      expect(await bits(fused!)).toEqual(await bits(recorded!));
      expect(await bits(fused!)).toEqual([-1, 0, 0, 0, 0, -0, 0, -6]);
    }
  });
});
