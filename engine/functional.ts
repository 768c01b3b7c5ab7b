/**
 * Ops as torch.* functions (torch.add(a, b), torch.sum(x, 1), …). Each is the tensor method of the
 * same name, so the two spellings can never disagree.
 */
import type { ValuesIndices } from './tensor/values-indices.ts';
import type { ClampOptions, DimOptions, Tensor, TensorLike, VarOptions } from './tensor/tensor.ts';
import * as el from './ops/elementwise.ts';
import { argTypeError, tensorArg } from './args.ts';
import type { BincountOptions } from './ops/counting.ts';
import type { SortOptions, TopkOptions } from './ops/sort.ts';
import * as mth from './ops/math.ts';
import { noGrad } from './autograd/grad-mode.ts';
import { divide, type DivOptions } from './ops/math-extra.ts';
export type { DivOptions } from './ops/math-extra.ts';
export { cosineSimilarity } from './nn/functional/index.ts';

export { cat, stack } from './ops/indexing.ts';
export { where } from './ops/elementwise.ts';
export { cdist } from './ops/distance.ts';
export { nonzero } from './ops/nonzero.ts';
export { einsum } from './ops/einsum.ts';
export { unique, uniqueConsecutive, maskedSelect } from './ops/unique.ts';
export type { UniqueOptions, UniqueConsecutiveOptions } from './ops/unique.ts';
export type { RepeatInterleaveOptions } from './ops/arrange.ts';
export { bernoulli, normal, multinomial } from './ops/random.ts';
export type { MultinomialOptions } from './ops/random.ts';
export {
  asin,
  acos,
  atan,
  atan2,
  sinh,
  cosh,
  exp2,
  logaddexp,
  logaddexp2,
  xlogy,
  hypot,
  signbit,
  deg2rad,
  rad2deg,
  logicalXor,
  countNonzero,
  nansum,
  nanmean,
  logcumsumexp,
  trace,
  diff,
  asinh,
  acosh,
  atanh,
  logit,
  sgn,
  aminmax,
} from './ops/math-extra.ts';
export type { DiffOptions, NanSumOptions } from './ops/math-extra.ts';
export {
  isTensor,
  broadcastShapes,
  broadcastTo,
  broadcastTensors,
  atleast1d,
  atleast2d,
  atleast3d,
  hstack,
  vstack,
  dstack,
  columnStack,
  meshgrid,
  cartesianProd,
  roll,
  fliplr,
  flipud,
  rot90,
  repeatInterleave,
  kron,
  inner,
  tensordot,
  cross,
  take,
  takeAlongDim,
  trilIndices,
  triuIndices,
  vsplit,
  hsplit,
  dsplit,
} from './ops/arrange.ts';
export { median, nanmedian, kthvalue, quantile, nanquantile, cummax, cummin, mode } from './ops/order.ts';
export { indexAdd, indexCopy, indexFill, scatter, scatterAdd, indexPut } from './ops/index-ops.ts';
export type { IndexPutOptions } from './ops/index-ops.ts';
export type { GeneratorOptions } from './ops/random.ts';
export type { NonzeroOptions } from './ops/nonzero.ts';
export {
  isclose,
  allclose,
  equal,
  all,
  any,
  clampMin,
  clampMax,
  nanToNum,
  remainder,
  fmod,
  floorDivide,
  lerp,
  addcmul,
  addcdiv,
  amax,
  amin,
  cumsum,
  cumprod,
  flip,
  tile,
  tril,
  triu,
  diag,
  outer,
  mv,
  addmm,
  unbind,
  movedim,
} from './ops/math.ts';
export type { IscloseOptions, NanToNumOptions, ScanOptions, AddmmOptions } from './ops/math.ts';

type Dim = number | readonly number[] | DimOptions;

/** The tensor of torch.name(x, …), whose method runs: checked, so a forgotten return says so. */
const input = (name: string, x: unknown): Tensor => tensorArg(`torch.${name}`, 'input', 1, x);

