/** torch.nn.Flatten: merges dims startDim…endDim (by default all but the batch dim). */
import type { Tensor } from '../tensor/tensor.ts';
import { namedArgs } from '../args.ts';
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

engineLayers(Flatten);
