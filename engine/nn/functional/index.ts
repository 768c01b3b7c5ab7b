/**
 * torch.nn.functional. Each function is an op made of other ops: its temporaries stop counting in
 * torch.memory when it returns (see composite in autograd/function.ts), as they do inside a module.
 */
import { tensorArg } from '../../args.ts';
import { composite } from '../../autograd/function.ts';
import * as activation from './activation.ts';
import * as conv from './conv.ts';
import * as conv1 from './conv1d.ts';
import * as shuffle from './pixel-shuffle.ts';
import * as resample from './interpolate.ts';
import * as loss from './loss.ts';
import * as normalization from './normalization.ts';
import * as padding from './pad.ts';
import * as lookup from './embedding.ts';

export type { DropoutOptions } from './activation.ts';
export type {
  Reduction,
  LossOptions,
  WeightedLossOptions,
  NLLLossOptions,
  CrossEntropyOptions,
  BCEWithLogitsOptions,
  SmoothL1LossOptions,
  HuberLossOptions,
  KLDivOptions,
} from './loss.ts';
export type { Conv2dOptions, MaxPool2dOptions, AvgPool2dOptions, Pair } from './conv.ts';
export type { Conv1dOptions, MaxPool1dOptions, AvgPool1dOptions, FoldOptions, Single } from './conv1d.ts';
export type { EmbeddingOptions } from './embedding.ts';
export type { InterpolateOptions, InterpolateMode } from './interpolate.ts';
export type { BatchNormOptions, LayerNormOptions, GroupNormOptions, InstanceNormOptions } from './normalization.ts';

/** The check that a call's leading arguments, named as PyTorch names them, are tensors. */
function tensors(name: string, ...params: string[]): (args: readonly unknown[]) => void {
  const call = `torch.nn.functional.${name}`;
  return (args) => {
    for (let i = 0; i < params.length; i++) tensorArg(call, params[i]!, i + 1, args[i]);
  };
}

