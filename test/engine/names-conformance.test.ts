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
  unique: (x) => torch.unique(x),
  unique_inverse_counts: (x) => torch.unique(x, { returnInverse: true, returnCounts: true }),
  unique_counts_int: (x) => x.unique({ sorted: true, returnCounts: true }),
  unique_dim0: (x) => torch.unique(x, { dim: 0, returnInverse: true, returnCounts: true }),
  unique_dim1: (x) => torch.unique(x, true, true, false, 1),
  unique_bool: (x) => torch.unique(x),
  unique_consecutive: (x) => torch.uniqueConsecutive(x, { returnInverse: true, returnCounts: true }),
  unique_consecutive_dim: (x) => x.uniqueConsecutive({ dim: 0 }),
  masked_select: (x, m) => torch.maskedSelect(x, m!),
  masked_select_broadcast: (x, m) => x.maskedSelect(m!),
  repeat_interleave_tensor: (x, r) => torch.repeatInterleave(x, r, 0, { outputSize: 5 }),
  repeat_interleave_flat: (x, r) => x.repeatInterleave(r),
  repeat_interleave_one: (x, r) => torch.repeatInterleave(x, r, { dim: 1, outputSize: 6 }),
  repeat_interleave_repeats_only: (r) => torch.repeatInterleave(r),
  cummax: (x) => torch.cummax(x, 1),
  cummin_dim0: (x) => x.cummin(0),
  cummax_nan: (x) => [...torch.cummax(x, 0), ...torch.cummin(x, { dim: 0 })],
  cummax_int_ties: (x) => torch.cummax(x, -1),
  mode: (x) => torch.mode(x),
  mode_dim0_keepdim: (x) => x.mode(0, { keepdim: true }),
  mode_int: (x) => torch.mode(x, 1),
  einsum_matmul: (a, b) => torch.einsum('ij,jk->ik', a, b),
  einsum_bmm: (a, b) => torch.einsum('bij,bjk->bik', [a, b]),
  einsum_trace: (a) => torch.einsum('ii->', a),
  einsum_diag: (a) => torch.einsum('ii->i', a),
  einsum_transpose: (a) => torch.einsum('ij->ji', a),
  einsum_outer: (a, b) => torch.einsum('i,j->ij', a, b),
  einsum_dot: (a, b) => torch.einsum('i,i->', a, b),
  einsum_implicit: (a, b) => torch.einsum('ij,jk', a, b),
  einsum_implicit_order: (a) => torch.einsum('ba', a),
  einsum_sum_rows: (a) => torch.einsum('ij->j', a),
  einsum_mul_broadcast: (a, b) => torch.einsum('ij,j->ij', a, b),
  einsum_attention: (q, k) => torch.einsum('bhqd,bhkd->bhqk', q, k),
  einsum_ellipsis: (a, b) => torch.einsum('...ij,...jk->...ik', a, b),
  einsum_three: (a, b, c) => torch.einsum('ij,jk,kl->il', a, b, c),
  einsum_bilinear: (a, w, b) => torch.einsum('bn,anm,bm->ba', a, w, b),
  einsum_batch_diag: (a) => torch.einsum('bii->bi', a),
};

/** Cases a backend cannot run, and why. */
const UNSUPPORTED: Partial<Record<torch.Device, Record<string, string>>> = {
  webgpu: {
    repeat_interleave_flat: 'WebGPU cannot read the repeats at once: without outputSize an error says so',
    repeat_interleave_repeats_only: 'likewise',
  },
};

/** Where float32 in another order than PyTorch's shows more than TOLERANCE allows, and why. */
const LOOSER: Record<string, { rtol: number; atol: number }> = {};

