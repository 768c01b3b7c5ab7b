/**
 * The names engine/API.md added after ops.py against PyTorch's own numbers: each case of
 * test/fixtures/pytorch/names.json (made by names.py with PyTorch 1.13) runs here as the same
 * expression in the kit's names, and must give PyTorch's outputs and gradients. Their errors, in
 * PyTorch's words, and their gradchecks sit below.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import type { Tensor } from '#engine';
import type { ValuesIndices } from '../../engine/tensor/values-indices.ts';
import FIXTURE from '../fixtures/pytorch/names.json' with { type: 'json' };
import { devices } from '../helpers/devices.ts';
import { checkCase, decode, expectMatches, TOLERANCE, type Case, type Out } from './pytorch-fixture.ts';

const CASES = FIXTURE.cases as Record<string, Case>;
const F = torch.nn.functional;

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
  conv1d: (x, w, b) => F.conv1d(x, w, b, 2, 1, 1, 2),
  conv1d_same_dilated: (x, w) => F.conv1d(x, w, { padding: 'same', dilation: 2 }),
  conv1d_valid: (x, w) => F.conv1d(x, w, { padding: 'valid' }),
  max_pool1d: (x) => F.maxPool1d(x, 3, { stride: 2, padding: 1 }),
  max_pool1d_indices: (x) => F.maxPool1d(x, 2, { returnIndices: true }),
  max_pool1d_ceil_unbatched: (x) => F.maxPool1d(x, 3, { ceilMode: true, dilation: 2 }),
  avg_pool1d: (x) => F.avgPool1d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
  unfold: (x) => F.unfold(x, [2, 3], { dilation: 1, padding: 1, stride: 2 }),
  unfold_unbatched: (x) => F.unfold(x, 2),
  fold: (x) => F.fold(x, [4, 5], 2, { stride: 1 }),
  fold_padded_unbatched: (x) => F.fold(x, [5, 5], [3, 3], { padding: 1, stride: 2, dilation: 1 }),
  group_norm: (x, w, b) => F.groupNorm(x, 3, w, b, 1e-3),
  group_norm_4d_plain: (x) => F.groupNorm(x, 2),
  instance_norm: (x, w, b) => F.instanceNorm(x, { weight: w, bias: b }),
  instance_norm_1d: (x) => F.instanceNorm(x, { eps: 1e-2 }),
  pixel_shuffle: (x) => F.pixelShuffle(x, 2),
  pixel_unshuffle: (x) => F.pixelUnshuffle(x, 3),
  pixel_shuffle_batched: (x) => new torch.nn.PixelShuffle(3).call(x),
  interpolate_nearest: (x) => F.interpolate(x, { size: [7, 3] }),
  interpolate_nearest_scale: (x) => F.interpolate(x, { scaleFactor: 2 }),
  interpolate_nearest_fraction: (x) => F.interpolate(x, { scaleFactor: 1.7 }),
  interpolate_nearest_exact: (x) => F.interpolate(x, { size: [6, 3], mode: 'nearest-exact' }),
  interpolate_bilinear: (x) => F.interpolate(x, [7, 9], null, 'bilinear'),
  interpolate_bilinear_align: (x) => F.interpolate(x, { size: [7, 9], mode: 'bilinear', alignCorners: true }),
  interpolate_bilinear_scale: (x) => F.interpolate(x, { scaleFactor: [1.5, 0.6], mode: 'bilinear' }),
  interpolate_bilinear_recompute: (x) =>
    F.interpolate(x, { scaleFactor: 1.5, mode: 'bilinear', recomputeScaleFactor: true }),
  interpolate_bilinear_down_align: (x) => F.interpolate(x, { size: [2, 3], mode: 'bilinear', alignCorners: true }),
  interpolate_linear: (x) => F.interpolate(x, { size: 11, mode: 'linear' }),
  interpolate_linear_align: (x) => F.interpolate(x, { scaleFactor: 2.5, mode: 'linear', alignCorners: true }),
  interpolate_nearest_1d: (x) => F.interpolate(x, { size: 9 }),
  interpolate_area: (x) => F.interpolate(x, { size: [2, 3], mode: 'area' }),
  upsample_bilinear2d: (x) => new torch.nn.UpsamplingBilinear2d(null, 2).call(x),
  upsample_module: (x) => new torch.nn.Upsample({ scaleFactor: 3, mode: 'nearest' }).call(x),
  multinomial: (p) => seeded(3, () => torch.multinomial(p, 4)),
  multinomial_one: (p) => seeded(4, () => p.multinomial(1)),
  multinomial_replacement: (p) => seeded(5, () => torch.multinomial(p, 20, { replacement: true })),
  multinomial_1d: (p) => seeded(6, () => torch.multinomial(p, 6, true)),
  multinomial_1d_float64: (p) => seeded(7, () => torch.multinomial(p, 3)),
  index_put: (x, v) =>
    torch.indexPut(
      x,
      [torch.tensor([0, 2, -1], { device: x.device }), torch.tensor([1, 3, 0], { device: x.device })],
      v!,
    ),
  index_put_accumulate: (x, v) => x.indexPut([torch.tensor([0, 0, 2], { device: x.device })], v!, { accumulate: true }),
  index_put_broadcast_rows: (x, v) =>
    torch.indexPut(x, [torch.tensor([[0], [2]], { device: x.device }), torch.tensor([1, 2], { device: x.device })], v!),
  index_put_inplace: (x, v) =>
    x.mul(1).indexPut_([torch.tensor([1], { device: x.device }), torch.tensor([2], { device: x.device })], v!, true),
  index_put_mask: (x, v) => torch.indexPut(x, [x.gt(0.3)], v!),
};

/** fn's result after torch.manualSeed(seed). */
function seeded<T>(seed: number, fn: () => T): T {
  torch.manualSeed(seed);
  return fn();
}

