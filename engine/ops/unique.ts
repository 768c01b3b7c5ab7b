/**
 * torch.unique, torch.unique_consecutive and torch.masked_select: their outputs' lengths depend on
 * the values, so, like nonzero, they read them back and are async: `await torch.unique(x)`.
 */
import { argTypeError, namedArgs, tensorArg } from '../args.ts';
import { broadcastShapes, formatShape, normalizeDim } from '../tensor/shape.ts';
import { tensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';

export interface UniqueOptions {
  /** Accepted for PyTorch's signature; the values always come back sorted (PyTorch leaves the order of `sorted=False` unspecified). */
  sorted?: boolean;
  returnInverse?: boolean;
  returnCounts?: boolean;
  /** Unique slices along dim instead of unique elements. */
  dim?: number | null;
}
export type UniqueConsecutiveOptions = Omit<UniqueOptions, 'sorted'>;

/** Groups of equal items: for each item its group, and each group's first item and size. */
interface Groups {
  inverse: number[];
  firsts: number[];
  counts: number[];
}

/**
 * Groups `n` items, visited in `order`, into runs of items `same` says are equal: sorted first, runs
 * are the unique values; in their own order, the consecutive ones.
 */
function group(order: readonly number[], same: (a: number, b: number) => boolean): Groups {
  const inverse = new Array<number>(order.length);
  const firsts: number[] = [];
  const counts: number[] = [];
  order.forEach((item, k) => {
    if (k === 0 || !same(order[k - 1]!, item)) {
      firsts.push(item);
      counts.push(0);
    }
    inverse[item] = firsts.length - 1;
    counts[counts.length - 1]!++;
  });
  return { inverse, firsts, counts };
}

/** Ascending, NaN after every number (each NaN unique, as NaN != NaN), ties in index order. */
function compareValues(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
  return a - b;
}

async function uniqueImpl(
  call: string,
  x: Tensor,
  sort: boolean,
  o: UniqueConsecutiveOptions,
): Promise<Tensor | Tensor[]> {
  const { returnInverse = false, returnCounts = false, dim = null } = o;
  if (dim !== null && !Number.isInteger(dim)) throw argTypeError(call, 'dim', 5, 'an int', dim);
  const device = x.device;
  let out: Tensor;
  let groups: Groups;
  let inverseShape: number[];
  if (dim === null) {
    const values = await x.data();
    const order = Array.from(values, (_, i) => i);
    if (sort) order.sort((a, b) => compareValues(values[a]!, values[b]!) || a - b);
    groups = group(order, (a, b) => values[a] === values[b]);
    out = tensor(
      groups.firsts.map((i) => values[i]!),
      { dtype: x.dtype, device },
    );
    inverseShape = [...x.shape];
  } else {
    const d = normalizeDim(dim, x.ndim);
    const size = x.shape[d]!;
    const values = await x.movedim(d, 0).data();
    const width = size === 0 ? 0 : values.length / size;
    const compareSlices = (a: number, b: number): number => {
      for (let k = 0; k < width; k++) {
        const c = compareValues(values[a * width + k]!, values[b * width + k]!);
        if (c !== 0) return c;
      }
      return 0;
    };
    const order = Array.from({ length: size }, (_, i) => i);
    if (sort) order.sort((a, b) => compareSlices(a, b) || a - b);
    groups = group(order, (a, b) => {
      for (let k = 0; k < width; k++) if (values[a * width + k] !== values[b * width + k]) return false;
      return true;
    });
    out = x.indexSelect(d, tensor(groups.firsts, { dtype: 'int32', device }));
    inverseShape = [size];
  }
  if (!returnInverse && !returnCounts) return out;
  const result = [out];
  if (returnInverse) result.push(tensor(groups.inverse, { dtype: 'int32', device }).reshape(inverseShape));
  if (returnCounts) result.push(tensor(groups.counts, { dtype: 'int32', device }));
  return result;
}

/**
 * torch.unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None): the sorted
 * unique elements (or slices along dim), then, as asked, each element's index into them (int32, the
 * input's shape; with dim, one per slice) and each one's count (int32). No gradient, as in PyTorch.
 */
export async function unique(
  x: Tensor,
  options?: UniqueOptions & { returnInverse?: false; returnCounts?: false },
): Promise<Tensor>;
export async function unique(x: Tensor, options: UniqueOptions): Promise<Tensor[]>;
export async function unique(
  x: Tensor,
  sorted?: boolean,
  returnInverse?: boolean,
  returnCounts?: boolean,
  dim?: number | null,
): Promise<Tensor | Tensor[]>;
export async function unique(x: Tensor, ...rest: unknown[]): Promise<Tensor | Tensor[]> {
  const call = 'torch.unique';
  tensorArg(call, 'input', 1, x);
  const o = namedArgs<UniqueOptions>(call, ['sorted', 'returnInverse', 'returnCounts', 'dim'], rest);
  return uniqueImpl(call, x, true, o);
}

/** torch.unique_consecutive: unique_consecutive's runs of equal elements (or slices) collapsed to one, in order. */
export async function uniqueConsecutive(
  x: Tensor,
  options?: UniqueConsecutiveOptions & { returnInverse?: false; returnCounts?: false },
): Promise<Tensor>;
export async function uniqueConsecutive(x: Tensor, options: UniqueConsecutiveOptions): Promise<Tensor[]>;
export async function uniqueConsecutive(
  x: Tensor,
  returnInverse?: boolean,
  returnCounts?: boolean,
  dim?: number | null,
): Promise<Tensor | Tensor[]>;
export async function uniqueConsecutive(x: Tensor, ...rest: unknown[]): Promise<Tensor | Tensor[]> {
  const call = 'torch.uniqueConsecutive';
  tensorArg(call, 'input', 1, x);
  const o = namedArgs<UniqueConsecutiveOptions>(call, ['returnInverse', 'returnCounts', 'dim'], rest);
  return uniqueImpl(call, x, false, o);
}

/**
 * torch.masked_select(input, mask): the elements of input where the bool mask is true (the two
 * broadcast together), as a 1-D tensor in row-major order; its gradient flows back to input.
 */
export async function maskedSelect(x: Tensor, mask: Tensor): Promise<Tensor> {
  const call = 'torch.maskedSelect';
  tensorArg(call, 'input', 1, x);
  tensorArg(call, 'mask', 2, mask);
  if (mask.dtype !== 'bool') throw new TypeError('masked_select: expected BoolTensor for mask');
  if (x.device !== mask.device)
    throw new TypeError(
      `masked_select: expected mask on the same device as input (${x.device}), got it on ${mask.device} (shape ${formatShape(mask.shape)})`,
    );
  const shape = broadcastShapes(x.shape, mask.shape);
  const picked = await mask.expand(shape).data();
  const index: number[] = [];
  for (let i = 0; i < picked.length; i++) if (picked[i]) index.push(i);
  return x
    .expand(shape)
    .reshape([-1])
    .indexSelect(0, tensor(index, { dtype: 'int32', device: x.device }));
}
