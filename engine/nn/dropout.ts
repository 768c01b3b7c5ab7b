/** torch.nn.Dropout: active in training mode only. */
import type { Tensor } from '../tensor/tensor.ts';
import { namedArgs } from '../args.ts';
import { dropout } from './functional/activation.ts';
import { Module, engineLayers } from './module.ts';
import { pyBool, pyFloat } from './repr.ts';

export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;

  constructor(p?: number, inplace?: boolean);
  constructor(options: { p?: number; inplace?: boolean });
  constructor(...args: unknown[]) {
    super();
    const { p = 0.5, inplace = false } = namedArgs<{ p: number; inplace: boolean }>(
      'torch.nn.Dropout',
      ['p', 'inplace'],
      args,
    );
    if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = inplace;
  }

  override forward(input: Tensor): Tensor {
    return dropout(input, { p: this.p, training: this.training });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

engineLayers(Dropout);
