/**
 * The names engine/API.md added after ops.py against PyTorch's own numbers: each case of
 * test/fixtures/pytorch/names.json (made by names.py with PyTorch 1.13) runs here as the same
 * expression in the kit's names, and must give PyTorch's outputs and gradients. Their errors, in
 * PyTorch's words, and their gradchecks sit below.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import type { Tensor } from '#engine';
import FIXTURE from '../fixtures/pytorch/names.json' with { type: 'json' };
import { devices } from '../helpers/devices.ts';
import { checkCase, TOLERANCE, type Case, type Out } from './pytorch-fixture.ts';

const CASES = FIXTURE.cases as Record<string, Case>;

/** Each names.py case's twin. */
const OPS: Record<string, (...xs: Tensor[]) => Out | Promise<Out>> = {
  asinh: (x) => torch.asinh(x),
  asinh_grad: (x) => x.asinh(),
  acosh: (x) => torch.acosh(x),
  acosh_grad: (x) => x.acosh(),
  atanh: (x) => torch.atanh(x),
  atanh_grad: (x) => x.atanh(),
  logit: (x) => torch.stack([torch.logit(x), x.logit({ eps: 1e-6 }), torch.logit(x, 0.25)]),
  logit_eps_grad: (x) => torch.logit(x, { eps: 0.2 }),
  logit_grad: (x) => x.logit(),
  sgn: (x) => torch.sgn(x),
  sgn_int: (x) => x.sgn(),
  aminmax_all: (x) => torch.aminmax(x),
  aminmax_dim: (x) => [
    ...torch.aminmax(x, { dim: 1 }),
    ...x.aminmax({ dim: 0, keepdim: true }),
    ...torch.aminmax(x, { keepdim: true }),
  ],
  aminmax_int: (x) => torch.aminmax(x, { dim: -1 }),
  vsplit: (x) => torch.vsplit(x, 2),
  vsplit_indices: (x) => x.vsplit([1, 3, 10]),
  hsplit: (x) => [...torch.hsplit(x, [1]), ...x.hsplit(3)],
  hsplit_1d: (x) => torch.hsplit(x, 2),
  dsplit: (x) => torch.dsplit(x, [1]),
};

/** Where float32 in another order than PyTorch's shows more than TOLERANCE allows, and why. */
const LOOSER: Record<string, { rtol: number; atol: number }> = {};

describe.each(devices)('names after ops.py against PyTorch 1.13 on %s', (device) => {
  it('runs every case names.json pins', () => {
    expect(Object.keys(CASES).filter((n) => !(n in OPS))).toEqual([]);
  });

  it.each(Object.keys(OPS))('%s', async (name) => {
    const c = CASES[name];
    if (!c) throw new Error(`names.json has no case ${name}: run test/fixtures/pytorch/names.py`);
    await checkCase(c, OPS[name]!, device, LOOSER[name] ?? TOLERANCE);
  });

  it("aminmax: a named tuple, and PyTorch's errors", () => {
    const x = torch.tensor(
      [
        [1, 5],
        [3, 2],
      ],
      { device },
    );
    const r = x.aminmax({ dim: 1 });
    expect([r.min, r.max]).toEqual([r[0], r[1]]);
    expect(() => torch.aminmax(torch.ones(0, { device }))).toThrow(
      'aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.',
    );
    expect(() => torch.aminmax(torch.ones([2, 0], { device }), { dim: 1 })).toThrow(
      'aminmax: Expected reduction dim 1 to have non-zero size.',
    );
    expect(() => torch.aminmax(x, { axis: 1 } as never)).toThrow(/unknown option 'axis'/);
  });

  it("v/h/dsplit raise PyTorch's errors", () => {
    expect(() => torch.vsplit(torch.ones(6, { device }), 2)).toThrow(
      'torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with 1 dimensions!',
    );
    expect(() => torch.hsplit(torch.ones([2, 3], { device }), 2)).toThrow(
      'torch.hsplit attempted to split along dimension 1, but the size of the dimension 3 is not divisible by the split_size 2!',
    );
    expect(() => torch.dsplit(torch.ones([2, 3], { device }), 1)).toThrow(/at least 3 dimension/);
  });
});

describe('gradcheck in float64 (CPU)', () => {
  const f64 = (data: number[]) => torch.tensor(data, { dtype: 'float64', requiresGrad: true });
  it.each([
    ['asinh', (x: Tensor) => x.asinh(), [-3, -0.2, 0.1, 2.5]],
    ['acosh', (x: Tensor) => x.acosh(), [1.2, 2, 7]],
    ['atanh', (x: Tensor) => x.atanh(), [-0.8, 0.05, 0.6]],
    ['logit', (x: Tensor) => x.logit(), [0.1, 0.45, 0.9]],
    ['logit eps', (x: Tensor) => x.logit(0.2), [0.1, 0.45, 0.9]],
  ] as const)('%s', async (_, fn, data) => {
    expect(await torch.autograd.gradcheck(fn, [f64([...data])])).toBe(true);
  });
});