export const add = (a: TensorLike, b: TensorLike, options?: { alpha?: number }): Tensor => el.add(a, b, options);
export const sub = (a: TensorLike, b: TensorLike, options?: { alpha?: number }): Tensor => el.sub(a, b, options);
export const mul = (a: TensorLike, b: TensorLike): Tensor => el.mul(a, b);
export const div = (a: TensorLike, b: TensorLike, options?: DivOptions | null): Tensor => divide(a, b, options);
export { divide };
// PyTorch's NumPy-style aliases of the inverse trigonometric and hyperbolic functions.
export { asin as arcsin, acos as arccos, atan as arctan, atan2 as arctan2 } from './ops/math-extra.ts';
export { asinh as arcsinh, acosh as arccosh, atanh as arctanh } from './ops/math-extra.ts';
export const subtract = (a: TensorLike, b: TensorLike, options?: { alpha?: number }): Tensor => el.sub(a, b, options);
export const multiply = (a: TensorLike, b: TensorLike): Tensor => el.mul(a, b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => el.pow(a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => el.maximum(a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => el.minimum(a, b);
export const eq = (a: TensorLike, b: TensorLike): Tensor => el.eq(a, b);
export const ne = (a: TensorLike, b: TensorLike): Tensor => el.ne(a, b);
export const lt = (a: TensorLike, b: TensorLike): Tensor => el.lt(a, b);
export const le = (a: TensorLike, b: TensorLike): Tensor => el.le(a, b);
export const gt = (a: TensorLike, b: TensorLike): Tensor => el.gt(a, b);
export const ge = (a: TensorLike, b: TensorLike): Tensor => el.ge(a, b);

export const neg = (x: Tensor) => input('neg', x).neg();
export const abs = (x: Tensor) => input('abs', x).abs();
export const absolute = (x: Tensor) => input('absolute', x).abs();
export const negative = (x: Tensor) => input('negative', x).neg();
export const sign = (x: Tensor) => input('sign', x).sign();
export const exp = (x: Tensor) => input('exp', x).exp();
export const log = (x: Tensor) => input('log', x).log();
export const sqrt = (x: Tensor) => input('sqrt', x).sqrt();
export const rsqrt = (x: Tensor) => input('rsqrt', x).rsqrt();
export const square = (x: Tensor) => input('square', x).square();
export const sin = (x: Tensor) => input('sin', x).sin();
export const cos = (x: Tensor) => input('cos', x).cos();
export const relu = (x: Tensor) => input('relu', x).relu();
export const sigmoid = (x: Tensor) => input('sigmoid', x).sigmoid();
export const tanh = (x: Tensor) => input('tanh', x).tanh();
export const floor = (x: Tensor) => input('floor', x).floor();
export const ceil = (x: Tensor) => input('ceil', x).ceil();
export const round = (x: Tensor) => input('round', x).round();
export const clamp = (
  x: Tensor,
  min?: number | Tensor | null | ClampOptions,
  max?: number | Tensor | null | ClampOptions,
) => input('clamp', x).clamp(min, max);
export const clip = clamp;
export const logicalNot = (x: Tensor) => input('logicalNot', x).logicalNot();
export const logicalAnd = (a: Tensor, b: TensorLike) => input('logicalAnd', a).logicalAnd(b);
export const logicalOr = (a: Tensor, b: TensorLike) => input('logicalOr', a).logicalOr(b);
export const trueDivide = (a: TensorLike, b: TensorLike): Tensor => el.div(a, b);
export const maskedFill = (x: Tensor, mask: Tensor, value: number) => input('maskedFill', x).maskedFill(mask, value);

export const sum = (x: Tensor, dim?: Dim, keepdim?: boolean) => input('sum', x).sum(dim, keepdim);
export const mean = (x: Tensor, dim?: Dim, keepdim?: boolean) => input('mean', x).mean(dim, keepdim);
export const prod = (x: Tensor, dim?: number | DimOptions, keepdim?: boolean) => input('prod', x).prod(dim, keepdim);
export const std = (x: Tensor, dim?: number | readonly number[] | VarOptions, keepdim?: boolean) =>
  input('std', x).std(dim, keepdim);
export { variance as var };
const variance = (x: Tensor, dim?: number | readonly number[] | VarOptions, keepdim?: boolean) =>
  input('var', x).var(dim, keepdim);
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number | DimOptions, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number | DimOptions, keepdim?: boolean) {
  const self = input('max', x);
  return dim === undefined ? self.max() : self.max(dim, keepdim);
}
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number | DimOptions, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number | DimOptions, keepdim?: boolean) {
  const self = input('min', x);
  return dim === undefined ? self.min() : self.min(dim, keepdim);
}
export const argmax = (x: Tensor, dim?: number | DimOptions, keepdim?: boolean) =>
  input('argmax', x).argmax(dim, keepdim);
export const argmin = (x: Tensor, dim?: number | DimOptions, keepdim?: boolean) =>
  input('argmin', x).argmin(dim, keepdim);
export const norm = (x: Tensor, p?: number | (DimOptions & { p?: number }), dim?: Dim, keepdim?: boolean) =>
  input('norm', x).norm(p, dim, keepdim);
export const logsumexp = (x: Tensor, dim: number | DimOptions, keepdim?: boolean) =>
  input('logsumexp', x).logsumexp(dim, keepdim);
export const softmax = (x: Tensor, dim: number | { dim: number }) => input('softmax', x).softmax(dim);
export const logSoftmax = (x: Tensor, dim: number | { dim: number }) => input('logSoftmax', x).logSoftmax(dim);

export const matmul = (a: Tensor, b: Tensor) => input('matmul', a).matmul(tensorArg('torch.matmul', 'other', 2, b));
export const mm = (a: Tensor, b: Tensor) => input('mm', a).mm(tensorArg('torch.mm', 'mat2', 2, b));
export const bmm = (a: Tensor, b: Tensor) => input('bmm', a).bmm(tensorArg('torch.bmm', 'mat2', 2, b));
export const dot = (a: Tensor, b: Tensor) => input('dot', a).dot(tensorArg('torch.dot', 'tensor', 2, b));

export const reshape = (x: Tensor, ...shape: number[] | [readonly number[]]) => input('reshape', x).reshape(...shape);
export const flatten = (x: Tensor, startDim?: number | { startDim?: number; endDim?: number }, endDim?: number) =>
  input('flatten', x).flatten(startDim, endDim);
export const squeeze = (x: Tensor, dim?: number | { dim?: number }) => input('squeeze', x).squeeze(dim);
export const unsqueeze = (x: Tensor, dim: number) => input('unsqueeze', x).unsqueeze(dim);
export const permute = (x: Tensor, ...dims: number[] | [readonly number[]]) => input('permute', x).permute(...dims);
export const transpose = (x: Tensor, dim0: number, dim1: number) => input('transpose', x).transpose(dim0, dim1);
export const t = (x: Tensor) => input('t', x).t();
export const clone = (x: Tensor) => input('clone', x).clone();
export const detach = (x: Tensor) => input('detach', x).detach();
export const gather = (x: Tensor, dim: number, index: Tensor) => input('gather', x).gather(dim, index);
export const indexSelect = (x: Tensor, dim: number, index: Tensor) => input('indexSelect', x).indexSelect(dim, index);
export const diagonal = (x: Tensor, offset = 0, dim1 = 0, dim2 = 1) =>
  input('diagonal', x).diagonal(offset, dim1, dim2);
export const sort = (x: Tensor, dim?: number | SortOptions, descending?: boolean) =>
  input('sort', x).sort(dim, descending);
export const argsort = (x: Tensor, dim?: number | SortOptions, descending?: boolean) =>
  input('argsort', x).argsort(dim, descending);
export const topk = (x: Tensor, k: number, dim?: number | TopkOptions, largest?: boolean, sorted?: boolean) =>
  input('topk', x).topk(k, dim, largest, sorted);
export const bincount = (x: Tensor, options?: BincountOptions) => input('bincount', x).bincount(options);
export const histc = (x: Tensor, bins?: number, min?: number, max?: number) => input('histc', x).histc(bins, min, max);
export const split = (x: Tensor, size: number | readonly number[], dim?: number | { dim?: number }) =>
  input('split', x).split(size, dim);
export const chunk = (x: Tensor, chunks: number, dim?: number | { dim?: number }) =>
  input('chunk', x).chunk(chunks, dim);

export const reciprocal = (x: Tensor) => input('reciprocal', x).reciprocal();
export const isnan = (x: Tensor) => mth.isnan(input('isnan', x));
export const isinf = (x: Tensor) => mth.isinf(input('isinf', x));
export const isfinite = (x: Tensor) => mth.isfinite(input('isfinite', x));
export const log1p = (x: Tensor) => mth.log1p(input('log1p', x));
export const expm1 = (x: Tensor) => mth.expm1(input('expm1', x));
export const log2 = (x: Tensor) => mth.log2(input('log2', x));
export const log10 = (x: Tensor) => mth.log10(input('log10', x));
export const trunc = (x: Tensor) => mth.trunc(input('trunc', x));
export const frac = (x: Tensor) => mth.frac(input('frac', x));
export const tan = (x: Tensor) => mth.tan(input('tan', x));
export const erf = (x: Tensor) => mth.erf(input('erf', x));
export const numel = (x: Tensor): number => input('numel', x).numel();
export const narrow = (x: Tensor, dim: number, start: number, length: number) =>
  input('narrow', x).narrow(dim, start, length);
export const select = (x: Tensor, dim: number, index: number) => input('select', x).select(dim, index);
export const swapaxes = (x: Tensor, axis0: number, axis1: number) => input('swapaxes', x).swapaxes(axis0, axis1);

/**
 * torch.inference_mode: here noGrad (PyTorch's also marks the results as inference tensors, a speed
 * measure with no counterpart here); `inferenceMode(false, fn)` runs fn as it is.
 */
export function inferenceMode<T>(mode: boolean | (() => T), fn?: () => T): T {
  const [enabled, body] = typeof mode === 'function' ? [true, mode] : [mode, fn];
  if (typeof body !== 'function')
    throw argTypeError('torch.inferenceMode', 'fn', typeof mode === 'function' ? 1 : 2, 'a function', body);
  return enabled ? noGrad(body) : body();
}
