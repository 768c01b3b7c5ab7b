/**
 * The engine against PyTorch's own numbers: each case of test/fixtures/pytorch/ops.json (made by
 * ops.py with PyTorch 1.13) runs here as the same expression in the kit's names, on the inputs
 * PyTorch used, and must give PyTorch's outputs and, where PyTorch recorded them, the inputs'
 * gradients of sum(output · upstream ramp). Edge cases are the point of many cases (±1000 logits,
 * exact ties, zeros, clamp's boundaries, BCE's log clamp, float16 overflow), so a formula that
 * is right in the middle and wrong at the edge fails here with the case's name.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import type { Device, Tensor } from '#engine';
import FIXTURE from '../fixtures/pytorch/ops.json' with { type: 'json' };
import { devices } from '../helpers/devices.ts';
import { checkCase, decode, expectMatches, number, ramp, TOLERANCE, type Case, type Out } from './pytorch-fixture.ts';

const F = torch.nn.functional;
const CASES = FIXTURE.cases as Record<string, Case>;

/** The engine's twin of each ops.py case that has inputs and outputs of its own (optimizers and schedulers run below). */
const OPS: Record<string, (...xs: Tensor[]) => Out> = {
  add_broadcast: (a, b) => a.add(b),
  mul_broadcast: (a, b) => a.mul(b),
  div: (a, b) => a.div(b),
  pow_scalar: (a) => a.pow(3),
  pow_fractional: (a) => a.abs().pow(0.5),
  sigmoid_extremes: (x) => torch.sigmoid(x),
  tanh_extremes: (x) => torch.tanh(x),
  relu_at_zero: (x) => torch.relu(x),
  abs_at_zero: (x) => x.abs(),
  clamp_boundaries: (x) => x.clamp(-0.5, 0.5),
  clamp_min_only: (x) => x.clamp({ min: 0 }),
  maximum_ties: (a, b) => torch.maximum(a, b),
  exp_log: (x) => x.exp().add(x.abs().add(0.1).log()),
  sqrt_rsqrt: (x) => x.sqrt().add(x.rsqrt()),
  sin_cos: (x) => x.sin().mul(x.cos()),
  where: (c, a, b) => torch.where(c, a, b),
  square_neg: (x) => x.square().neg(),
  pow_edges: (x) => x.pow(2).add(x.abs().pow(0)),
  sqrt_log_at_zero: (x) => x.sqrt().add(x.log()),
  div_by_zero: (a, b) => a.div(b),
  round_half_even: (x) => x.round(),
  sign_floor_ceil: (x) => torch.stack([x.sign(), x.floor(), x.ceil()]),
  int_true_division: (a) => a.div(2),
  int_times_float_scalar: (a) => a.mul(2.5),
  int_plus_float_tensor: (a, b) => a.add(b),
  clamp_tensor_bounds: (x, lo, hi) => x.clamp(lo, hi),
  clamp_tensor_crossed: (x, lo, hi) => torch.clamp(x, lo, hi),
  clamp_tensor_min_broadcast: (x, lo) => x.clamp({ min: lo }),
  sum_dim_keepdim: (x) => x.sum({ dim: 1, keepdim: true }),
  mean_dim0: (x) => x.mean(0),
  mean_all: (x) => x.mean(),
  std_unbiased: (x) => x.std(),
  std_dim1: (x) => x.std(1),
  var_biased_dim0: (x) => x.var({ dim: 0, unbiased: false }),
  var_keepdim: (x) => x.var({ dim: 1, keepdim: true }),
  max_dim: (x) => {
    const [values, indices] = x.max(1);
    return [values, indices];
  },
  min_all: (x) => x.min(),
  argmax_dim: (x) => x.argmax(1),
  norm_default: (x) => x.norm(),
  norm_p1_dim: (x) => x.norm(1, 1),
  logsumexp_large: (x) => torch.logsumexp(x, 1),
  prod_with_zero: (x) => x.prod(),
  prod_two_zeros: (x) => x.prod(),
  prod_dim_with_zero: (x) => x.prod(1),
  prod_dim: (x) => x.prod(1),
  softmax_large: (x) => torch.softmax(x, 1),
  log_softmax_large: (x) => torch.logSoftmax(x, 1),
  softmax_dim0: (x) => torch.softmax(x, 0),
  std_single_element: (x) => x.std(),
  var_correction0_dims: (x) => x.var({ dim: [0, 2], unbiased: false }),
  std_dims_keepdim: (x) => x.std({ dim: [1, 2], keepdim: true }),
  mean_empty: (x) => x.mean(),
  sum_empty: (x) => x.sum(),
  argmax_ties_first: (x) => x.argmax(1),
  softmax_masked_row: (x) => torch.softmax(x, 1),
  int_sum: (x) => x.sum(),
  bool_sum_mean_of_eq: (a, b) => a.eq(b).float().mean(),
  transpose_matmul: (a, b) => a.t().matmul(b),
  matmul_batched_broadcast: (a, b) => a.matmul(b),
  matmul_vector_matrix: (a, b) => a.matmul(b),
  matmul_matrix_vector: (a, b) => a.matmul(b),
  bmm: (a, b) => torch.bmm(a, b),
  dot: (a, b) => torch.dot(a, b),
  cat_dim1: (a, b) => torch.cat([a, b], 1),
  stack_dim1: (a, b) => torch.stack([a, b], 1),
  permute_reshape: (x) => x.permute(2, 0, 1).reshape(4, 6),
  gather: (x, i) => x.gather(1, i),
  index_select: (x, i) => x.indexSelect(0, i),
  masked_fill: (x, mask) => x.maskedFill(mask, -1e9),
  unsqueeze_expand_sum: (x) => x.unsqueeze(1).expand(3, 2, 4).sum(0),
  topk: (x) => {
    const [values, indices] = x.topk(2, 1);
    return [values, indices];
  },
  sort_descending: (x) => {
    const [values, indices] = x.sort(1, true);
    return [values, indices];
  },
  cross_entropy: (x, t) => F.crossEntropy(x, t),
  cross_entropy_sum: (x, t) => F.crossEntropy(x, t, { reduction: 'sum' }),
  cross_entropy_none: (x, t) => F.crossEntropy(x, t, { reduction: 'none' }),
  cross_entropy_weight: (x, t) => F.crossEntropy(x, t, { weight: torch.tensor([1, 2, 0.5], { device: x.device }) }),
  cross_entropy_ignore_index: (x, t) => F.crossEntropy(x, t, { ignoreIndex: 2 }),
  cross_entropy_label_smoothing: (x, t) => F.crossEntropy(x, t, { labelSmoothing: 0.1 }),
  cross_entropy_large_logits: (x, t) => F.crossEntropy(x, t),
  cross_entropy_soft_targets: (x, p) => F.crossEntropy(x, p),
  cross_entropy_ignore_default: (x, t) => F.crossEntropy(x, t),
  cross_entropy_spatial: (x, t) => F.crossEntropy(x, t),
  cross_entropy_weight_ignore_smoothing: (x, t) =>
    F.crossEntropy(x, t, {
      weight: torch.tensor([1, 2, 0.5], { device: x.device }),
      ignoreIndex: 0,
      labelSmoothing: 0.2,
    }),
  nll_loss_weight: (x, t) => F.nllLoss(x, t, { weight: torch.tensor([0.2, 1, 3], { device: x.device }) }),
  nll_loss: (x, t) => F.nllLoss(torch.logSoftmax(x, 1), t),
  mse_loss: (a, b) => F.mseLoss(a, b),
  mse_loss_sum: (a, b) => F.mseLoss(a, b, { reduction: 'sum' }),
  l1_loss_with_tie: (a, b) => F.l1Loss(a, b),
  bce_at_0_and_1: (p, y) => F.binaryCrossEntropy(p, y),
  bce: (p, y) => F.binaryCrossEntropy(p, y),
  bce_with_logits_extremes: (z, y) => F.binaryCrossEntropyWithLogits(z, y),
  bce_with_logits_pos_weight: (z, y) =>
    F.binaryCrossEntropyWithLogits(z, y, { posWeight: torch.tensor(3, { dtype: 'float32', device: z.device }) }),
  linear: (x, w, b) => F.linear(x, w, b),
  layer_norm: (x, w, b) => F.layerNorm(x, [4], w, b),
  batch_norm_train: (x, w, b) => F.batchNorm(x, null, null, w, b, true),
  batch_norm_2d_train: (x) => F.batchNorm(x, null, null, { training: true }),
  conv2d: (x, w, b) => F.conv2d(x, w, b, 1, 1),
  conv2d_stride_dilation: (x, w) => F.conv2d(x, w, { stride: 2, dilation: 2, padding: 2 }),
  conv2d_groups: (x, w) => F.conv2d(x, w, { groups: 2 }),
  max_pool2d: (x) => F.maxPool2d(x, 2),
  max_pool2d_stride_padding: (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }),
  one_hot: (t) => F.oneHot(t, 4),
  pad_constant: (x) => F.pad(x, [1, 2], { value: 0.5 }),
  dropout_eval: (x) => F.dropout(x, 0.5, false),
  to_bfloat16: (x) => x.to('bfloat16').float(),
  to_float16: (x) => x.to('float16').float(),
  isclose: (a, b) =>
    torch.stack([
      torch.isclose(a, b),
      torch.isclose(a, b, { rtol: 1e-4, atol: 1e-8, equalNan: true }),
      a.isclose(b, 0, 1e-8),
    ]),
  isnan_isinf_isfinite: (x) => torch.stack([x.isnan(), torch.isinf(x), torch.isfinite(x)]),
  all_any: (x) => [
    x.all(),
    torch.any(x),
    x.all(1),
    x.any(0, true),
    torch.zeros(0, { device: x.device }).all(),
    torch.zeros(0, { device: x.device }).any(),
  ],
  clamp_min_max: (x) => torch.stack([x.clampMin(-0.5), torch.clampMax(x, 0.5)]),
  reciprocal: (x) => torch.reciprocal(x),
  log1p_edges: (x) => torch.log1p(x),
  expm1_edges: (x) => torch.expm1(x),
  log2_log10: (x) => torch.stack([torch.log2(x), x.log10()]),
  tan: (x) => torch.tan(x),
  erf_edges: (x) => torch.erf(x),
  trunc_frac: (x) => torch.stack([torch.trunc(x), x.frac()]),
  nan_to_num: (x) => torch.stack([torch.nanToNum(x), x.nanToNum({ nan: 0.5, posinf: 10 })]),
  remainder_signs: (a, b) => torch.remainder(a, b),
  fmod_signs: (a, b) => torch.fmod(a, b),
  remainder_fmod_int: (a) =>
    torch.stack([a.remainder(3), torch.fmod(a, 3), torch.remainder(a, -3), torch.floorDivide(a, 3), a.floorDivide(-3)]),
  floor_divide_float: (a, b) => torch.floorDivide(a, b),
  lerp_scalar: (a, b) => torch.stack([torch.lerp(a, b, 0.3), a.lerp(b, 0.75)]),
  lerp_tensor: (a, b, w) => torch.lerp(a, b, w),
  addcmul_addcdiv: (x, a, b) => torch.addcmul(x, a, b, { value: 0.5 }).add(x.addcdiv(a, b, { value: -2 })),
  amax_ties: (x) => x.amax(1),
  amin_dims_keepdim: (x) => torch.amin(x, [0, 2], true),
  amax_all: (x) => torch.amax(x),
  cumsum_dim1: (x) => torch.cumsum(x, 1),
  cumsum_int: (x) => x.cumsum(0),
  cumprod_zeros: (x) => torch.cumprod(x, 1),
  cumprod_dim0: (x) => x.cumprod({ dim: 0 }),
  flip: (x) => torch.flip(x, [0, 2]),
  repeat: (x) => x.repeat(2, 1, 3),
  tile: (x) => torch.tile(x, [2]),
  tril_triu: (x) => torch.stack([torch.tril(x), x.triu(1), torch.tril(x, -1)]),
  diag_vector_offset: (x) =>
    torch.stack([torch.diag(x, 1).slice(0, 0, 3).slice(1, 1), torch.diag(x, -1).slice(0, 1).slice(1, 0, 3)]),
  diag_matrix: (x) => torch.diag(x, -1),
  outer: (a, b) => torch.outer(a, b),
  mv: (m, v) => torch.mv(m, v),
  addmm: (x, a, b) => torch.addmm(x, a, b, { beta: 0.5, alpha: 2 }),
  unbind: (x) => torch.unbind(x, 1),
  movedim_swapaxes: (x) => torch.movedim(x, [0, 1], [2, 0]).swapaxes(0, 1).reshape(-1),
  leaky_relu: (x) => torch.stack([F.leakyRelu(x), F.leakyRelu(x, 0.2)]),
  elu: (x) => torch.stack([F.elu(x), F.elu(x, { alpha: 0.5 })]),
  gelu: (x) => F.gelu(x),
  gelu_tanh: (x) => F.gelu(x, { approximate: 'tanh' }),
  silu: (x) => F.silu(x),
  softplus: (x) => torch.stack([F.softplus(x), F.softplus(x, { beta: 2, threshold: 5 })]),
  relu6_hardtanh: (x) => torch.stack([F.relu6(x), F.hardtanh(x), F.hardtanh(x, -2, 0.5)]),
  logsigmoid: (x) => F.logsigmoid(x),
  softmin: (x) => F.softmin(x, 1),
  avg_pool2d: (x) => F.avgPool2d(x, 2),
  avg_pool2d_padding: (x) =>
    torch.cat([
      F.avgPool2d(x, 3, { stride: 2, padding: 1 }).flatten(),
      F.avgPool2d(x, 3, 2, 1, false, false).flatten(),
    ]),
  avg_pool2d_ceil_divisor: (x) =>
    torch.cat([F.avgPool2d(x, 2, { ceilMode: true }).flatten(), F.avgPool2d(x, 2, { divisorOverride: 3 }).flatten()]),
  adaptive_avg_pool2d: (x) => F.adaptiveAvgPool2d(x, [3, 2]),
  adaptive_avg_pool2d_divides: (x) => F.adaptiveAvgPool2d(x, 1),
  embedding_padding: (w, i) => F.embedding(i, w, { paddingIdx: 0 }),
  smooth_l1_loss: (a, b) => torch.stack([F.smoothL1Loss(a, b), F.smoothL1Loss(a, b, { beta: 0.5, reduction: 'sum' })]),
  huber_loss: (a, b) => torch.stack([F.huberLoss(a, b), F.huberLoss(a, b, { delta: 0.5, reduction: 'sum' })]),
  kl_div: (x, t) =>
    torch.stack([
      F.klDiv(x, t, { reduction: 'batchmean' }),
      F.klDiv(x, t, { reduction: 'mean' }),
      F.klDiv(x, t, { reduction: 'sum' }),
    ]),
  kl_div_log_target: (x, t) => F.klDiv(x, t, { reduction: 'none', logTarget: true }),
  normalize: (x) => torch.cat([F.normalize(x).flatten(), F.normalize(x, { p: 1, dim: 0 }).flatten()]),
  cosine_similarity: (a, b) => F.cosineSimilarity(a, b),
  cosine_similarity_dim0_broadcast: (a, b) => F.cosineSimilarity(a, b, { dim: 0 }),
  narrow_select: (x) => torch.narrow(x, 1, 1, 2).mul(torch.select(x, 1, 3).unsqueeze(1)),
  fill_diagonal_wrap: (x) => x.mul(1).fillDiagonal_(0.5, true),
  fill_diagonal_cube: (x) => x.mul(1).fillDiagonal_(-2),
  fill_diagonal_wide: (x) => x.mul(1).fillDiagonal_(7, { wrap: true }),
  reshape_as_type_as: (x, y) => x.reshapeAs(y).typeAs(y).mul(y),
  sinh_cosh: (x) => torch.stack([torch.sinh(x), x.cosh()]),
  div_rounding_modes_int: (a, b) =>
    torch.stack([
      torch.div(a, b, { roundingMode: 'trunc' }),
      torch.divide(a, b, { roundingMode: 'floor' }),
      a.div(b, { roundingMode: 'floor' }),
    ]),
  div_rounding_modes_float: (a, b) =>
    torch.stack([
      torch.div(a, b, { roundingMode: 'trunc' }),
      a.divide(b, { roundingMode: 'floor' }),
      torch.divide(a, b),
      torch.subtract(a, b, { alpha: 2 }),
      torch.multiply(a, b),
      torch.absolute(a),
      torch.negative(b),
    ]),
  torch_cosine_similarity: (a, b) => torch.cosineSimilarity(a, b, { dim: 0 }),
  asin_acos_atan: (x) => torch.stack([torch.asin(x), x.acos(), torch.atan(x)]),
  asin_acos_atan_grad: (x) => torch.stack([torch.asin(x), x.acos(), torch.atan(x)]),
  atan_wide: (x) => x.atan(),
  asin_outside: (x) => torch.asin(x),
  atan2_quadrants: (y, x) => torch.atan2(y, x),
  atan2_edges: (y, x) => y.atan2(x),
  sinh_cosh_overflow: (x) => torch.stack([torch.sinh(x), torch.cosh(x)]),
  exp2: (x) => torch.exp2(x),
  exp2_int: (x) => torch.exp2(x),
  logaddexp: (a, b) => torch.logaddexp(a, b),
  logaddexp2: (a, b) => a.logaddexp2(b),
  logaddexp_infinities: (a, b) => torch.logaddexp(a, b),
  xlogy: (x, y) => torch.xlogy(x, y),
  xlogy_edges: (x, y) => torch.xlogy(x, y),
  xlogy_scalar_int: (y) => torch.stack([torch.xlogy(2, y), torch.xlogy(y, 3)]),
  hypot: (a, b) => torch.hypot(a, b),
  hypot_extremes: (a, b) => a.hypot(b),
  signbit: (x) => torch.signbit(x),
  signbit_int: (x) => x.signbit(),
  deg2rad_rad2deg: (x) => torch.stack([torch.deg2rad(x), x.rad2deg()]),
  deg2rad_int: (x) => torch.deg2rad(x),
  logical_xor_and_or: (a, b) => torch.stack([torch.logicalXor(a, b), torch.logicalAnd(a, b), torch.logicalOr(a, b)]),
  true_divide_int: (a, b) => torch.trueDivide(a, b),
  count_nonzero: (x) => [torch.countNonzero(x), x.countNonzero(0), torch.countNonzero(x, [0, 1])],
  nansum: (x) => torch.stack([torch.nansum(x, 1), x.nansum({ dim: 0 })]),
  nansum_all_int: (x) => torch.nansum(x),
  nanmean: (x) => torch.nanmean(x, 1),
  nanmean_all_keepdim: (x) => torch.cat([torch.nanmean(x).reshape(1), x.nanmean(0, true).flatten()]),
  logcumsumexp: (x) => torch.logcumsumexp(x, 1),
  logcumsumexp_dim0: (x) => x.logcumsumexp(0),
  trace: (x) => torch.trace(x),
  trace_int: (x) => x.trace(),
  diff: (x) => torch.cat([torch.diff(x).flatten(), x.diff({ n: 2, dim: 0 }).flatten()]),
  diff_prepend_append: (x, p, a) => torch.diff(x, { dim: 0, prepend: p, append: a }),
  diff_bool: (x) => torch.diff(x),
  selu_celu: (x) => torch.stack([F.selu(x), F.celu(x), F.celu(x, { alpha: 0.5 })]),
  mish: (x) => F.mish(x),
  hardswish_hardsigmoid: (x) => torch.stack([F.hardswish(x), F.hardsigmoid(x)]),
  hardswish_ends: (x) => F.hardswish(x),
  softsign_tanhshrink: (x) => torch.stack([F.softsign(x), F.tanhshrink(x)]),
  softshrink_hardshrink: (x) =>
    torch.stack([F.softshrink(x), F.softshrink(x, 1), F.hardshrink(x), F.hardshrink(x, { lambd: 0.25 })]),
  threshold: (x) => F.threshold(x, 0.25, -7),
  glu: (x) => torch.cat([F.glu(x).flatten(), F.glu(x, 0).flatten()]),
  prelu_channels: (x, w) => F.prelu(x, w),
  prelu_single: (x, w) => F.prelu(x, w),
  broadcast_to_tensors: (a, b) =>
    torch.cat([torch.broadcastTo(a, [2, 3]).flatten(), ...torch.broadcastTensors(a, b).map((t) => t.flatten())]),
  hstack_vstack: (a, b) => torch.cat([torch.hstack([a, b]).flatten(), torch.vstack([a, b]).flatten()]),
  hstack_2d: (a, b) => torch.hstack([a, b]),
  dstack_column_stack: (a, b) => torch.cat([torch.dstack([a, b]).flatten(), torch.columnStack([a, b]).flatten()]),
  meshgrid_ij_xy: (a, b) =>
    torch.cat(
      [...torch.meshgrid(a, b, { indexing: 'ij' }), ...torch.meshgrid([a, b], { indexing: 'xy' })].map((g) =>
        g.flatten(),
      ),
    ),
  cartesian_prod: (a, b) => torch.cartesianProd(a, b),
  median_all: (x) => torch.median(x),
  index_add: (x, s) => {
    const i = idx(x.device, [0, 2, 0]);
    return torch.cat([torch.indexAdd(x, 0, i, s).flatten(), x.indexAdd(0, i, s, { alpha: -2 }).flatten()]);
  },
  index_add_dim1_inplace: (x, s) => x.mul(1).indexAdd_(1, idx(x.device, [3, 1]), s),
  index_copy: (x, s) =>
    torch.cat([
      torch.indexCopy(x, 0, idx(x.device, [2, 0]), s).flatten(),
      x
        .mul(1)
        .indexCopy_(0, idx(x.device, [1, 2]), s)
        .flatten(),
    ]),
  index_fill: (x) =>
    torch.cat([
      torch.indexFill(x, 1, idx(x.device, [0, 2]), -1).flatten(),
      x
        .mul(1)
        .indexFill_(0, idx(x.device, [1]), 7)
        .flatten(),
    ]),
  scatter: (x, s) => {
    const i = idx(x.device, [
      [2, 1],
      [0, 2],
    ]);
    return torch.cat([
      torch.scatter(x, 1, i, s).flatten(),
      x.scatter(1, i, 5).flatten(),
      x
        .mul(1)
        .scatter_(0, idx(x.device, [[1, 0]]), s.narrow(0, 0, 1))
        .flatten(),
    ]);
  },
  scatter_add_fn: (x, s) =>
    torch.cat([
      torch
        .scatterAdd(
          x,
          1,
          idx(x.device, [
            [2, 1],
            [0, 2],
          ]),
          s,
        )
        .flatten(),
      x
        .mul(1)
        .scatterAdd_(
          1,
          idx(x.device, [
            [0, 0],
            [1, 1],
          ]),
          s,
        )
        .flatten(),
    ]),
  median_dim: (x) => torch.median(x, 1),
  median_nan_dim0_keepdim: (x) => x.median(0, true),
  nanmedian: (x) => [...torch.nanmedian(x, 1), x.nanmedian()],
  kthvalue: (x) => torch.kthvalue(x, 2, 1),
  kthvalue_dim0_keepdim: (x) => x.kthvalue(3, 0, true),
  quantile: (x) =>
    torch.cat([
      torch.quantile(x, 0.3, { dim: 1 }),
      x.quantile(torch.tensor([0, 0.25, 1], { device: x.device }), { dim: 0 }).flatten(),
      torch.quantile(x, 0.5).reshape(1),
    ]),
  quantile_interpolations: (x) =>
    torch.stack(
      (['linear', 'lower', 'higher', 'midpoint', 'nearest'] as const).map((i) =>
        torch.quantile(x, 0.4, { dim: 1, interpolation: i }),
      ),
    ),
  quantile_nan_nanquantile: (x) =>
    torch.cat([
      torch.quantile(x, 0.5, { dim: 1 }),
      torch.nanquantile(x, 0.5, { dim: 1 }),
      torch.nanquantile(x, 0.9, { dim: 1, keepdim: true }).flatten(),
    ]),
  margin_ranking_loss: (a, b) => {
    const y = pm(a.device);
    return torch.stack([F.marginRankingLoss(a, b, y), F.marginRankingLoss(a, b, y, { margin: 0.5, reduction: 'sum' })]);
  },
  hinge_embedding_loss: (x) =>
    torch.cat([
      F.hingeEmbeddingLoss(x, pm(x.device)).reshape(1),
      F.hingeEmbeddingLoss(x, pm(x.device), 0.3, { reduction: 'none' }),
    ]),
  soft_margin_loss: (x) =>
    torch.stack([F.softMarginLoss(x, pm(x.device)), F.softMarginLoss(x, pm(x.device), { reduction: 'sum' })]),
  multilabel_soft_margin_loss: (x) => {
    const y = torch.tensor(
      [
        [1, 0, 1],
        [0, 0, 1],
      ],
      { dtype: 'float32', device: x.device },
    );
    const w = torch.tensor([0.5, 1, 2], { device: x.device });
    return torch.stack([
      F.multilabelSoftMarginLoss(x, y),
      F.multilabelSoftMarginLoss(x, y, { weight: w, reduction: 'sum' }),
    ]);
  },
  cosine_embedding_loss: (a, b) => {
    const y = (v: number[]) => torch.tensor(v, { dtype: 'float32', device: a.device });
    return torch.stack([
      F.cosineEmbeddingLoss(a, b, y([1, -1, -1])),
      F.cosineEmbeddingLoss(a, b, y([1, -1, 1]), { margin: 0.2, reduction: 'sum' }),
    ]);
  },
  pairwise_distance: (a, b) =>
    torch.cat([F.pairwiseDistance(a, b), F.pairwiseDistance(a, b, { p: 1, keepdim: true }).flatten()]),
  triplet_margin_loss: (a, p, n) =>
    torch.stack([
      F.tripletMarginLoss(a, p, n),
      F.tripletMarginLoss(a, p, n, { margin: 0.5, p: 1, swap: true, reduction: 'sum' }),
    ]),
  poisson_nll_loss: (x) => {
    const y = torch.tensor([0, 1, 2, 5], { dtype: 'float32', device: x.device });
    return torch.stack([
      F.poissonNllLoss(x, y),
      F.poissonNllLoss(x.abs().add(0.1), y, { logInput: false, full: true, reduction: 'sum' }),
    ]);
  },
  roll: (x) =>
    torch.cat([torch.roll(x, 1).flatten(), x.roll(-1, 0).flatten(), torch.roll(x, [2, 5], [1, 0]).flatten()]),
  fliplr_flipud_rot90: (x) =>
    torch.cat([
      torch.fliplr(x).flatten(),
      x.flipud().flatten(),
      torch.rot90(x).flatten(),
      x.rot90(2).flatten(),
      torch.rot90(x, -1, [1, 0]).flatten(),
    ]),
  repeat_interleave: (x) =>
    torch.cat([torch.repeatInterleave(x, 2).flatten(), x.repeatInterleave(3, { dim: 1 }).flatten()]),
  kron: (a, b) => torch.kron(a, b),
  kron_mixed_ndim: (a, b) => torch.kron(a, b),
  inner: (a, b) => torch.inner(a, b),
  inner_vectors: (a, b) => a.inner(b),
  tensordot: (a, b) => torch.cat([torch.tensordot(a, b).flatten(), torch.tensordot(a, b, [[0], [2]]).flatten()]),
  tensordot_pairs: (a, b) =>
    torch.tensordot(a, b, {
      dims: [
        [1, 0],
        [0, 2],
      ],
    }),
  cross: (a, b) => torch.stack([torch.cross(a, b), a.cross(b, 1)]),
  cross_broadcast_dim0: (a, b) => torch.cross(a, b, { dim: 0 }),
  take: (x, i) => torch.take(x, i),
  take_along_dim: (x, i) =>
    torch.cat([
      torch.takeAlongDim(x, i, 1).flatten(),
      x.takeAlongDim(torch.tensor([7, 0], { device: x.device })).flatten(),
    ]),
};