describe.each(devices)('names after ops.py against PyTorch 1.13 on %s', (device) => {
  it('runs every case names.json pins', () => {
    expect(Object.keys(CASES).filter((n) => !(n in OPS))).toEqual([]);
  });

  it.each(Object.keys(OPS))('%s', async (name) => {
    if (UNSUPPORTED[device]?.[name]) return;
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

  it("unique, maskedSelect and repeatInterleave by a tensor: PyTorch's errors", async () => {
    const x = torch.ones([2, 3], { device });
    await expect(torch.maskedSelect(x, torch.ones([2, 3], { dtype: 'int32', device }))).rejects.toThrow(
      'masked_select: expected BoolTensor for mask',
    );
    await expect(x.maskedSelect(torch.ones([2, 2], { device }).gt(0))).rejects.toThrow(
      'The size of tensor a (3) must match the size of tensor b (2)',
    );
    await expect(torch.unique(x, { dim: 2 })).rejects.toThrow(/Dimension out of range/);
    await expect(torch.unique(x, { returnIndex: true } as never)).rejects.toThrow(/unknown option 'returnIndex'/);
    expect(() => torch.repeatInterleave(x, torch.tensor([[1, 2]], { device }))).toThrow(
      'repeats must be 0-dim or 1-dim tensor',
    );
    if (device === 'webgpu')
      expect(() => torch.repeatInterleave(x, torch.tensor([1, 2], { device }), 0)).toThrow(/needs outputSize/);
    else {
      expect(() => torch.repeatInterleave(x, torch.tensor([1, -2]), 0)).toThrow('repeats can not be negative');
      expect(() => torch.repeatInterleave(x, torch.tensor([1, 2]), 0, { outputSize: 4 })).toThrow(
        'allocated size does not match required size',
      );
    }
  });

  it('maskedSelect: the gradient reaches each selected element once, a broadcast input sums it', async () => {
    const x = torch.tensor([[1], [2]], { dtype: 'float32', device, requiresGrad: true });
    const picked = await x.maskedSelect(
      torch.tensor(
        [
          [true, false, true],
          [false, false, true],
        ],
        { device },
      ),
    );
    expect(await picked.toArray()).toEqual([1, 1, 2]);
    picked.sum().backward();
    expect(await x.grad!.toArray()).toEqual([[2], [1]]);
  });

  it("einsum raises PyTorch's errors", () => {
    const [a, b] = [torch.ones([2, 3], { device }), torch.ones([4, 2], { device })];
    expect(() => torch.einsum('ij,jk->ik', a)).toThrow(
      'einsum(): fewer operands were provided than specified in the equation',
    );
    expect(() => torch.einsum('ij->ij', a, b)).toThrow(
      'einsum(): more operands were provided than specified in the equation',
    );
    expect(() => torch.einsum('ijk->i', a)).toThrow(
      'einsum(): the number of subscripts in the equation (3) does not match the number of dimensions (2) for operand 0 and no ellipsis was given',
    );
    expect(() => torch.einsum('ij,jk->ik', a, b)).toThrow(/subscript j has size 4 for operand 1/);
    expect(() => torch.einsum('ij->ii', a)).toThrow(
      'einsum(): output subscript i appears more than once in the output',
    );
    expect(() => torch.einsum('ij->k', a)).toThrow(
      'einsum(): output subscript k does not appear in the equation for any input operand',
    );
    expect(() => torch.einsum('i1->i', a)).toThrow(
      'einsum(): invalid subscript given at index 1 in the equation string',
    );
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
    ['cummax', (x: Tensor) => x.cummax(0).values, [0.3, -1, 2, 1.5, 2.5]],
    [
      'einsum',
      (x: Tensor) => torch.einsum('ij,jk,ii->k', x.reshape([2, 2]), x.reshape([2, 2]).exp(), x.reshape([2, 2])),
      [0.3, -1, 2, 1.5],
    ],
    ['cummin', (x: Tensor) => x.cummin(0).values, [0.3, -1, 2, -1.5, 2.5]],
  ] as const)('%s', async (_, fn, data) => {
    expect(await torch.autograd.gradcheck(fn, [f64([...data])])).toBe(true);
  });
});
