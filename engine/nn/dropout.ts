/** torch.nn.Dropout, Dropout1d and Dropout2d: active in training mode only. */
import type { Tensor } from '../tensor/tensor.ts';
import { namedArgs } from '../args.ts';
import { dropout, dropout1d, dropout2d } from './functional/activation.ts';
import { Module, engineLayers } from './module.ts';
import { pyBool, pyFloat } from './repr.ts';

class DropoutBase extends Module {
  readonly p: number;
  readonly inplace: boolean;

  constructor(p?: number, inplace?: boolean);
  constructor(options: { p?: number; inplace?: boolean });
  constructor(...args: unknown[]) {
    super();
    const { p = 0.5, inplace = false } = namedArgs<{ p: number; inplace: boolean }>(
      `torch.nn.${new.target.name}`,
      ['p', 'inplace'],
      args,
    );
    if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = inplace;
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/** Zeroes each element with probability p in training mode, scaling the rest by 1/(1−p). */
export class Dropout extends DropoutBase {
  override forward(input: Tensor): Tensor {
    return dropout(input, { p: this.p, training: this.training });
  }
}

/** Zeroes whole channels of [N, C, L] (or [C, L]) inputs. */
export class Dropout1d extends DropoutBase {
  override forward(input: Tensor): Tensor {
    return dropout1d(input, { p: this.p, training: this.training });
  }
}

/** Zeroes whole channels of [N, C, H, W] inputs. */
export class Dropout2d extends DropoutBase {
  override forward(input: Tensor): Tensor {
    return dropout2d(input, { p: this.p, training: this.training });
  }
}

engineLayers(Dropout, Dropout1d, Dropout2d);
