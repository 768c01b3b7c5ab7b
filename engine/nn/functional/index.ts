/**
 * torch.nn.functional. Each function is an op made of other ops: its temporaries stop counting in
 * torch.memory when it returns (see composite in autograd/function.ts), as they do inside a module.
 */
import { composite } from '../../autograd/function.ts';
import * as activation from './activation.ts';
import * as conv from './conv.ts';
import * as loss from './loss.ts';
import * as normalization from './normalization.ts';
import * as padding from './pad.ts';

export type { DropoutOptions } from './activation.ts';
export type {
  Reduction,
  LossOptions,
  WeightedLossOptions,
  NLLLossOptions,
  CrossEntropyOptions,
  BCEWithLogitsOptions,
} from './loss.ts';
export type { Conv2dOptions, MaxPool2dOptions, Pair } from './conv.ts';
export type { BatchNormOptions, LayerNormOptions } from './normalization.ts';

export const relu = composite(activation.relu);
export const sigmoid = composite(activation.sigmoid);
export const tanh = composite(activation.tanh);
export const softmax = composite(activation.softmax);
export const logSoftmax = composite(activation.logSoftmax);
export const dropout = composite(activation.dropout);
export const linear = composite(activation.linear);
export const mseLoss = composite(loss.mseLoss);
export const l1Loss = composite(loss.l1Loss);
export const nllLoss = composite(loss.nllLoss);
export const crossEntropy = composite(loss.crossEntropy);
export const binaryCrossEntropy = composite(loss.binaryCrossEntropy);
export const binaryCrossEntropyWithLogits = composite(loss.binaryCrossEntropyWithLogits);
export const oneHot = composite(loss.oneHot);
export const conv2d = composite(conv.conv2d);
export const maxPool2d = composite(conv.maxPool2d);
export const pad = composite(padding.pad);
export const batchNorm = composite(normalization.batchNorm);
export const layerNorm = composite(normalization.layerNorm);
