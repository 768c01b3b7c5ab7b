/**
 * sort, argsort and topk. The backend only orders indices (argsort, always stable); the values are
 * then a gather of the input by those indices, so their gradient flows back to the chosen elements
 * through gather's backward, as PyTorch's SortBackward / TopkBackward scatter it.
 */
import { normalizeDim } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { launchArgsort } from './kernels.ts';
import { namedArgs } from '../args.ts';
import { valuesIndices, type ValuesIndices } from '../tensor/values-indices.ts';

export interface SortOptions {
  dim?: number;
  descending?: boolean;
  /** Accepted for PyTorch's signature; every sort here is stable. */
  stable?: boolean;
}

export interface TopkOptions {
  dim?: number;
  largest?: boolean;
  sorted?: boolean;
}

export type { ValuesIndices };

function sortOptions(
  call: string,
  dim: number | SortOptions | undefined,
  descending: boolean | undefined,
): SortOptions {
  return namedArgs<SortOptions>(call, ['dim', 'descending'], [dim, descending], ['dim', 'descending', 'stable']);
}

/** The sorting indices along d of x (a 0-d x has one element: index 0). */
function indicesAlong(x: Tensor, d: number, descending: boolean): Tensor {
  if (x.ndim === 0) return launchArgsort(x.reshape([1]), 0, descending).reshape([]);
  return launchArgsort(x, d, descending);
}

/** torch.argsort(x, dim=-1, descending=False, stable=False). */
export function argsort(x: Tensor, dim?: number | SortOptions, descending?: boolean): Tensor {
  const o = sortOptions('torch.argsort', dim, descending);
  return indicesAlong(x, normalizeDim(o.dim ?? -1, x.ndim), o.descending ?? false);
}

/** torch.sort: (values, indices), values differentiable. */
export function sort(x: Tensor, dim?: number | SortOptions, descending?: boolean): ValuesIndices {
  const o = sortOptions('torch.sort', dim, descending);
  const d = normalizeDim(o.dim ?? -1, x.ndim);
  const indices = indicesAlong(x, d, o.descending ?? false);
  return valuesIndices(x.ndim === 0 ? x.clone() : x.gather(d, indices), indices);
}

/**
 * torch.topk(x, k, dim=-1, largest=True, sorted=True): the k largest (or smallest) along dim, in
 * order; among equal values the lower index comes first.
 */
export function topk(
  x: Tensor,
  k: number,
  dim?: number | TopkOptions,
  largest?: boolean,
  sorted?: boolean,
): ValuesIndices {
  const o = namedArgs<TopkOptions>('torch.topk', ['dim', 'largest', 'sorted'], [dim, largest, sorted]);
  const d = normalizeDim(o.dim ?? -1, x.ndim);
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > size) {
    throw new RangeError(`topk(): selected index k out of range (k = ${k}, dimension ${d} has size ${size})`);
  }
  const order = indicesAlong(x, d, o.largest ?? true);
  if (x.ndim === 0) return valuesIndices(x.clone(), order);
  const indices = order.slice(d, 0, k).contiguous();
  return valuesIndices(x.gather(d, indices), indices);
}