/** An int32 index on the case's device. */
function idx(device: Device, values: number[] | number[][]): Tensor {
  return torch.tensor(values, { dtype: 'int32', device });
}

/** ops.py's ±1 targets of the ranking and embedding losses. */
function pm(device: Device): Tensor {
  return torch.tensor([1, -1, 1, -1, 1], { dtype: 'float32', device });
}

/** The engine's twin of each ops.py case that makes a tensor from nothing. */
const FACTORIES: Record<string, (device: Device) => Tensor> = {
  linspace: (device) => torch.linspace(0, 1, 7, { device }),
  linspace_negative: (device) => torch.linspace(-3, 5, 11, { device }),
  arange_float: (device) => torch.arange(0, 1, 0.1, { device }),
  arange_int: (device) => torch.arange(2, 11, 3, { device }),
  tril_triu_indices: (device) =>
    torch.cat([
      torch.trilIndices(3, 4, { device }).flatten(),
      torch.triuIndices(4, 3, 1, { device }).flatten(),
      torch.trilIndices(3, 3, -1, { device }).flatten(),
    ]),
};

/** Cases a backend cannot run, and why: WGSL has no bfloat16 or float64 storage. */
const UNSUPPORTED: Partial<Record<Device, Record<string, string>>> = {
  webgpu: { to_bfloat16: 'WGSL has no bfloat16', reshape_as_type_as: 'WebGPU has no float64' },
};

