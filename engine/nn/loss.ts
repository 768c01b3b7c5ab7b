/**
 * Loss modules: each holds its options and calls the function of the same name. Class weights are
 * buffers (as in PyTorch), so they follow to() and appear in stateDict().
 */
import { Tensor } from '../tensor/tensor.ts';
import { isOptions, optionsOf } from '../args.ts';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  checkReduction,
  crossEntropy,
  l1Loss,
  mseLoss,
  nllLoss,
  smoothL1Loss,
  huberLoss,
  klDiv,
  type BCEWithLogitsOptions,
  type HuberLossOptions,
  type KLDivOptions,
  type SmoothL1LossOptions,
  type CrossEntropyOptions,
  type LossOptions,
  type NLLLossOptions,
  type Reduction,
  type WeightedLossOptions,
} from './functional/loss.ts';
import { Module, engineLayers } from './module.ts';
import { pyFloat } from './repr.ts';

abstract class Loss extends Module {
  readonly reduction: Reduction;
  /** `allowed`: the option keys of the concrete loss, checked under its own name. */
  constructor(given?: LossOptions | null, allowed: readonly string[] = ['reduction']) {
    super();
    const options = optionsOf(`torch.nn.${new.target.name}`, given, allowed);
    this.reduction = checkReduction(options.reduction ?? 'mean');
  }
}

/** PyTorch's weighted losses take the weight positionally too: new CrossEntropyLoss(w, { … }). */
function weightAndOptions<O extends WeightedLossOptions>(args: unknown[]): O {
  const [first, second] = args;
  if (first instanceof Tensor || first === null) return { ...(second as O), weight: first };
  return (isOptions(first) ? first : {}) as O;
}

abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;
  constructor(options: WeightedLossOptions, more: readonly string[] = []) {
    super(options, ['weight', 'reduction', ...more]);
    this.registerBuffer('weight', options.weight ?? null);
  }
}

export class MSELoss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

export class L1Loss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Takes log-probabilities [N, C] and class indices [N] (int32). */
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  constructor(weight?: Tensor | null, options?: Omit<NLLLossOptions, 'weight'>);
  constructor(options?: NLLLossOptions);
  constructor(...args: unknown[]) {
    const o = weightAndOptions<NLLLossOptions>(args);
    super(o, ['ignoreIndex']);
    this.ignoreIndex = o.ignoreIndex ?? -100;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Takes raw logits [N, C] and class indices [N] (int32) or class probabilities [N, C]. */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(weight?: Tensor | null, options?: Omit<CrossEntropyOptions, 'weight'>);
  constructor(options?: CrossEntropyOptions);
  constructor(...args: unknown[]) {
    const o = weightAndOptions<CrossEntropyOptions>(args);
    super(o, ['ignoreIndex', 'labelSmoothing']);
    this.ignoreIndex = o.ignoreIndex ?? -100;
    this.labelSmoothing = o.labelSmoothing ?? 0;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
  override extraRepr(): string {
    return this.labelSmoothing ? `label_smoothing=${pyFloat(this.labelSmoothing)}` : '';
  }
}

/** Takes probabilities in [0, 1] (after a sigmoid) and targets of the same shape. */
export class BCELoss extends WeightedLoss {
  constructor(weight?: Tensor | null, options?: LossOptions);
  constructor(options?: WeightedLossOptions);
  constructor(...args: unknown[]) {
    super(weightAndOptions<WeightedLossOptions>(args));
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Takes raw logits: sigmoid and binary cross-entropy in one numerically stable step. */
export class BCEWithLogitsLoss extends WeightedLoss {
  declare posWeight: Tensor | null;
  constructor(weight?: Tensor | null, options?: Omit<BCEWithLogitsOptions, 'weight'>);
  constructor(options?: BCEWithLogitsOptions);
  constructor(...args: unknown[]) {
    const o = weightAndOptions<BCEWithLogitsOptions>(args);
    super(o, ['posWeight']);
    this.registerBuffer('posWeight', o.posWeight ?? null);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight,
      posWeight: this.posWeight,
      reduction: this.reduction,
    });
  }
}

/** Quadratic for |input − target| < beta, linear beyond (beta = 1 by default). */
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(options?: SmoothL1LossOptions) {
    super(options, ['reduction', 'beta']);
    this.beta = options?.beta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Quadratic for |input − target| < delta, then delta-sloped linear (delta = 1 by default). */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(options?: HuberLossOptions) {
    super(options, ['reduction', 'delta']);
    this.delta = options?.delta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Takes log-probabilities as input; reduction 'batchmean' gives the KL divergence per sample. */
export class KLDivLoss extends Module {
  readonly reduction: Reduction | 'batchmean';
  readonly logTarget: boolean;
  constructor(options?: KLDivOptions) {
    super();
    const o = optionsOf('torch.nn.KLDivLoss', options, ['reduction', 'logTarget']);
    const reduction = o.reduction ?? 'mean';
    this.reduction = reduction === 'batchmean' ? reduction : checkReduction(reduction);
    this.logTarget = o.logTarget ?? false;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

engineLayers(MSELoss, L1Loss, NLLLoss, CrossEntropyLoss, SmoothL1Loss, HuberLoss, KLDivLoss);
