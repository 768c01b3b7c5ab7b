/** torch.optim.Adagrad, as PyTorch's single-tensor loop: a running sum of squared gradients per element. */
import { fullLike } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { keys, namedArgs } from '../args.ts';
import { checkNonNegative, Optimizer, type ParamGroup, type ParamsInput, engineOptimizers } from './optimizer.ts';

export interface AdagradOptions {
  lr: number;
  /** The lr at step t is lr / (1 + (t − 1)·lrDecay). */
  lrDecay: number;
  weightDecay: number;
  /** The sum of squares starts here. */
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

interface AdagradState {
  step: number;
  sum: Tensor;
}

export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  constructor(
    params: ParamsInput<AdagradOptions>,
    lr?: number,
    lrDecay?: number,
    weightDecay?: number,
    initialAccumulatorValue?: number,
    eps?: number,
  );
  constructor(params: ParamsInput<AdagradOptions>, options?: Partial<AdagradOptions>);
  constructor(params: ParamsInput<AdagradOptions>, ...rest: unknown[]) {
    const o = namedArgs<AdagradOptions>(
      'torch.optim.Adagrad',
      ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'],
      rest,
      keys<AdagradOptions>({ lr: 1, lrDecay: 1, weightDecay: 1, initialAccumulatorValue: 1, eps: 1, maximize: 1 }),
    );
    const defaults: AdagradOptions = {
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
      ...o,
    };
    checkNonNegative(defaults.lr, 'learning rate');
    checkNonNegative(defaults.lrDecay, 'lr_decay value');
    checkNonNegative(defaults.weightDecay, 'weight_decay value');
    checkNonNegative(defaults.initialAccumulatorValue, 'initial_accumulator_value value');
    checkNonNegative(defaults.eps, 'epsilon value');
    super(params, defaults);
  }

  protected updateParam(p: Tensor, gradient: Tensor, group: ParamGroup<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize } = group;
    let grad = maximize ? gradient.neg() : gradient;
    const state = this.stateOf(p, () => ({ step: 0, sum: fullLike(p, initialAccumulatorValue) }));
    state.step += 1;
    if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
    const clr = lr / (1 + (state.step - 1) * lrDecay);
    state.sum.addcmul_(grad, grad, { value: 1 });
    p.addcdiv_(grad, state.sum.sqrt().add(eps), { value: -clr });
  }
}

engineOptimizers(Adagrad);