/**
 * Where PyTorch's own float32 rounding shows: logsumexp's gradient is exp(x − lse) with lse ≈ 1000.69
 * rounded to float32 (one ulp there is 6e-5), so PyTorch gives 0.4999855 where the exact value,
 * which the engine gives, is 0.5.
 */
const LOOSER: Record<string, { rtol: number; atol: number }> = { logsumexp_large: { rtol: 1e-4, atol: 1e-6 } };

describe.each(devices)('the engine against PyTorch 1.13 on %s', (device) => {
  it('runs every case ops.json pins (none missing here)', () => {
    const pinned = Object.keys(CASES).filter((n) => !n.startsWith('optim_') && !n.startsWith('sched_'));
    const special = [
      'conv2d_init_seed0',
      'linear_autocast_bfloat16',
      'linear_quantized_dynamic',
      'batch_norm_running_stats',
      'clip_grad_norm',
      'clip_grad_norm_inf',
      'clip_grad_norm_no_op',
      'clip_grad_value',
      'calculate_gain',
      'equal_allclose',
    ];
    expect(pinned.filter((n) => !(n in OPS) && !(n in FACTORIES) && !special.includes(n))).toEqual([]);
  });

  it.each(Object.keys(OPS))('%s', async (name) => {
    const skip = UNSUPPORTED[device]?.[name];
    if (skip) return;
    const c = CASES[name];
    if (!c) throw new Error(`ops.json has no case ${name}: run test/fixtures/pytorch/ops.py`);
    await checkCase(c, OPS[name]!, device, LOOSER[name] ?? TOLERANCE);
  });

  it.each(Object.keys(FACTORIES))('%s', async (name) => {
    await expectMatches(FACTORIES[name]!(device), CASES[name]!.outputs[0]!, 'output');
  });

  it('equal and allclose: async booleans, where PyTorch returns Python bools', async () => {
    const c = CASES.equal_allclose!;
    const [a, b] = c.inputs.map((e) => decode(e, device, false));
    const near = decode(CASES.isclose!.inputs[0]!, device, false);
    const got = [
      await torch.equal(a!, a!.clone()),
      await a!.equal(b!),
      await torch.equal(a!, a!.index(0)),
      await torch.allclose(a!, b!),
      await a!.allclose(b!, { atol: 1e-3 }),
      await torch.equal(near, near),
    ];
    expect(got).toEqual(c.outputs[0]!.data.map(Boolean));
  });

  it('BatchNorm1d: running mean and unbiased running variance after two batches, then eval', async () => {
    const c = CASES.batch_norm_running_stats!;
    const [x1, x2, evalInput] = c.inputs.map((e) => decode(e, device, false));
    const bn = new torch.nn.BatchNorm1d(3).to(device);
    bn.call(x1!);
    bn.call(x2!);
    bn.eval();
    await expectMatches(bn.runningMean!, c.outputs[0]!, 'running_mean');
    await expectMatches(bn.runningVar!, c.outputs[1]!, 'running_var');
    await expectMatches(bn.call(evalInput!) as Tensor, c.outputs[2]!, 'eval output');
  });

  it('Conv2d: seeded initial weight and bias', async () => {
    const c = CASES.conv2d_init_seed0!;
    torch.manualSeed(0);
    const conv = new torch.nn.Conv2d(2, 3, 3).to(device);
    await expectMatches(conv.weight, c.outputs[0]!, 'weight');
    await expectMatches(conv.bias!, c.outputs[1]!, 'bias');
  });

  /** A Linear(8, 4) holding the weight and bias ops.py gave it. */
  function linearWith(w: Tensor, b: Tensor): torch.nn.Linear {
    const lin = new torch.nn.Linear(8, 4).to(device);
    torch.noGrad(() => {
      lin.weight.copy_(w);
      lin.bias!.copy_(b);
    });
    return lin;
  }

  it('Linear under CPU autocast to bfloat16', async ({ skip }) => {
    if (device !== 'cpu') skip('autocast to bfloat16 is a CPU autocast');
    const c = CASES.linear_autocast_bfloat16!;
    const [x, w, b] = c.inputs.map((e) => decode(e, device, false));
    const xLeaf = x!.detach().requiresGrad_();
    const lin = linearWith(w!, b!);
    const y = torch.autocast('cpu', () => lin.call(xLeaf) as Tensor, { dtype: 'bfloat16' });
    expect(y.dtype).toBe('bfloat16');
    // The output has PyTorch's bits: the bias is added to the float32 product before the one
    // rounding to bfloat16. The gradients are products rounded once to bfloat16; PyTorch's CPU
    // bfloat16 gemm accumulates in bfloat16 for some operand layouts (x's gradient here is 2 ulps
    // from the float32 sum rounded once; a weight gradient that cancels, 3 terms of ±1.1, comes out
    // 0.0156 where the sum is 0.0091), so they differ by the error of a bfloat16 running sum.
    await expectMatches(y.float(), c.outputs[0]!, 'output', { rtol: 0, atol: 0 });
    y.float().mul(ramp(y)).sum().backward();
    const grads = [xLeaf.grad!, lin.weight.grad!, lin.bias!.grad!];
    for (const [i, g] of grads.entries()) {
      await expectMatches(g, c.grads![i]!, `gradient ${i}`, { rtol: 2 ** -5, atol: 2 ** -6 });
    }
  });

  it('Linear dynamically quantized to int8, per tensor and per channel', async () => {
    const c = CASES.linear_quantized_dynamic!;
    const [x, w, b] = c.inputs.map((e) => decode(e, device, false));
    const q = torch.quantization;
    const model = new torch.nn.Sequential(linearWith(w!, b!));
    const perTensor = await q.quantizeDynamic(model, [torch.nn.Linear], 'qint8');
    const perChannel = await q.quantizeDynamic(
      model,
      new Map([[torch.nn.Linear, q.perChannelDynamicQconfig]]),
      'qint8',
    );
    const xCpu = await x!.toAsync('cpu'); // the quantized model is a CPU model, as PyTorch's
    await expectMatches(perTensor.call(xCpu) as Tensor, c.outputs[0]!, 'per tensor');
    await expectMatches(perChannel.call(xCpu) as Tensor, c.outputs[1]!, 'per channel');
  });

  const OPTIMIZERS: Record<string, (ps: Tensor[]) => torch.optim.Optimizer> = {
    sgd: (ps) => new torch.optim.SGD(ps, { lr: 0.1 }),
    sgd_momentum_nesterov_wd: (ps) =>
      new torch.optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
    sgd_momentum_dampening: (ps) => new torch.optim.SGD(ps, { lr: 0.05, momentum: 0.8, dampening: 0.3 }),
    adam: (ps) => new torch.optim.Adam(ps, { lr: 0.1 }),
    adam_amsgrad_wd: (ps) => new torch.optim.Adam(ps, { lr: 0.1, betas: [0.8, 0.9], weightDecay: 0.1, amsgrad: true }),
    adamw: (ps) => new torch.optim.AdamW(ps, { lr: 0.1 }),
    rmsprop: (ps) => new torch.optim.RMSprop(ps, { lr: 0.01 }),
    rmsprop_centered_momentum: (ps) =>
      new torch.optim.RMSprop(ps, { lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true }),
    adagrad: (ps) => new torch.optim.Adagrad(ps, { lr: 0.1 }),
    adagrad_decay_wd_init: (ps) =>
      new torch.optim.Adagrad(ps, {
        lr: 0.1,
        lrDecay: 0.1,
        weightDecay: 0.05,
        initialAccumulatorValue: 0.5,
        eps: 1e-6,
      }),
  };
  it.each(Object.keys(OPTIMIZERS))('optimizer %s: five steps on a bumpy bowl', async (name) => {
    const c = CASES[`optim_${name}`]!;
    const [p0, t, k] = c.inputs.map((e) => decode(e, device, false));
    const p = p0!.clone().requiresGrad_();
    const opt = OPTIMIZERS[name]!([p]);
    for (const [step, want] of c.outputs.entries()) {
      opt.zeroGrad();
      k!.mul(p.sub(t!).square()).sum().add(p.mul(3).sin().sum()).backward();
      opt.step();
      await expectMatches(p.detach(), want, `p after step ${step + 1}`);
    }
  });

  it('gradient clipping: the total norm returned and the gradients after', async () => {
    const clips: Record<string, (ps: Tensor[]) => Tensor | undefined> = {
      clip_grad_norm: (ps) => torch.nn.utils.clipGradNorm_(ps, 1),
      clip_grad_norm_inf: (ps) => torch.nn.utils.clipGradNorm_(ps, 0.5, { normType: Infinity }),
      clip_grad_norm_no_op: (ps) => torch.nn.utils.clipGradNorm_(ps, 100),
      clip_grad_value: (ps) => {
        torch.nn.utils.clipGradValue_(ps, 0.3);
        return undefined;
      },
    };
    for (const [name, clip] of Object.entries(clips)) {
      const c = CASES[name]!;
      const grads = c.inputs.map((e) => decode(e, device, false));
      const ps = grads.map((g) => torch.zerosLike(g).requiresGrad_());
      ps.forEach((p, i) => (p.grad = grads[i]!.clone()));
      const total = clip(ps);
      if (total) await expectMatches(total, c.outputs[0]!, `${name}: total norm`);
      for (const [i, p] of ps.entries()) await expectMatches(p.grad!, c.outputs[i + 1]!, `${name}: grad ${i}`);
    }
  });
});

