/** torch.nn.functional */
export { relu, sigmoid, tanh, softmax, logSoftmax, dropout, linear, type DropoutOptions } from './activation.ts';
export {
  mseLoss,
  l1Loss,
  nllLoss,
  crossEntropy,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  oneHot,
  type Reduction,
  type LossOptions,
  type WeightedLossOptions,
  type NLLLossOptions,
  type CrossEntropyOptions,
  type BCEWithLogitsOptions,
} from './loss.ts';
export { conv2d, maxPool2d, pad, type Conv2dOptions, type MaxPool2dOptions, type Pair } from './conv.ts';
export { batchNorm, layerNorm, type BatchNormOptions, type LayerNormOptions } from './normalization.ts';
