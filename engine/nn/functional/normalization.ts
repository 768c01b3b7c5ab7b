/** batch_norm and layer_norm as functions: normalise, then scale and shift. */
import { toAutocastFloat32 } from '../../amp/autocast.ts';
import { noGrad } from '../../autograd/grad-mode.ts';
import { formatShape } from '../../tensor/shape.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { argTypeError, namedArgs } from '../../args.ts';

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Normalises over every dim but the channel dim (1). In training it uses the batch's mean and
 * biased variance, and moves the running estimates toward the batch's mean and unbiased variance
 * (running = (1 − momentum)·running + momentum·batch); in evaluation it uses the running estimates.
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  training?: boolean,
  momentum?: number,
  eps?: number,
): Tensor;
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options: BatchNormOptions,
): Tensor;
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  ...rest: unknown[]
): Tensor {
  const o = namedArgs<BatchNormOptions>(
    'torch.nn.functional.batchNorm',
    ['weight', 'bias', 'training', 'momentum', 'eps'],
    rest,
  );
  input = toAutocastFloat32(input); // norms are on autocast's float32 list
  const { training = false, momentum = 0.1, eps = 1e-5 } = o;
  if (input.ndim < 2)
    throw new RangeError(
      `batch_norm expects an input of at least 2 dims [N, C, …], but got ${formatShape(input.shape)}`,
    );
  const channels = input.shape[1]!;
  const axes = input.shape.map((_, i) => i).filter((i) => i !== 1);
  const statShape = input.shape.map((d, i) => (i === 1 ? d : 1));
  let mean: Tensor;
  let variance: Tensor;
  if (training) {
    const count = input.numel() / channels;
    if (count <= 1)
      throw new RangeError(
        `Expected more than 1 value per channel when training, got input size ${formatShape(input.shape)}`,
      );
    mean = input.mean({ dim: axes, keepdim: true });
    variance = input.var({ dim: axes, keepdim: true, unbiased: false });
    if (runningMean && runningVar) {
      noGrad(() => {
        runningMean.mul_(1 - momentum).add_(mean.reshape([channels]).mul(momentum));
        runningVar.mul_(1 - momentum).add_(variance.reshape([channels]).mul((momentum * count) / (count - 1)));
      });
    }
  } else {
    if (!runningMean || !runningVar) throw new Error('running_mean and running_var must be defined in evaluation mode');
    mean = runningMean.reshape(statShape);
    variance = runningVar.reshape(statShape);
  }
  let y = input.sub(mean).mul(variance.add(eps).rsqrt());
  if (o.weight) y = y.mul(o.weight.reshape(statShape));
  if (o.bias) y = y.add(o.bias.reshape(statShape));
  return y;
}

export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/** LayerNorm's normalized_shape: a number or an array of numbers, as an array. */
export function normalizedShapeOf(call: string, position: number, value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return [...value];
  throw argTypeError(call, 'normalizedShape', position, 'a number or an array of numbers', value);
}

/** Normalises over the last dims (normalizedShape) with the biased variance. */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps?: number,
): Tensor;
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  options: LayerNormOptions,
): Tensor;
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], ...rest: unknown[]): Tensor {
  const o = namedArgs<LayerNormOptions>('torch.nn.functional.layerNorm', ['weight', 'bias', 'eps'], rest);
  input = toAutocastFloat32(input); // norms are on autocast's float32 list
  const shape = normalizedShapeOf('torch.nn.functional.layerNorm', 2, normalizedShape);
  const tail = input.shape.slice(input.ndim - shape.length);
  if (shape.length > input.ndim || tail.some((d, i) => d !== shape[i])) {
    throw new RangeError(
      `Given normalized_shape=${formatShape(shape)}, expected input with shape [*, ${shape.join(', ')}], but got input of size${formatShape(input.shape)}`,
    );
  }
  const axes = shape.map((_, i) => input.ndim - shape.length + i);
  const mean = input.mean({ dim: axes, keepdim: true });
  const variance = input.var({ dim: axes, keepdim: true, unbiased: false });
  let y = input.sub(mean).mul(variance.add(o.eps ?? 1e-5).rsqrt());
  if (o.weight) y = y.mul(o.weight);
  if (o.bias) y = y.add(o.bias);
  return y;
}

/** The per-channel shape [1, C, 1, …] that broadcasts against x. */
const channelShape = (x: Tensor): number[] => x.shape.map((d, i) => (i === 1 ? d : 1));

