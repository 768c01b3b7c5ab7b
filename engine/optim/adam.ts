/**
 * torch.optim.Adam, as PyTorch's single-tensor implementation, bias correction included:
 * step_size = lr / (1 − β1^t), denom = √v / √(1 − β2^t) + eps, p −= step_size · m / denom.
 */
import { maximum } from '../ops/elementwise.ts';
import { zerosLike } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { keys, namedArgs } from '../args.ts';
import { checkNonNegative, Optimizer, type ParamGroup, type ParamsInput, engineOptimizers } from './optimizer.ts';

export interface AdamOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** AdamW's rule: p ← p·(1 − lr·weightDecay) instead of adding weightDecay·p to the gradient. */
  decoupledWeightDecay: boolean;
}

interface AdamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq?: Tensor;
}

const ADAM_KEYS = keys<AdamOptions>({
  lr: 1,
  betas: 1,
  eps: 1,
  weightDecay: 1,
  amsgrad: 1,
  maximize: 1,
  decoupledWeightDecay: 1,
});

export function adamDefaults(call: string, rest: unknown[], base: Partial<AdamOptions>): AdamOptions {
  const o = namedArgs<AdamOptions>(call, ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'], rest, ADAM_KEYS);
  const d: AdamOptions = {
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
    maximize: false,
    decoupledWeightDecay: false,
    ...base,
    ...o,
  };
  checkNonNegative(d.lr, 'learning rate');
  checkNonNegative(d.eps, 'epsilon value');
  d.betas.forEach((b, i) => {
    if (!(b >= 0 && b < 1)) throw new RangeError(`Invalid beta parameter at index ${i}: ${b}`);
  });
  checkNonNegative(d.weightDecay, 'weight_decay value');
  return d;
}

/** Whether the backend's one-pass update applies: it needs plain contiguous tensors of one dtype. */
function fused(p: Tensor, grad: Tensor, state: AdamState): boolean {
  if (!p.storage.backend.adamStep) return false;
  const all = [p, grad, state.expAvg, state.expAvgSq, ...(state.maxExpAvgSq ? [state.maxExpAvgSq] : [])];
  return all.every((t) => t.dtype === p.dtype && t.device === p.device && t.isContiguous());
}

export class Adam extends Optimizer<AdamOptions, AdamState> {
  constructor(
    params: ParamsInput<AdamOptions>,
    lr?: number,
    betas?: readonly [number, number],
    eps?: number,
    weightDecay?: number,
    amsgrad?: boolean,
  );
  constructor(params: ParamsInput<AdamOptions>, options?: Partial<AdamOptions>);
  constructor(params: ParamsInput<AdamOptions>, ...rest: unknown[]) {
    super(params, adamDefaults('torch.optim.Adam', rest, {}));
  }

  protected updateParam(p: Tensor, gradient: Tensor, group: ParamGroup<AdamOptions>): void {
    const { lr, betas, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay } = group;
    const [beta1, beta2] = betas;
    const state = this.stateOf(p, () => ({
      step: 0,
      expAvg: zerosLike(p),
      expAvgSq: zerosLike(p),
      ...(amsgrad ? { maxExpAvgSq: zerosLike(p) } : {}),
    }));
    state.step += 1;
    if (amsgrad) state.maxExpAvgSq ??= zerosLike(p);
    if (fused(p, gradient, state)) {
      p.storage.backend.adamStep!(
        p.strided,
        gradient.strided,
        state.expAvg.strided,
        state.expAvgSq.strided,
        state.maxExpAvgSq?.strided ?? null,
        { lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, step: state.step },
      );
      for (const t of [p, state.expAvg, state.expAvgSq, state.maxExpAvgSq]) if (t) t.storage.version++;
      return;
    }
    let grad = maximize ? gradient.neg() : gradient;
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) p.mul_(1 - lr * weightDecay);
      else grad = grad.add(p, { alpha: weightDecay });
    }
    state.expAvg.lerp_(grad, 1 - beta1);
    state.expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
    const stepSize = lr / (1 - beta1 ** state.step);
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** state.step);
    let second = state.expAvgSq;
    if (amsgrad && state.maxExpAvgSq) {
      second = state.maxExpAvgSq.copy_(maximum(state.maxExpAvgSq, state.expAvgSq));
    }
    const denom = second.sqrt().div(biasCorrection2Sqrt).add(eps);
    p.addcdiv_(state.expAvg, denom, { value: -stepSize });
  }
}

engineOptimizers(Adam);
