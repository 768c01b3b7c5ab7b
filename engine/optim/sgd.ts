/** torch.optim.SGD, as PyTorch's single-tensor loop: weight decay, momentum (dampening, Nesterov), maximize. */
import type { Tensor } from '../tensor/tensor.ts';
import { keys, namedArgs } from '../args.ts';
import { checkNonNegative, Optimizer, type ParamGroup, type ParamsInput, engineOptimizers } from './optimizer.ts';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

const SGD_KEYS = keys<SGDOptions>({ lr: 1, momentum: 1, dampening: 1, weightDecay: 1, nesterov: 1, maximize: 1 });

interface SGDState {
  momentumBuffer?: Tensor;
}

export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(
    params: ParamsInput<SGDOptions>,
    lr?: number,
    momentum?: number,
    dampening?: number,
    weightDecay?: number,
    nesterov?: boolean,
  );
  constructor(params: ParamsInput<SGDOptions>, options?: Partial<SGDOptions>);
  constructor(params: ParamsInput<SGDOptions>, ...rest: unknown[]) {
    const o = namedArgs<SGDOptions>(
      'torch.optim.SGD',
      ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'],
      rest,
      SGD_KEYS,
    );
    const defaults: SGDOptions = {
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      ...o,
    };
    checkNonNegative(defaults.lr, 'learning rate');
    checkNonNegative(defaults.momentum, 'momentum value');
    checkNonNegative(defaults.weightDecay, 'weight_decay value');
    if (defaults.nesterov && (defaults.momentum <= 0 || defaults.dampening !== 0)) {
      throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
    }
    super(params, defaults);
  }

  protected updateParam(p: Tensor, gradient: Tensor, group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    let grad = maximize ? gradient.neg() : gradient;
    if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
    if (momentum !== 0) {
      const state = this.stateOf(p, () => ({}));
      const buf = state.momentumBuffer;
      // The first step's buffer is the gradient itself (a copy), not (1 − dampening)·gradient.
      if (!buf) state.momentumBuffer = grad.clone();
      else buf.mul_(momentum).add_(grad, { alpha: 1 - dampening });
      grad = nesterov ? grad.add(state.momentumBuffer!, { alpha: momentum }) : state.momentumBuffer!;
    }
    p.add_(grad, { alpha: -lr });
  }
}

engineOptimizers(SGD);
