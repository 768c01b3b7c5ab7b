import { describe, expect, it } from 'vitest';
import * as torch from '#engine';

const { clipGradNorm_, clipGradValue_ } = torch.nn.utils;

async function values(t: torch.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

function params(grads: number[][]): torch.Tensor[] {
  return grads.map((g) => {
    const p = torch.zeros(g.length, { dtype: 'float64', requiresGrad: true });
    p.grad = torch.tensor(Float64Array.from(g));
    return p;
  });
}

describe('clipGradNorm_', () => {
  it('returns the total 2-norm and scales by maxNorm / (norm + 1e-6)', async () => {
    const ps = params([
      [3, 0],
      [0, 4, 12],
    ]);
    const total = clipGradNorm_(ps, 1);
    // PyTorch's order: each gradient's norm, then the norm of those norms.
    const ref = Math.sqrt(Math.sqrt(9) ** 2 + Math.sqrt(16 + 144) ** 2);
    expect(await total.item()).toBe(ref);
    const coef = 1 / (ref + 1e-6);
    expect(await values(ps[0]!.grad!)).toEqual([3 * coef, 0]);
    expect(await values(ps[1]!.grad!)).toEqual([0, 4 * coef, 12 * coef]);
  });

  it('leaves gradients alone when the norm is below maxNorm (coefficient clamped at 1)', async () => {
    const ps = params([[0.3, 0.4]]);
    expect(await clipGradNorm_(ps, 1).item()).toBeCloseTo(0.5, 15);
    expect(await values(ps[0]!.grad!)).toEqual([0.3, 0.4]);
  });

  it('supports the inf norm and other p, and skips parameters without a gradient', async () => {
    const ps = [...params([[1, -5], [2]]), torch.zeros(2, { requiresGrad: true })];
    expect(await clipGradNorm_(ps, 10, { normType: 'inf' }).item()).toBe(5);
    expect(await clipGradNorm_(ps, 100, Infinity).item()).toBe(5);
    expect(await clipGradNorm_(ps, 100, 1).item()).toBe(8);
    expect(await clipGradNorm_(ps, 100, 3).item()).toBeCloseTo(Math.cbrt(1 + 125 + 8), 12);
    expect(await clipGradNorm_([torch.zeros(1, { requiresGrad: true })], 1).item()).toBe(0);
  });

  it('errorIfNonfinite names the problem', () => {
    const ps = params([[Infinity, 1]]);
    expect(() => clipGradNorm_(ps, 1, { errorIfNonfinite: true })).toThrow(/is non-finite, so it cannot be clipped/);
  });
});

describe('clipGradValue_', () => {
  it('clamps each gradient element', async () => {
    const ps = params([[-3, 0.5, 2]]);
    clipGradValue_(ps, 1);
    expect(await values(ps[0]!.grad!)).toEqual([-1, 0.5, 1]);
  });
});
