/** BatchNorm1d / BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm1d / InstanceNorm2d. */
import { noGrad } from '../autograd/grad-mode.ts';
import type { DType, Device } from '../dtype.ts';
import { ones, zeros } from '../tensor/create.ts';
import { formatShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { batchNorm, groupNorm, instanceNorm, layerNorm, normalizedShapeOf } from './functional/normalization.ts';
import { Module, engineLayers } from './module.ts';
import { Parameter } from './parameter.ts';
import { keys, namedArgs } from '../args.ts';
import { pyBool, pyFloat, pyTuple } from './repr.ts';

export interface BatchNormOptions {
  eps?: number;
  /** null: a cumulative average of all batches seen instead of an exponential one. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
  device?: Device;
  dtype?: DType;
}

/** A cumulative average (momentum null) needs the batch count on the host, as PyTorch reads it too. */
function readCount(tracked: Tensor): number {
  const backend = tracked.storage.backend;
  if (!backend.readSync)
    throw new Error(`BatchNorm with momentum: null cannot read its batch count on ${tracked.device}; give a momentum`);
  return backend.readSync(tracked.strided)[0]!;
}

/**
 * Batch normalisation over the channel dim (1). Running estimates are buffers (in stateDict):
 * runningMean, runningVar (the unbiased batch variance is what they average) and numBatchesTracked.
 */
abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare runningMean: Tensor | null;
  declare runningVar: Tensor | null;
  declare numBatchesTracked: Tensor | null;

  constructor(
    numFeatures: number,
    eps?: number,
    momentum?: number | null,
    affine?: boolean,
    trackRunningStats?: boolean,
    options?: Pick<BatchNormOptions, 'device' | 'dtype'>,
  );
  constructor(numFeatures: number, options?: BatchNormOptions);
  constructor(numFeatures: number, ...rest: unknown[]) {
    super();
    const {
      eps = 1e-5,
      momentum = 0.1,
      affine = true,
      trackRunningStats = true,
      device,
      dtype,
    } = namedArgs<BatchNormOptions>(
      `torch.nn.${new.target.name}`,
      ['eps', 'momentum', 'affine', 'trackRunningStats'],
      rest,
      keys<BatchNormOptions>({ eps: 1, momentum: 1, affine: 1, trackRunningStats: 1, device: 1, dtype: 1 }),
    );
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = affine ? new Parameter(ones([numFeatures], { device, dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { device, dtype })) : null;
    this.registerBuffer('runningMean', trackRunningStats ? zeros([numFeatures], { device, dtype }) : null);
    this.registerBuffer('runningVar', trackRunningStats ? ones([numFeatures], { device, dtype }) : null);
    this.registerBuffer('numBatchesTracked', trackRunningStats ? zeros([], { device, dtype: 'int32' }) : null);
  }

  protected abstract checkInputDim(input: Tensor): void;

  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    if (input.shape[1] !== this.numFeatures) {
      throw new RangeError(
        `running_mean should contain ${input.shape[1]} elements not ${this.numFeatures} (input ${formatShape(input.shape)})`,
      );
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked) {
      const tracked = this.numBatchesTracked;
      noGrad(() => tracked.add_(1));
      if (this.momentum === null) factor = 1 / readCount(tracked);
    }
    // Without running estimates, evaluation normalises with the batch's own statistics, as PyTorch's does.
    const training = this.training || (!this.runningMean && !this.runningVar);
    return batchNorm(input, this.runningMean, this.runningVar, {
      weight: this.weight,
      bias: this.bias,
      training,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    const momentum = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** For [N, C] or [N, C, L] inputs. */
export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3)
      throw new RangeError(`expected 2D or 3D input (got ${input.ndim}D input)`);
  }
}

/** For [N, C, H, W] inputs. */
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) throw new RangeError(`expected 4D input (got ${input.ndim}D input)`);
  }
}

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
  bias?: boolean;
  device?: Device;
  dtype?: DType;
}

