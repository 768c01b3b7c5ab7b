/**
 * torch.nonzero: where a tensor's elements are not zero. Its output's length depends on the values,
 * so it reads them back, and is async like item(): `await x.nonzero()`.
 */
import { namedArgs, tensorArg } from '../args.ts';
import { tensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';

export interface NonzeroOptions {
  /** One [n] index tensor per dim (a 0-d input counts as 1-d), instead of one [n, ndim] tensor. */
  asTuple?: boolean;
}

/**
 * The indices of x's nonzero elements (NaN is nonzero), in row-major order: an [n, ndim] int32
 * tensor (PyTorch's int64) on x's device, or with asTuple one [n] tensor per dim.
 */
export async function nonzero(x: Tensor, options?: NonzeroOptions & { asTuple?: false }): Promise<Tensor>;
export async function nonzero(x: Tensor, options: NonzeroOptions & { asTuple: true }): Promise<Tensor[]>;
export async function nonzero(x: Tensor, options: NonzeroOptions = {}): Promise<Tensor | Tensor[]> {
  tensorArg('torch.nonzero', 'input', 1, x);
  const { asTuple = false } = namedArgs<NonzeroOptions>('torch.nonzero', [], [options], ['asTuple']);
  const values = await x.data();
  const { shape, device } = x;
  const found: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) found.push(i);
  const rank = asTuple ? Math.max(shape.length, 1) : shape.length;
  const sizes = shape.length === 0 ? [1] : shape;
  // Column d holds each flat index's coordinate along dim d.
  const columns = Array.from({ length: rank }, (_, d) => {
    const inner = sizes.slice(d + 1).reduce((a, b) => a * b, 1);
    return found.map((i) => Math.floor(i / inner) % sizes[d]!);
  });
  if (asTuple) return columns.map((c) => tensor(c, { dtype: 'int32', device }));
  const rows = found.map((_, r) => columns.map((c) => c[r]!));
  return tensor(rows.flat(), { dtype: 'int32', device }).reshape([found.length, rank]);
}
