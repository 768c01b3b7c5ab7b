/**
 * Loss modules: each holds its options and calls the function of the same name. Class weights are
 * buffers (as in PyTorch), so they follow to() and appear in stateDict().
 */
import { Tensor } from '../tensor/tensor.ts';
import { isOptions, namedArgs, optionsOf } from '../args.ts';
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
  marginRankingLoss,
  hingeEmbeddingLoss,
  softMarginLoss,
  multilabelSoftMarginLoss,
  cosineEmbeddingLoss,
  tripletMarginLoss,
  poissonNllLoss,
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

/** A loss whose settings PyTorch takes positionally (margin, …) or by keyword; `reduction` by keyword. */
function settings<T extends object>(
  name: string,
  names: readonly (keyof T & string)[],
  args: unknown[],
  more: readonly string[] = [],
) {
  const o = namedArgs<T & LossOptions>(`torch.nn.${name}`, names, args, [...names, ...more, 'reduction']);
  return { ...o, reduction: checkReduction((o as LossOptions).reduction ?? 'mean') };
}

/** max(0, −y·(x1 − x2) + margin). */
export class MarginRankingLoss extends Module {
  readonly margin: number;
  readonly reduction: Reduction;
  constructor(margin?: number | (LossOptions & { margin?: number }), options?: LossOptions) {
    super();
    ({ margin: this.margin = 0, reduction: this.reduction } = settings<{ margin: number }>(
      'MarginRankingLoss',
      ['margin'],
      [margin, options],
    ));
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return marginRankingLoss(input1, input2, target, this.margin, { reduction: this.reduction });
  }
}

/** x where y = 1, max(0, margin − x) where y = −1 (margin 1). */
export class HingeEmbeddingLoss extends Module {
  readonly margin: number;
  readonly reduction: Reduction;
  constructor(margin?: number | (LossOptions & { margin?: number }), options?: LossOptions) {
    super();
    ({ margin: this.margin = 1, reduction: this.reduction } = settings<{ margin: number }>(
      'HingeEmbeddingLoss',
      ['margin'],
      [margin, options],
    ));
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return hingeEmbeddingLoss(input, target, this.margin, { reduction: this.reduction });
  }
}

/** log(1 + e^{−y·x}). */
export class SoftMarginLoss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return softMarginLoss(input, target, { reduction: this.reduction });
  }
}

/** −(y·log σ(x) + (1 − y)·log σ(−x)) averaged over the classes; `weight` per class (a buffer). */
export class MultiLabelSoftMarginLoss extends WeightedLoss {
  constructor(weight?: Tensor | null | WeightedLossOptions, options?: LossOptions) {
    super(weightAndOptions<WeightedLossOptions>([weight, options]));
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return multilabelSoftMarginLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** 1 − cos(x1, x2) where y = 1, max(0, cos − margin) where y = −1. */
export class CosineEmbeddingLoss extends Module {
  readonly margin: number;
  readonly reduction: Reduction;
  constructor(margin?: number | (LossOptions & { margin?: number }), options?: LossOptions) {
    super();
    ({ margin: this.margin = 0, reduction: this.reduction } = settings<{ margin: number }>(
      'CosineEmbeddingLoss',
      ['margin'],
      [margin, options],
    ));
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return cosineEmbeddingLoss(input1, input2, target, this.margin, { reduction: this.reduction });
  }
}

interface TripletOptions extends LossOptions {
  margin?: number;
  p?: number;
  eps?: number;
  swap?: boolean;
}

/** max(d(a, p) − d(a, n) + margin, 0) with p-norm pairwise distances. */
export class TripletMarginLoss extends Module {
  readonly margin: number;
  readonly p: number;
  readonly eps: number;
  readonly swap: boolean;
  readonly reduction: Reduction;
  constructor(margin?: number | TripletOptions, p?: number, eps?: number, swap?: boolean, options?: LossOptions) {
    super();
    const o = settings<{ margin: number; p: number; eps: number; swap: boolean }>(
      'TripletMarginLoss',
      ['margin', 'p', 'eps', 'swap'],
      [margin, p, eps, swap, options],
    );
    [this.margin, this.p, this.eps, this.swap, this.reduction] = [
      o.margin ?? 1,
      o.p ?? 2,
      o.eps ?? 1e-6,
      o.swap ?? false,
      o.reduction,
    ];
  }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    const { margin, p, eps, swap, reduction } = this;
    return tripletMarginLoss(anchor, positive, negative, { margin, p, eps, swap, reduction });
  }
}

interface PoissonOptions extends LossOptions {
  logInput?: boolean;
  full?: boolean;
  eps?: number;
}

/** e^x − y·x (logInput), or x − y·log(x + eps); `full` adds Stirling's term. */
export class PoissonNLLLoss extends Module {
  readonly logInput: boolean;
  readonly full: boolean;
  readonly eps: number;
  readonly reduction: Reduction;
  constructor(logInput?: boolean | PoissonOptions, full?: boolean, options?: PoissonOptions) {
    super();
    const o = settings<{ logInput: boolean; full: boolean; eps: number }>(
      'PoissonNLLLoss',
      ['logInput', 'full'],
      [logInput, full, options],
      ['eps'],
    );
    [this.logInput, this.full, this.eps, this.reduction] = [
      o.logInput ?? true,
      o.full ?? false,
      o.eps ?? 1e-8,
      o.reduction,
    ];
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    const { logInput, full, eps, reduction } = this;
    return poissonNllLoss(input, target, { logInput, full, eps, reduction });
  }
}

engineLayers(MSELoss, L1Loss, NLLLoss, CrossEntropyLoss, SmoothL1Loss, HuberLoss, KLDivLoss);
engineLayers(MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss, MultiLabelSoftMarginLoss);
engineLayers(CosineEmbeddingLoss, TripletMarginLoss, PoissonNLLLoss);
