/**
 * PyTorch's writes by index (index_add, index_copy, index_fill, scatter, scatter_add and their
 * in-place forms), composed from the engine's differentiable scatterAdd and where, so both backends
 * and autograd come with them. Where PyTorch leaves the winner of a repeated index unspecified
 * (index_copy, scatter), indices are taken as distinct: a repeated one sums its sources here.
 */
import { argTypeError, namedArgs, tensorArg } from '../args.ts';
import { full, ones, tensor, zeros } from '../tensor/create.ts';
import { broadcastShapes, formatShape, normalizeDim } from '../tensor/shape.ts';
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

export interface IndexPutOptions {
  /** Add the values (repeats summing) instead of writing them. */
  accumulate?: boolean;
}

/** Each index tensor of `indices` as int32 coordinates; a bool mask becomes one coordinate tensor per dim it covers. */
function coordinates(call: string, x: Tensor, indices: readonly Tensor[]): Tensor[] {
  const out: Tensor[] = [];
  indices.forEach((idx, i) => {
    tensorArg(call, `indices[${i}]`, 2, idx);
    if (idx.dtype === 'int32') {
      out.push(idx);
      return;
    }
    if (idx.dtype !== 'bool') throw new TypeError('tensors used as indices must be long, int, byte or bool tensors');
    const readSync = idx.storage.backend.readSync;
    if (!readSync)
      throw new Error(
        `${call} with a bool mask on ${idx.device} would wait for the device to count it: pass await mask.nonzero({ asTuple: true })'s tensors instead`,
      );
    const values = readSync.call(idx.storage.backend, idx.strided);
    const found: number[] = [];
    for (let k = 0; k < values.length; k++) if (values[k]) found.push(k);
    const sizes = idx.shape;
    sizes.forEach((size, d) => {
      if (x.shape[out.length] !== size)
        throw new RangeError(
          `The shape of the mask ${formatShape(idx.shape)} at index ${d} does not match the shape of the indexed tensor ${formatShape(x.shape)} at index ${out.length}`,
        );
      const inner = sizes.slice(d + 1).reduce((a, b) => a * b, 1);
      out.push(
        tensor(
          found.map((k) => Math.floor(k / inner) % size),
          { dtype: 'int32', device: x.device },
        ),
      );
    });
  });
  return out;
}

/**
 * torch.index_put(input, indices, values, accumulate=False): input with `values` written (or, with
 * accumulate, added) at the positions the index tensors name together (`x[i, j] = v` with i and j
 * tensors, broadcast together; a bool mask names its true positions). Without accumulate a repeated
 * position sums its values here (PyTorch leaves which one wins unspecified).
 */
export function indexPut(
  x: Tensor,
  indices: readonly Tensor[],
  values: Tensor | number,
  accumulate?: boolean | IndexPutOptions,
): Tensor {
  const call = 'torch.indexPut';
  tensorArg(call, 'input', 1, x);
  if (!Array.isArray(indices))
    throw argTypeError(call, 'indices', 2, 'an array of index tensors (PyTorch: a tuple)', indices);
  const acc = namedArgs<IndexPutOptions>(call, ['accumulate'], [accumulate]).accumulate ?? false;
  if (typeof values !== 'number') {
    tensorArg(call, 'values', 3, values);
    if (values.dtype !== x.dtype)
      throw new TypeError(
        `Index put requires the source and destination dtypes match, got ${x.dtype} for the destination and ${values.dtype} for the source.`,
      );
  }
  const coords = coordinates(call, x, indices);
  if (coords.length > x.ndim)
    throw new RangeError(`too many indices for tensor of dimension ${x.ndim} (got ${coords.length})`);
  let shape: number[];
  try {
    shape = coords.reduce<number[]>((acc2, c) => broadcastShapes(acc2, c.shape), []);
  } catch {
    throw new RangeError(
      `shape mismatch: indexing tensors could not be broadcast together with shapes ${coords.map((c) => formatShape(c.shape)).join(', ')}`,
    );
  }
  const lead = x.shape.slice(0, coords.length);
  const rest = x.shape.slice(coords.length);
  // Row-major position over the indexed dims, negative indices counted from the end.
  const flat = coords
    .map((c, i) => where(c.lt(0), c.add(lead[i]!), c).expand(shape))
    .reduce((acc2, c, i) => (i === 0 ? c : acc2.mul(lead[i]!).add(c)))
    .reshape([-1]);
  const target = [...shape, ...rest];
  const source = typeof values === 'number' ? full([], values, { dtype: x.dtype, device: x.device }) : values;
  const fits =
    source.ndim <= target.length &&
    source.shape.every((n, i) => n === 1 || n === target[target.length - source.ndim + i]);
  if (!fits)
    throw new RangeError(
      `shape mismatch: value tensor of shape ${formatShape(source.shape)} cannot be broadcast to indexing result of shape ${formatShape(target)}`,
    );
  const rows = source.expand(target).reshape([flat.numel(), ...rest]);
  const base = x.reshape([lead.reduce((a, b) => a * b, 1), ...rest]);
  return (acc ? indexAdd(base, 0, flat, rows) : indexCopy(base, 0, flat, rows)).reshape(x.shape);
}

/** x.index_put_(indices, values, accumulate=False): indexPut, written into x. */
export const indexPut_ = <T extends Tensor>(
  self: T,
  indices: readonly Tensor[],
  values: Tensor | number,
  accumulate?: boolean | IndexPutOptions,
): T => inplace.apply(self, (x) => indexPut(x, indices, values, accumulate), 'index_put_');