/** Normalises each sample over its last dims (normalizedShape), then scales and shifts per element. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(
    normalizedShape: number | readonly number[],
    eps?: number,
    elementwiseAffine?: boolean,
    bias?: boolean,
    options?: Pick<LayerNormOptions, 'device' | 'dtype'>,
  );
  constructor(normalizedShape: number | readonly number[], options?: LayerNormOptions);
  constructor(normalizedShape: number | readonly number[], ...rest: unknown[]) {
    super();
    const {
      eps = 1e-5,
      elementwiseAffine = true,
      bias = true,
      device,
      dtype,
    } = namedArgs<LayerNormOptions>(
      'torch.nn.LayerNorm',
      ['eps', 'elementwiseAffine', 'bias'],
      rest,
      keys<LayerNormOptions>({ eps: 1, elementwiseAffine: 1, bias: 1, device: 1, dtype: 1 }),
    );
    this.normalizedShape = normalizedShapeOf('torch.nn.LayerNorm', 1, normalizedShape);
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = elementwiseAffine ? new Parameter(ones(this.normalizedShape, { device, dtype })) : null;
    this.bias = elementwiseAffine && bias ? new Parameter(zeros(this.normalizedShape, { device, dtype })) : null;
  }

  override forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

export interface GroupNormOptions {
  eps?: number;
  affine?: boolean;
  device?: Device;
  dtype?: DType;
}

/** torch.nn.GroupNorm: F.groupNorm with a learnt scale and shift per channel (ones and zeros at first). */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(
    numGroups: number,
    numChannels: number,
    eps?: number,
    affine?: boolean,
    options?: Pick<GroupNormOptions, 'device' | 'dtype'>,
  );
  constructor(numGroups: number, numChannels: number, options?: GroupNormOptions);
  constructor(numGroups: number, numChannels: number, ...rest: unknown[]) {
    super();
    const {
      eps = 1e-5,
      affine = true,
      device,
      dtype,
    } = namedArgs<GroupNormOptions>(
      'torch.nn.GroupNorm',
      ['eps', 'affine'],
      rest,
      keys<GroupNormOptions>({ eps: 1, affine: 1, device: 1, dtype: 1 }),
    );
    if (numChannels % numGroups !== 0) throw new RangeError('num_channels must be divisible by num_groups');
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = eps;
    this.affine = affine;
    this.weight = affine ? new Parameter(ones([numChannels], { device, dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numChannels], { device, dtype })) : null;
  }

  override forward(input: Tensor): Tensor {
    return groupNorm(input, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

/**
 * InstanceNorm1d / InstanceNorm2d: BatchNorm's parameters and buffers with PyTorch's other defaults
 * (affine and trackRunningStats false), normalising each sample's channel over its own positions
 * (F.instanceNorm); an unbatched input ([C, L], [C, H, W]) is one sample.
 */
abstract class InstanceNormBase extends BatchNormBase {
  /** The rank of a batched input. */
  protected abstract readonly rank: number;

  constructor(
    numFeatures: number,
    eps?: number,
    momentum?: number,
    affine?: boolean,
    trackRunningStats?: boolean,
    options?: Pick<BatchNormOptions, 'device' | 'dtype'>,
  );
  constructor(numFeatures: number, options?: BatchNormOptions);
  constructor(numFeatures: number, ...rest: unknown[]) {
    const o = namedArgs<BatchNormOptions>(
      `torch.nn.${new.target.name}`,
      ['eps', 'momentum', 'affine', 'trackRunningStats'],
      rest,
      keys<BatchNormOptions>({ eps: 1, momentum: 1, affine: 1, trackRunningStats: 1, device: 1, dtype: 1 }),
    );
    super(numFeatures, { affine: false, trackRunningStats: false, ...o });
  }

  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== this.rank && input.ndim !== this.rank - 1)
      throw new RangeError(`expected ${this.rank - 1}D or ${this.rank}D input (got ${input.ndim}D input)`);
  }

  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    const unbatched = input.ndim === this.rank - 1;
    const x = unbatched ? input.unsqueeze(0) : input;
    if (this.affine && x.shape[1] !== this.numFeatures)
      throw new RangeError(
        `expected input's size at dim=1 to match num_features (${this.numFeatures}), but got: ${x.shape[1]}.`,
      );
    const y = instanceNorm(x, this.runningMean, this.runningVar, {
      weight: this.weight,
      bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats,
      momentum: this.momentum ?? 0.1,
      eps: this.eps,
    });
    return unbatched ? y.squeeze(0) : y;
  }
}

/** For [N, C, L] inputs (or [C, L]). */
export class InstanceNorm1d extends InstanceNormBase {
  protected readonly rank = 3;
}

/** For [N, C, H, W] inputs (or [C, H, W]). */
export class InstanceNorm2d extends InstanceNormBase {
  protected readonly rank = 4;
}

engineLayers(GroupNorm);