/** Cases checked by a test of their own below. */
const SPECIAL = ['conv1d_init_seed0', 'instance_norm_running_stats', 'instance_norm2d_module'];

/** Cases a backend cannot run, and why. */
const UNSUPPORTED: Partial<Record<torch.Device, Record<string, string>>> = {
  webgpu: {
    repeat_interleave_flat: 'WebGPU cannot read the repeats at once: without outputSize an error says so',
    repeat_interleave_repeats_only: 'likewise',
    multinomial_1d_float64: 'WebGPU has no float64',
    index_put_mask: 'a bool mask is counted on the host: on WebGPU pass its nonzero indices',
  },
};

/** Where float32 in another order than PyTorch's shows more than TOLERANCE allows, and why. */
const LOOSER: Record<string, { rtol: number; atol: number }> = {};

describe.each(devices)('names after ops.py against PyTorch 1.13 on %s', (device) => {
  it('runs every case names.json pins', () => {
    expect(Object.keys(CASES).filter((n) => !(n in OPS) && !SPECIAL.includes(n))).toEqual([]);
  });

  it('Conv1d: seeded initial weight and bias, and repr', async () => {
    const c = CASES.conv1d_init_seed0!;
    torch.manualSeed(0);
    const conv = new torch.nn.Conv1d(3, 4, 2).to(device);
    await expectMatches(conv.weight, c.outputs[0]!, 'weight');
    await expectMatches(conv.bias!, c.outputs[1]!, 'bias');
    expect(String(conv)).toBe((FIXTURE.cases.conv1d_init_seed0 as { repr: string }).repr);
  });

  it("MaxPool1d, AvgPool1d, Unfold and Fold as layers: their functions, with PyTorch's reprs", async () => {
    const x = torch.randn([2, 3, 8], { device });
    expect(String(new torch.nn.MaxPool1d(2))).toBe(
      'MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)',
    );
    expect(String(new torch.nn.AvgPool1d(2))).toBe('AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))');
    expect(await (new torch.nn.MaxPool1d(3, 2).call(x) as Tensor).toArray()).toEqual(
      await F.maxPool1d(x, 3, 2).toArray(),
    );
    const [v, i] = new torch.nn.MaxPool1d(2, { returnIndices: true }).call(x) as ValuesIndices;
    expect(await i!.toArray()).toEqual(await F.maxPool1d(x, 2, { returnIndices: true }).indices.toArray());
    expect(v!.shape).toEqual([2, 3, 4]);
    expect(await new torch.nn.AvgPool1d(2).call(x).toArray()).toEqual(await F.avgPool1d(x, 2).toArray());
    const img = torch.randn([1, 2, 4, 4], { device });
    const cols = new torch.nn.Unfold(2, { stride: 2 }).call(img);
    expect(await new torch.nn.Fold([4, 4], 2, { stride: 2 }).call(cols).toArray()).toEqual(await img.toArray());
  });

  it("F.instanceNorm: running estimates move toward the instances' average, then normalise", async () => {
    const c = CASES.instance_norm_running_stats!;
    const x = decode(c.inputs[0]!, device, false);
    const [rm, rv] = [torch.zeros(3, { device }), torch.ones(3, { device })];
    await expectMatches(
      F.instanceNorm(x, rm, rv, { useInputStats: true, momentum: 0.2 }),
      c.outputs[0]!,
      'training output',
    );
    await expectMatches(rm, c.outputs[1]!, 'running mean');
    await expectMatches(rv, c.outputs[2]!, 'running var');
    await expectMatches(
      F.instanceNorm(x, rm, rv, { useInputStats: false }),
      c.outputs[3]!,
      'output from running estimates',
    );
  });

  it('InstanceNorm2d with affine and running estimates: training, then eval on an unbatched input; repr', async () => {
    const c = CASES.instance_norm2d_module!;
    const x = decode(c.inputs[0]!, device, false);
    const norm = new torch.nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true }).to(device);
    torch.noGrad(() => {
      norm.weight!.copy_(torch.tensor([1.5, -0.5, 2.0], { device }));
      norm.bias!.copy_(torch.tensor([0.1, 0.2, -0.3], { device }));
    });
    await expectMatches(norm.call(x), c.outputs[0]!, 'training output');
    await expectMatches(norm.runningMean!, c.outputs[1]!, 'running mean');
    await expectMatches(norm.runningVar!, c.outputs[2]!, 'running var');
    norm.eval();
    await expectMatches(norm.call(x.index(0)), c.outputs[3]!, 'eval output');
    expect(String(norm)).toBe((FIXTURE.cases.instance_norm2d_module as { repr: string }).repr);
  });

  it("GroupNorm, InstanceNorm1d and PixelShuffle: PyTorch's defaults, reprs and errors", async () => {
    const gn = new torch.nn.GroupNorm(2, 4).to(device);
    expect(String(gn)).toBe('GroupNorm(2, 4, eps=1e-05, affine=True)');
    const x = torch.randn([3, 4, 5], { device });
    expect(await gn.call(x).toArray()).toEqual(await F.groupNorm(x, 2, { weight: gn.weight, bias: gn.bias }).toArray());
    expect(() => new torch.nn.GroupNorm(3, 4)).toThrow('num_channels must be divisible by num_groups');
    expect(() => F.groupNorm(x, 3)).toThrow(
      'Expected number of channels in input to be divisible by num_groups, but got input of shape [3, 4, 5] and num_groups=3',
    );
    const inorm = new torch.nn.InstanceNorm1d(4);
    expect(String(inorm)).toBe('InstanceNorm1d(4, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)');
    expect([inorm.weight, inorm.runningMean]).toEqual([null, null]);
    expect(inorm.call(x.index(0)).shape).toEqual([4, 5]);
    expect(() => inorm.call(x.unsqueeze(0))).toThrow('expected 2D or 3D input (got 4D input)');
    expect(String(new torch.nn.PixelShuffle(2))).toBe('PixelShuffle(upscale_factor=2)');
    expect(String(new torch.nn.PixelUnshuffle(2))).toBe('PixelUnshuffle(downscale_factor=2)');
    expect(() => F.pixelShuffle(torch.ones([1, 5, 2, 2], { device }), 2)).toThrow(
      "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=5 is not divisible by 4",
    );
    expect(() => F.pixelUnshuffle(torch.ones([1, 5, 2], { device }), 2)).toThrow(
      'pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=5 is not divisible by 2',
    );
  });

  it("multinomial: PyTorch's errors, and a generator of its own", async () => {
    const p = torch.tensor([0.2, 0.8], { device });
    expect(() => torch.multinomial(torch.tensor([1, 2], { device }), 1)).toThrow(
      'multinomial only supports floating-point dtypes for input, got: Int',
    );
    expect(() => torch.multinomial(p, 3)).toThrow(
      'cannot sample n_sample > prob_dist.size(-1) samples without replacement',
    );
    expect(() => torch.multinomial(p, 0)).toThrow('cannot sample n_sample <= 0 samples');
    expect(() => torch.multinomial(p.reshape([1, 1, 2]), 1)).toThrow('prob_dist must be 1 or 2 dim');
    if (device === 'cpu') {
      expect(() => torch.multinomial(torch.tensor([0.5, -1]), 1)).toThrow(
        'probability tensor contains either `inf`, `nan` or element < 0',
      );
      expect(() => torch.multinomial(torch.zeros(2), 1)).toThrow(
        'invalid multinomial distribution (sum of probabilities <= 0)',
      );
    }
    const g = new torch.Generator().manualSeed(5);
    const a = await torch.multinomial(p, 8, true, { generator: g }).toArray();
    g.manualSeed(5);
    expect(await p.multinomial(8, { replacement: true, generator: g }).toArray()).toEqual(a);
  });

  it("indexPut: PyTorch's errors", () => {
    const x = torch.zeros([3, 4], { device });
    const i = torch.tensor([0, 1], { device });
    expect(() => x.indexPut([i], torch.ones(2, { dtype: 'float64' }))).toThrow(
      'Index put requires the source and destination dtypes match, got float32 for the destination and float64 for the source.',
    );
    expect(() => x.indexPut([i, torch.tensor([0, 1, 2], { device })], 1)).toThrow(
      'shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]',
    );
    expect(() => x.indexPut([i], torch.ones(3, { device }))).toThrow(
      'shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [2, 4]',
    );
    expect(() => x.indexPut([i, i, i], 1)).toThrow('too many indices for tensor of dimension 2 (got 3)');
  });

  it("interpolate and Upsample: PyTorch's reprs and errors", () => {
    const x = torch.ones([1, 1, 3, 3], { device });
    expect(String(new torch.nn.Upsample({ size: [3, 4], mode: 'bilinear', alignCorners: true }))).toBe(
      'Upsample(size=(3, 4), mode=bilinear)',
    );
    expect(String(new torch.nn.Upsample(null, 2))).toBe('Upsample(scale_factor=2.0, mode=nearest)');
    expect(() => F.interpolate(x)).toThrow('either size or scale_factor should be defined');
    expect(() => F.interpolate(x, { size: 2, scaleFactor: 2 })).toThrow(
      'only one of size or scale_factor should be defined',
    );
    expect(() => F.interpolate(x, { size: 4, alignCorners: true })).toThrow(
      'align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear',
    );
    expect(() => F.interpolate(x.squeeze(0), { size: 4, mode: 'bilinear' })).toThrow(
      'Got 3D input, but bilinear mode needs 4D input',
    );
    expect(() => F.interpolate(x, { size: [4, 5, 6] })).toThrow(
      'Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [3, 3] and output size of (4, 5, 6).',
    );
  });

  it("conv1d, max_pool1d, unfold and fold raise PyTorch's errors", () => {
    const x = torch.ones([2, 3, 5], { device });
    expect(() => F.conv1d(x, torch.ones([4, 2, 2], { device }))).toThrow(
      'Given groups=1, weight of size [4, 2, 2], expected input[2, 3, 5] to have 2 channels, but got 3 channels instead',
    );
    expect(() => F.conv1d(x.unsqueeze(3), torch.ones([4, 3, 2], { device }))).toThrow(
      'Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [2, 3, 5, 1]',
    );
    expect(() => F.conv1d(torch.ones([2, 3, 1], { device }), torch.ones([4, 3, 2], { device }))).toThrow(
      "Calculated padded input size per channel: (1). Kernel size: (2). Kernel size can't be greater than actual input size",
    );
    expect(() => F.maxPool1d(x.unsqueeze(3), 2)).toThrow(
      'max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:[2, 3, 5, 1]',
    );
    expect(() => F.fold(torch.ones([1, 12, 8], { device }), [4, 4], 2)).toThrow(
      "expected size of input's dimension 2 to match the calculated number of sliding blocks 3 * 3 = 9, but got input.size(2)=8.",
    );
    expect(() => F.fold(torch.ones([1, 10, 9], { device }), [4, 4], 2)).toThrow(
      "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=10 and kernel_size=(2, 2).",
    );
    expect(() => new torch.nn.Conv1d(3, 4, 2, { groups: 2 })).toThrow('in_channels must be divisible by groups');
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
      'interpolate',
      (x: Tensor) => F.interpolate(x.reshape([1, 1, 2, 3]), { size: [3, 5], mode: 'bilinear' }).exp(),
      [0.3, -1, 2, 1.5, 2.5, -0.7],
    ],
    [
      'groupNorm',
      (x: Tensor) => F.groupNorm(x.reshape([1, 4, 2]), 2, { weight: x.index(0).add(x.index(1)).expand(4) }),
      [0.3, -1, 2, 1.5, 2.5, -0.7, 0.2, 1.1],
    ],
    [
      'instanceNorm',
      (x: Tensor) => F.instanceNorm(x.reshape([2, 1, 4])).mul(x.reshape([2, 1, 4]).exp()),
      [0.3, -1, 2, 1.5, 2.5, -0.7, 0.2, 1.1],
    ],
    [
      'conv1d',
      (x: Tensor) => F.conv1d(x.reshape([1, 2, 3]), x.reshape([2, 1, 3]).flip(2), { groups: 2, padding: 1 }),
      [0.3, -1, 2, 1.5, 2.5, -0.7],
    ],
    [
      'fold',
      (x: Tensor) => F.fold(F.unfold(x.reshape([1, 1, 2, 3]), 2, { padding: 1 }).exp(), [2, 3], 2, { padding: 1 }),
      [0.3, -1, 2, 1.5, 2.5, -0.7],
    ],
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

describe('nn.ParameterDict', () => {
  it("holds parameters by name, as PyTorch's: registered, in the state dict, printed", () => {
    const pd = new torch.nn.ParameterDict({ a: torch.ones(2, 3), b: torch.zeros(2) });
    expect(pd.keys()).toEqual(['a', 'b']);
    expect(pd.a).toBeInstanceOf(torch.nn.Parameter);
    expect(pd.get('b')!.requiresGrad).toBe(true);
    expect(String(pd)).toBe(
      [
        'ParameterDict(',
        '    (a): Parameter containing: [torch.FloatTensor of size 2x3]',
        '    (b): Parameter containing: [torch.FloatTensor of size 2]',
        ')',
      ].join('\n'),
    );
    pd.set('c', torch.ones(1, { dtype: 'float64' }));
    expect([pd.length, pd.has('c'), [...pd]]).toEqual([3, true, ['a', 'b', 'c']]);
    expect(pd.pop('a').shape).toEqual([2, 3]);
    expect(() => pd.pop('a')).toThrow("KeyError: 'a'");
    class Model extends torch.nn.Module {
      params = new torch.nn.ParameterDict([['w', torch.ones(2)]]);
    }
    const m = new Model();
    expect(Object.keys(m.stateDict())).toEqual(['params.w']);
    expect(m.parameters()).toHaveLength(1);
    pd.clear();
    expect(pd.length).toBe(0);
    expect(() => pd.update(3 as never)).toThrow(/must be a mapping or an iterable/);
  });
});

describe('torch.setDefaultDtype / getDefaultDtype', () => {
  it('sets the float dtype factories, inference and layers give, as PyTorch', () => {
    expect(torch.getDefaultDtype()).toBe('float32');
    try {
      torch.setDefaultDtype('float64');
      expect(torch.getDefaultDtype()).toBe('float64');
      const made = [
        torch.tensor([1.5, 2]),
        torch.tensor([]),
        torch.zeros(2),
        torch.ones([2, 2]),
        torch.full([2], 0.5),
        torch.rand(2),
        torch.randn(2),
        torch.linspace(0, 1, 3),
        torch.arange(0, 1, 0.25),
        torch.eye(2),
        new torch.nn.Linear(2, 3).weight,
      ];
      expect(made.map((t) => t.dtype)).toEqual(Array(made.length).fill('float64'));
      expect([torch.tensor([1, 2]).dtype, torch.arange(3).dtype, torch.full([1], true).dtype]).toEqual([
        'int32',
        'int32',
        'bool',
      ]);
      expect(torch.zeros(2, { dtype: 'float32' }).dtype).toBe('float32');
      expect(() => torch.setDefaultDtype('int32')).toThrow(
        'only floating-point types are supported as the default type',
      );
    } finally {
      torch.setDefaultDtype('float32');
    }
    expect(torch.zeros(1).dtype).toBe('float32');
  });
});
