/**
 * Ops as torch.* functions (torch.add(a, b), torch.sum(x, 1), …). Each is the tensor method of the
 * same name, so the two spellings can never disagree.
 */
import type { ValuesIndices } from './tensor/values-indices.ts';
import type { ClampOptions, DimOptions, Tensor, TensorLike, VarOptions } from './tensor/tensor.ts';
import * as el from './ops/elementwise.ts';
import type { BincountOptions } from './ops/counting.ts';
import type { SortOptions, TopkOptions } from './ops/sort.ts';

export { cat, stack } from './ops/indexing.ts';
export { where } from './ops/elementwise.ts';
export { cdist } from './ops/distance.ts';

type Dim = number | readonly number[] | DimOptions;

export const add = (a: TensorLike, b: TensorLike, options?: { alpha?: number }): Tensor => el.add(a, b, options);
export const sub = (a: TensorLike, b: TensorLike, options?: { alpha?: number }): Tensor => el.sub(a, b, options);
export const mul = (a: TensorLike, b: TensorLike): Tensor => el.mul(a, b);
export const div = (a: TensorLike, b: TensorLike): Tensor => el.div(a, b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => el.pow(a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => el.maximum(a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => el.minimum(a, b);
export const eq = (a: TensorLike, b: TensorLike): Tensor => el.eq(a, b);
export const ne = (a: TensorLike, b: TensorLike): Tensor => el.ne(a, b);
export const lt = (a: TensorLike, b: TensorLike): Tensor => el.lt(a, b);
export const le = (a: TensorLike, b: TensorLike): Tensor => el.le(a, b);
export const gt = (a: TensorLike, b: TensorLike): Tensor => el.gt(a, b);
export const ge = (a: TensorLike, b: TensorLike): Tensor => el.ge(a, b);

export const neg = (x: Tensor) => x.neg();
export const abs = (x: Tensor) => x.abs();
export const sign = (x: Tensor) => x.sign();
export const exp = (x: Tensor) => x.exp();
export const log = (x: Tensor) => x.log();
export const sqrt = (x: Tensor) => x.sqrt();
export const rsqrt = (x: Tensor) => x.rsqrt();
export const square = (x: Tensor) => x.square();
export const sin = (x: Tensor) => x.sin();
export const cos = (x: Tensor) => x.cos();
export const relu = (x: Tensor) => x.relu();
export const sigmoid = (x: Tensor) => x.sigmoid();
export const tanh = (x: Tensor) => x.tanh();
export const floor = (x: Tensor) => x.floor();
export const ceil = (x: Tensor) => x.ceil();
export const round = (x: Tensor) => x.round();
export const clamp = (
  x: Tensor,
  min?: number | Tensor | null | ClampOptions,
  max?: number | Tensor | null | ClampOptions,
) => x.clamp(min, max);
export const clip = clamp;
export const logicalNot = (x: Tensor) => x.logicalNot();
export const maskedFill = (x: Tensor, mask: Tensor, value: number) => x.maskedFill(mask, value);

export const sum = (x: Tensor, dim?: Dim, keepdim?: boolean) => x.sum(dim, keepdim);
export const mean = (x: Tensor, dim?: Dim, keepdim?: boolean) => x.mean(dim, keepdim);
export const prod = (x: Tensor, dim?: number | DimOptions, keepdim?: boolean) => x.prod(dim, keepdim);
export const std = (x: Tensor, dim?: number | readonly number[] | VarOptions, keepdim?: boolean) => x.std(dim, keepdim);
export { variance as var };
const variance = (x: Tensor, dim?: number | readonly number[] | VarOptions, keepdim?: boolean) => x.var(dim, keepdim);
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number | DimOptions, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number | DimOptions, keepdim?: boolean) {
  return dim === undefined ? x.max() : x.max(dim, keepdim);
}
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number | DimOptions, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number | DimOptions, keepdim?: boolean) {
  return dim === undefined ? x.min() : x.min(dim, keepdim);
}
export const argmax = (x: Tensor, dim?: number | DimOptions, keepdim?: boolean) => x.argmax(dim, keepdim);
export const argmin = (x: Tensor, dim?: number | DimOptions, keepdim?: boolean) => x.argmin(dim, keepdim);
export const norm = (x: Tensor, p?: number | (DimOptions & { p?: number }), dim?: Dim, keepdim?: boolean) =>
  x.norm(p, dim, keepdim);
export const logsumexp = (x: Tensor, dim: number | DimOptions, keepdim?: boolean) => x.logsumexp(dim, keepdim);
export const softmax = (x: Tensor, dim: number | { dim: number }) => x.softmax(dim);
export const logSoftmax = (x: Tensor, dim: number | { dim: number }) => x.logSoftmax(dim);

export const matmul = (a: Tensor, b: Tensor) => a.matmul(b);
export const mm = (a: Tensor, b: Tensor) => a.mm(b);
export const bmm = (a: Tensor, b: Tensor) => a.bmm(b);
export const dot = (a: Tensor, b: Tensor) => a.dot(b);

export const reshape = (x: Tensor, ...shape: number[] | [readonly number[]]) => x.reshape(...shape);
export const flatten = (x: Tensor, startDim?: number | { startDim?: number; endDim?: number }, endDim?: number) =>
  x.flatten(startDim, endDim);
export const squeeze = (x: Tensor, dim?: number | { dim?: number }) => x.squeeze(dim);
export const unsqueeze = (x: Tensor, dim: number) => x.unsqueeze(dim);
export const permute = (x: Tensor, ...dims: number[] | [readonly number[]]) => x.permute(...dims);
export const transpose = (x: Tensor, dim0: number, dim1: number) => x.transpose(dim0, dim1);
export const t = (x: Tensor) => x.t();
export const clone = (x: Tensor) => x.clone();
export const detach = (x: Tensor) => x.detach();
export const gather = (x: Tensor, dim: number, index: Tensor) => x.gather(dim, index);
export const indexSelect = (x: Tensor, dim: number, index: Tensor) => x.indexSelect(dim, index);
export const diagonal = (x: Tensor, offset = 0, dim1 = 0, dim2 = 1) => x.diagonal(offset, dim1, dim2);
export const sort = (x: Tensor, dim?: number | SortOptions, descending?: boolean) => x.sort(dim, descending);
export const argsort = (x: Tensor, dim?: number | SortOptions, descending?: boolean) => x.argsort(dim, descending);
export const topk = (x: Tensor, k: number, dim?: number | TopkOptions, largest?: boolean, sorted?: boolean) =>
  x.topk(k, dim, largest, sorted);
export const bincount = (x: Tensor, options?: BincountOptions) => x.bincount(options);
export const histc = (x: Tensor, bins?: number, min?: number, max?: number) => x.histc(bins, min, max);
export const split = (x: Tensor, size: number | readonly number[], dim?: number | { dim?: number }) =>
  x.split(size, dim);
export const chunk = (x: Tensor, chunks: number, dim?: number | { dim?: number }) => x.chunk(chunks, dim);
