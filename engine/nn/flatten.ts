/** torch.nn.Flatten: merges dims startDim…endDim (by default all but the batch dim). */
import type { Tensor } from '../tensor/tensor.ts';
import { argTypeError, namedArgs } from '../args.ts';
import { pyTuple } from './repr.ts';
import { Module, engineLayers } from './module.ts';

export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(startDim?: number, endDim?: number);
  constructor(options: { startDim?: number; endDim?: number });
  constructor(...args: unknown[]) {
    super();
    const { startDim = 1, endDim = -1 } = namedArgs<{ startDim: number; endDim: number }>(
      'torch.nn.Flatten',
      ['startDim', 'endDim'],
      args,
    );
    this.startDim = startDim;
    this.endDim = endDim;
  }

  override forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Expands dim `dim` into `unflattenedSize` (Flatten's inverse): new Unflatten(1, [2, 5]). */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: readonly number[];

  constructor(dim: number, unflattenedSize: readonly number[]);
  constructor(options: { dim: number; unflattenedSize: readonly number[] });
  constructor(...args: unknown[]) {
    super();
    const o = namedArgs<{ dim: number; unflattenedSize: readonly number[] }>(
      'torch.nn.Unflatten',
      ['dim', 'unflattenedSize'],
      args,
    );
    if (!Number.isInteger(o.dim)) throw argTypeError('torch.nn.Unflatten', 'dim', 1, 'an int', o.dim);
    if (!Array.isArray(o.unflattenedSize) || o.unflattenedSize.some((d) => !Number.isInteger(d)))
      throw argTypeError('torch.nn.Unflatten', 'unflattenedSize', 2, 'a tuple of ints', o.unflattenedSize);
    this.dim = o.dim!;
    this.unflattenedSize = [...o.unflattenedSize];
  }

  override forward(input: Tensor): Tensor {
    return input.unflatten(this.dim, this.unflattenedSize);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}

engineLayers(Flatten, Unflatten);