describe('schedulers and init against PyTorch 1.13', () => {
  const lrsOf = (make: (o: torch.optim.Optimizer) => { step(): void }): number[] => {
    const opt = new torch.optim.SGD([torch.zeros(1).requiresGrad_()], { lr: 0.1 });
    const sched = make(opt);
    const lrs: number[] = [];
    for (let epoch = 0; epoch < 12; epoch++) {
      lrs.push(opt.paramGroups[0]!.lr);
      opt.step();
      sched.step();
    }
    return lrs;
  };
  const S = torch.optim.lrScheduler;
  const SCHEDULERS: Record<string, (o: torch.optim.Optimizer) => { step(): void }> = {
    step_lr: (o) => new S.StepLR(o, 3, { gamma: 0.5 }),
    multi_step_lr: (o) => new S.MultiStepLR(o, [2, 5, 9], { gamma: 0.1 }),
    exponential_lr: (o) => new S.ExponentialLR(o, 0.9),
    cosine_annealing_lr: (o) => new S.CosineAnnealingLR(o, 4, { etaMin: 0.01 }),
    lambda_lr: (o) => new S.LambdaLR(o, (e: number) => 1 / (e + 1)),
    linear_lr: (o) => new S.LinearLR(o, { startFactor: 0.25, totalIters: 4 }),
    constant_lr: (o) => new S.ConstantLR(o, { factor: 0.5, totalIters: 3 }),
    multiplicative_lr: (o) => new S.MultiplicativeLR(o, (e: number) => (e % 2 ? 0.9 : 0.5)),
    cosine_warm_restarts: (o) => new S.CosineAnnealingWarmRestarts(o, 3, { tMult: 2, etaMin: 0.001 }),
    one_cycle_lr: (o) => new S.OneCycleLR(o, 1, { totalSteps: 12 }),
    one_cycle_lr_three_phase_linear: (o) =>
      new S.OneCycleLR(o, 0.5, {
        epochs: 3,
        stepsPerEpoch: 4,
        pctStart: 0.25,
        annealStrategy: 'linear',
        threePhase: true,
      }),
    sequential_lr: (o) =>
      new S.SequentialLR(o, [new S.LinearLR(o, { startFactor: 0.1, totalIters: 3 }), new S.ExponentialLR(o, 0.8)], [4]),
    sequential_lr_three: (o) =>
      new S.SequentialLR(
        o,
        [
          new S.ConstantLR(o, { factor: 0.5, totalIters: 2 }),
          new S.StepLR(o, 2, { gamma: 0.5 }),
          new S.CosineAnnealingLR(o, 3),
        ],
        [3, 7],
      ),
  };
  const pinned = (name: string) => CASES[name]!.outputs[0]!.data.map(number);

  it.each(Object.keys(SCHEDULERS))('%s: the lr of 12 epochs', (name) => {
    const got = lrsOf(SCHEDULERS[name]!);
    pinned(`sched_${name}`).forEach((want, i) => expect(got[i], `epoch ${i}`).toBeCloseTo(want, 12));
  });

  it.each(['sgd', 'adam'])("OneCycleLR cycles %s's momentum against the lr", (name) => {
    const opt =
      name === 'sgd'
        ? new torch.optim.SGD([torch.zeros(1).requiresGrad_()], { lr: 0.1, momentum: 0.9 })
        : new torch.optim.Adam([torch.zeros(1).requiresGrad_()], { lr: 0.1 });
    const sched = new S.OneCycleLR(opt, 1, { totalSteps: 10 });
    const got: number[] = [];
    for (let i = 0; i < 10; i++) {
      const g = opt.paramGroups[0] as { momentum?: number; betas?: number[] };
      got.push(name === 'sgd' ? g.momentum! : g.betas![0]!);
      opt.step();
      sched.step();
    }
    pinned(`sched_one_cycle_momentum_${name}`).forEach((want, i) => expect(got[i], `step ${i}`).toBeCloseTo(want, 12));
  });

  it('ReduceLROnPlateau: patience, threshold and cooldown', () => {
    const opt = new torch.optim.SGD([torch.zeros(1).requiresGrad_()], { lr: 0.1 });
    const plateau = new S.ReduceLROnPlateau(opt, {
      mode: 'min',
      factor: 0.5,
      patience: 2,
      threshold: 1e-4,
      cooldown: 1,
    });
    const got = CASES.sched_reduce_lr_on_plateau!.inputs[0]!.data.map(number).map((loss) => {
      opt.step();
      plateau.step(loss);
      return opt.paramGroups[0]!.lr;
    });
    pinned('sched_reduce_lr_on_plateau').forEach((want, i) => expect(got[i], `epoch ${i}`).toBeCloseTo(want, 12));
  });

  it('init.calculateGain', () => {
    const init = torch.nn.init;
    const got = [
      ...['linear', 'sigmoid', 'tanh', 'relu'].map((n) => init.calculateGain(n)),
      init.calculateGain('leaky_relu', 0.2),
    ];
    pinned('calculate_gain').forEach((want, i) => expect(got[i]).toBeCloseTo(want, 12));
  });
});
