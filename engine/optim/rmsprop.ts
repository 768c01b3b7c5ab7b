/** torch.optim.RMSprop, as PyTorch's single-tensor loop: square average, optional centering and momentum. */
import { zerosLike } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { keys, namedArgs } from '../args.ts';
import { checkNonNegative, Optimizer, type ParamGroup, type ParamsInput, engineOptimizers } from './optimizer.ts';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  /** Divide by the estimated standard deviation of the gradient rather than its root mean square. */
  centered: boolean;
  maximize: boolean;
}

interface RMSpropState {
  step: number;
  squareAvg: Tensor;
  momentumBuffer?: Tensor;
  gradAvg?: Tensor;
}

export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(
    params: ParamsInput<RMSpropOptions>,
    lr?: number,
    alpha?: number,
    eps?: number,
    weightDecay?: number,
    momentum?: number,
    centered?: boolean,
  );
  constructor(params: ParamsInput<RMSpropOptions>, options?: Partial<RMSpropOptions>);
  constructor(params: ParamsInput<RMSpropOptions>, ...rest: unknown[]) {
    const o = namedArgs<RMSpropOptions>(
      'torch.optim.RMSprop',
      ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered'],
      rest,
      keys<RMSpropOptions>({ lr: 1, alpha: 1, eps: 1, weightDecay: 1, momentum: 1, centered: 1, maximize: 1 }),
    );
    const defaults: RMSpropOptions = {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
      ...o,
    };
    checkNonNegative(defaults.lr, 'learning rate');
    checkNonNegative(defaults.eps, 'epsilon value');
    checkNonNegative(defaults.momentum, 'momentum value');
    checkNonNegative(defaults.weightDecay, 'weight_decay value');
    checkNonNegative(defaults.alpha, 'alpha value');
    super(params, defaults);
  }

  protected updateParam(p: Tensor, gradient: Tensor, group: ParamGroup<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    let grad = maximize ? gradient.neg() : gradient;
    const state = this.stateOf(p, () => ({
      step: 0,
      squareAvg: zerosLike(p),
      ...(momentum > 0 ? { momentumBuffer: zerosLike(p) } : {}),
      ...(centered ? { gradAvg: zerosLike(p) } : {}),
    }));
    state.step += 1;
    if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
    state.squareAvg.mul_(alpha).addcmul_(grad, grad, { value: 1 - alpha });
    let avg: Tensor;
    if (centered) {
      const gradAvg = (state.gradAvg ??= zerosLike(p));
      gradAvg.lerp_(grad, 1 - alpha);
      avg = state.squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
    } else {
      avg = state.squareAvg.sqrt();
    }
    avg = avg.add(eps);
    if (momentum > 0) {
      const buf = (state.momentumBuffer ??= zerosLike(p));
      buf.mul_(momentum).addcdiv_(grad, avg);
      p.add_(buf, { alpha: -lr });
    } else {
      p.addcdiv_(grad, avg, { value: -lr });
    }
  }
}

engineOptimizers(RMSprop);