export const relu = composite(activation.relu, tensors('relu', 'input'));
export const sigmoid = composite(activation.sigmoid, tensors('sigmoid', 'input'));
export const tanh = composite(activation.tanh, tensors('tanh', 'input'));
export const softmax = composite(activation.softmax, tensors('softmax', 'input'));
export const logSoftmax = composite(activation.logSoftmax, tensors('logSoftmax', 'input'));
export const dropout = composite(activation.dropout, tensors('dropout', 'input'));
export const linear = composite(activation.linear, tensors('linear', 'input', 'weight'));
export const mseLoss = composite(loss.mseLoss, tensors('mseLoss', 'input', 'target'));
export const l1Loss = composite(loss.l1Loss, tensors('l1Loss', 'input', 'target'));
export const nllLoss = composite(loss.nllLoss, tensors('nllLoss', 'input', 'target'));
export const crossEntropy = composite(loss.crossEntropy, tensors('crossEntropy', 'input', 'target'));
export const binaryCrossEntropy = composite(loss.binaryCrossEntropy, tensors('binaryCrossEntropy', 'input', 'target'));
export const binaryCrossEntropyWithLogits = composite(
  loss.binaryCrossEntropyWithLogits,
  tensors('binaryCrossEntropyWithLogits', 'input', 'target'),
);
export const oneHot = composite(loss.oneHot, tensors('oneHot', 'tensor'));
export const conv2d = composite(conv.conv2d, tensors('conv2d', 'input', 'weight'));
export const maxPool2d = composite(conv.maxPool2d, tensors('maxPool2d', 'input'));
export const conv1d = composite(conv1.conv1d, tensors('conv1d', 'input', 'weight'));
export const maxPool1d = composite(conv1.maxPool1d, tensors('maxPool1d', 'input'));
export const avgPool1d = composite(conv1.avgPool1d, tensors('avgPool1d', 'input'));
export const unfold = composite(conv1.unfold, tensors('unfold', 'input'));
export const fold = composite(conv1.fold, tensors('fold', 'input'));
export const pad = composite(padding.pad, tensors('pad', 'input'));
export const batchNorm = composite(normalization.batchNorm, tensors('batchNorm', 'input'));
export const layerNorm = composite(normalization.layerNorm, tensors('layerNorm', 'input'));
export const groupNorm = composite(normalization.groupNorm, tensors('groupNorm', 'input'));
export const instanceNorm = composite(normalization.instanceNorm, tensors('instanceNorm', 'input'));
export const interpolate = composite(resample.interpolate, tensors('interpolate', 'input'));
export const pixelShuffle = composite(shuffle.pixelShuffle, tensors('pixelShuffle', 'input'));
export const pixelUnshuffle = composite(shuffle.pixelUnshuffle, tensors('pixelUnshuffle', 'input'));
export const leakyRelu = composite(activation.leakyRelu, tensors('leakyRelu', 'input'));
export const elu = composite(activation.elu, tensors('elu', 'input'));
export const gelu = composite(activation.gelu, tensors('gelu', 'input'));
export const silu = composite(activation.silu, tensors('silu', 'input'));
export const softplus = composite(activation.softplus, tensors('softplus', 'input'));
export const relu6 = composite(activation.relu6, tensors('relu6', 'input'));
export const hardtanh = composite(activation.hardtanh, tensors('hardtanh', 'input'));
export const logsigmoid = composite(activation.logsigmoid, tensors('logsigmoid', 'input'));
export const softmin = composite(activation.softmin, tensors('softmin', 'input'));
export const normalize = composite(activation.normalize, tensors('normalize', 'input'));
export const cosineSimilarity = composite(activation.cosineSimilarity, tensors('cosineSimilarity', 'x1', 'x2'));
export const avgPool2d = composite(conv.avgPool2d, tensors('avgPool2d', 'input'));
export const adaptiveAvgPool2d = composite(conv.adaptiveAvgPool2d, tensors('adaptiveAvgPool2d', 'input'));
export const embedding = composite(lookup.embedding, tensors('embedding', 'input', 'weight'));
export const smoothL1Loss = composite(loss.smoothL1Loss, tensors('smoothL1Loss', 'input', 'target'));
export const huberLoss = composite(loss.huberLoss, tensors('huberLoss', 'input', 'target'));
export const klDiv = composite(loss.klDiv, tensors('klDiv', 'input', 'target'));
export const selu = composite(activation.selu, tensors('selu', 'input'));
export const celu = composite(activation.celu, tensors('celu', 'input'));
export const mish = composite(activation.mish, tensors('mish', 'input'));
export const hardswish = composite(activation.hardswish, tensors('hardswish', 'input'));
export const hardsigmoid = composite(activation.hardsigmoid, tensors('hardsigmoid', 'input'));
export const softsign = composite(activation.softsign, tensors('softsign', 'input'));
export const tanhshrink = composite(activation.tanhshrink, tensors('tanhshrink', 'input'));
export const softshrink = composite(activation.softshrink, tensors('softshrink', 'input'));
export const hardshrink = composite(activation.hardshrink, tensors('hardshrink', 'input'));
export const threshold = composite(activation.threshold, tensors('threshold', 'input'));
export const glu = composite(activation.glu, tensors('glu', 'input'));
export const prelu = composite(activation.prelu, tensors('prelu', 'input', 'weight'));
export const marginRankingLoss = composite(
  loss.marginRankingLoss,
  tensors('marginRankingLoss', 'input1', 'input2', 'target'),
);
export const hingeEmbeddingLoss = composite(loss.hingeEmbeddingLoss, tensors('hingeEmbeddingLoss', 'input', 'target'));
export const softMarginLoss = composite(loss.softMarginLoss, tensors('softMarginLoss', 'input', 'target'));
export const multilabelSoftMarginLoss = composite(
  loss.multilabelSoftMarginLoss,
  tensors('multilabelSoftMarginLoss', 'input', 'target'),
);
export const cosineEmbeddingLoss = composite(
  loss.cosineEmbeddingLoss,
  tensors('cosineEmbeddingLoss', 'input1', 'input2', 'target'),
);
export const pairwiseDistance = composite(loss.pairwiseDistance, tensors('pairwiseDistance', 'x1', 'x2'));
export const tripletMarginLoss = composite(
  loss.tripletMarginLoss,
  tensors('tripletMarginLoss', 'anchor', 'positive', 'negative'),
);
export const poissonNllLoss = composite(loss.poissonNllLoss, tensors('poissonNllLoss', 'input', 'target'));
export const dropout1d = composite(activation.dropout1d, tensors('dropout1d', 'input'));
export const dropout2d = composite(activation.dropout2d, tensors('dropout2d', 'input'));