export interface GroupNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/**
 * torch.nn.functional.group_norm: the channels of each sample [N, C, …] split into numGroups groups,
 * each normalised over its channels and positions (biased variance), then scaled and shifted per channel.
 */
export function groupNorm(
  input: Tensor,
  numGroups: number,
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps?: number,
): Tensor;
export function groupNorm(input: Tensor, numGroups: number, options: GroupNormOptions): Tensor;
export function groupNorm(input: Tensor, numGroups: number, ...rest: unknown[]): Tensor {
  const call = 'torch.nn.functional.groupNorm';
  const o = namedArgs<GroupNormOptions>(call, ['weight', 'bias', 'eps'], rest);
  if (!Number.isInteger(numGroups) || numGroups <= 0)
    throw argTypeError(call, 'numGroups', 2, 'a positive int', numGroups);
  input = toAutocastFloat32(input);
  if (input.ndim < 2)
    throw new RangeError(`Expected at least 2 dimensions for input tensor but received ${input.ndim}`);
  const [n, c] = input.shape as [number, number];
  if (c % numGroups !== 0)
    throw new RangeError(
      `Expected number of channels in input to be divisible by num_groups, but got input of shape ${formatShape(input.shape)} and num_groups=${numGroups}`,
    );
  const grouped = input.reshape([n, numGroups, -1]);
  const mean = grouped.mean({ dim: 2, keepdim: true });
  const variance = grouped.var({ dim: 2, keepdim: true, unbiased: false });
  let y = grouped
    .sub(mean)
    .mul(variance.add(o.eps ?? 1e-5).rsqrt())
    .reshape(input.shape);
  if (o.weight) y = y.mul(o.weight.reshape(channelShape(input)));
  if (o.bias) y = y.add(o.bias.reshape(channelShape(input)));
  return y;
}

export interface InstanceNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * torch.nn.functional.instance_norm: each sample's channel [N, C, …] normalised over its own
 * positions. With useInputStats (the default) running estimates, when given, move toward the
 * batch's average of the instances' mean and unbiased variance; without, they are what normalises.
 */
export function instanceNorm(
  input: Tensor,
  runningMean?: Tensor | null,
  runningVar?: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  useInputStats?: boolean,
  momentum?: number,
  eps?: number,
): Tensor;
export function instanceNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options: InstanceNormOptions,
): Tensor;
export function instanceNorm(input: Tensor, options: InstanceNormOptions): Tensor;
export function instanceNorm(input: Tensor, ...rest: unknown[]): Tensor {
  const o = namedArgs<InstanceNormOptions & { runningMean: Tensor | null; runningVar: Tensor | null }>(
    'torch.nn.functional.instanceNorm',
    ['runningMean', 'runningVar', 'weight', 'bias', 'useInputStats', 'momentum', 'eps'],
    rest,
  );
  const { runningMean = null, runningVar = null, useInputStats = true, momentum = 0.1, eps = 1e-5 } = o;
  input = toAutocastFloat32(input);
  if (input.ndim < 3)
    throw new RangeError(
      `Expected more than 1 spatial element when training, got input size ${formatShape(input.shape)}`,
    );
  const [n, c] = input.shape as [number, number];
  const axes = input.shape.map((_, i) => i).slice(2);
  let mean: Tensor;
  let variance: Tensor;
  if (useInputStats) {
    const count = input.numel() / (n * c);
    if (count <= 1)
      throw new RangeError(
        `Expected more than 1 spatial element when training, got input size ${formatShape(input.shape)}`,
      );
    mean = input.mean({ dim: axes, keepdim: true });
    variance = input.var({ dim: axes, keepdim: true, unbiased: false });
    if (runningMean && runningVar) {
      noGrad(() => {
        runningMean.mul_(1 - momentum).add_(mean.reshape([n, c]).mean(0).mul(momentum));
        runningVar.mul_(1 - momentum).add_(
          variance
            .reshape([n, c])
            .mean(0)
            .mul((momentum * count) / (count - 1)),
        );
      });
    }
  } else {
    if (!runningMean || !runningVar)
      throw new Error('Expected running_mean and running_var to be defined when use_input_stats is false');
    mean = runningMean.reshape(channelShape(input));
    variance = runningVar.reshape(channelShape(input));
  }
  let y = input.sub(mean).mul(variance.add(eps).rsqrt());
  if (o.weight) y = y.mul(o.weight.reshape(channelShape(input)));
  if (o.bias) y = y.add(o.bias.reshape(channelShape(input)));
  return y;
}
