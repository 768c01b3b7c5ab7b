/**
 * PyTorch's writes by index (index_add, index_copy, index_fill, scatter, scatter_add and their
 * in-place forms), composed from the engine's differentiable scatterAdd and where, so both backends
 * and autograd come with them. Where PyTorch leaves the winner of a repeated index unspecified
 * (index_copy, scatter), indices are taken as distinct: a repeated one sums its sources here.
 */
import { argTypeError, namedArgs, tensorArg } from '../args.ts';
import { zeros, ones } from '../tensor/create.ts';
import { normalizeDim } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { where } from './elementwise.ts';
import { scatterAdd as scatterAddOp } from './indexing.ts';
import * as inplace from './inplace.ts';

function checkVector(call: string, x: Tensor, dim: number, index: Tensor): number {
  tensorArg(call, 'index', 2, index);
  if (index.dtype !== 'int32') throw new TypeError(`${call}(): Expected dtype int32 for index, but got ${index.dtype}`);
  if (index.ndim > 1) throw new RangeError(`${call}(): Index is supposed to be a vector`);
  return normalizeDim(dim, Math.max(x.ndim, 1));
}

/** The 1-D index placed along dim d and expanded to `shape`, as scatter takes it. */
function spread(index: Tensor, d: number, shape: readonly number[]): Tensor {
  return index
    .reshape(shape.map((_, i) => (i === d ? index.numel() : 1)))
    .expand(shape.map((n, i) => (i === d ? index.numel() : n)));
}

function checkSource(call: string, x: Tensor, d: number, index: Tensor, source: Tensor): void {
  tensorArg(call, 'source', 3, source);
  if (source.ndim !== x.ndim || (x.ndim > 0 && source.shape[d] !== index.numel()))
    throw new RangeError(
      `${call}(): Number of indices (${index.numel()}) should be equal to source.size(dim) (${source.shape[d] ?? 1})`,
    );
}

/** Where scatter writes: true at every position `index` names along d. */
function hits(x: Tensor, d: number, index: Tensor): Tensor {
  const counts = scatterAddOp(
    zeros(x.shape, { dtype: 'int32', device: x.device }),
    d,
    index,
    ones(index.shape, { dtype: 'int32', device: x.device }),
  );
  return counts.gt(0);
}

/** x with alpha·source added at rows `index` along dim (repeats accumulate). */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, ...rest: unknown[]): Tensor {
  const call = 'index_add';
  tensorArg(`torch.${call}`, 'input', 1, x);
  const d = checkVector(call, x, dim, index);
  checkSource(call, x, d, index, source);
  const { alpha = 1 } = namedArgs<{ alpha: number }>(`torch.${call}`, [], rest, ['alpha']);
  return scatterAddOp(x, d, spread(index, d, source.shape), alpha === 1 ? source : source.mul(alpha));
}

/** x with its rows `index` along dim replaced by source's. */
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  const call = 'index_copy';
  tensorArg(`torch.${call}`, 'input', 1, x);
  const d = checkVector(call, x, dim, index);
  checkSource(call, x, d, index, source);
  return scatter(x, d, spread(index, d, source.shape), source);
}

/** x with its rows `index` along dim set to value. */
export function indexFill(x: Tensor, dim: number, index: Tensor, value: number | Tensor): Tensor {
  const call = 'index_fill';
  tensorArg(`torch.${call}`, 'input', 1, x);
  const d = checkVector(call, x, dim, index);
  return where(
    hits(
      x,
      d,
      spread(
        index,
        d,
        x.shape.map((n, i) => (i === d ? 1 : n)),
      ),
    ),
    value,
    x,
  );
}

/** torch.scatter: src's elements (or one value) written into x at `index` along dim. */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  const call = 'torch.scatter';
  tensorArg(call, 'input', 1, x);
  tensorArg(call, 'index', 3, index);
  if (typeof src !== 'number' && typeof src !== 'object')
    throw argTypeError(call, 'src', 4, 'a Tensor or a number', src);
  if (index.dtype !== 'int32') throw new TypeError(`scatter(): Expected dtype int32 for index, but got ${index.dtype}`);
  if (index.ndim !== x.ndim)
    throw new RangeError(`Index tensor must have the same number of dimensions as self tensor`);
  const d = normalizeDim(dim, Math.max(x.ndim, 1));
  const mask = hits(x, d, index);
  if (typeof src === 'number') return where(mask, src, x);
  return where(mask, scatterAddOp(zeros(x.shape, { dtype: x.dtype, device: x.device }), d, index, src), x);
}

export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  tensorArg('torch.scatterAdd', 'input', 1, x);
  tensorArg('torch.scatterAdd', 'index', 3, index);
  tensorArg('torch.scatterAdd', 'src', 4, src);
  return scatterAddOp(x, dim, index, src);
}

export const indexAdd_ = <T extends Tensor>(
  self: T,
  dim: number,
  index: Tensor,
  source: Tensor,
  ...rest: unknown[]
): T => inplace.apply(self, (x) => indexAdd(x, dim, index, source, ...rest), 'index_add_');
export const indexCopy_ = <T extends Tensor>(self: T, dim: number, index: Tensor, source: Tensor): T =>
  inplace.apply(self, (x) => indexCopy(x, dim, index, source), 'index_copy_');
export const indexFill_ = <T extends Tensor>(self: T, dim: number, index: Tensor, value: number | Tensor): T =>
  inplace.apply(self, (x) => indexFill(x, dim, index, value), 'index_fill_');
export const scatter_ = <T extends Tensor>(self: T, dim: number, index: Tensor, src: Tensor | number): T =>
  inplace.apply(self, (x) => scatter(x, dim, index, src), 'scatter_');
export const scatterAdd_ = <T extends Tensor>(self: T, dim: number, index: Tensor, src: Tensor): T =>
  inplace.apply(self, (x) => scatterAdd(x, dim, index, src), 'scatter_add_');
