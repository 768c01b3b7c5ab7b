/** torch.nn: modules, layers, losses; torch.nn.functional, torch.nn.init and torch.nn.utils as namespaces. */
export {
  Module,
  type StateDict,
  type LoadStateDictResult,
  type RemovableHandle,
  type ForwardHook,
  type ForwardPreHook,
  type FullBackwardHook,
  type FullBackwardPreHook,
} from './module.ts';
export { Parameter } from './parameter.ts';
export { Linear, Identity, type LinearOptions, type FactoryOptions } from './linear.ts';
export {
  ReLU,
  Sigmoid,
  Tanh,
  Softmax,
  LogSoftmax,
  Softmin,
  LeakyReLU,
  ELU,
  GELU,
  SiLU,
  Softplus,
  Hardtanh,
  ReLU6,
  LogSigmoid,
  SELU,
  CELU,
  Mish,
  Hardswish,
  Hardsigmoid,
  Softsign,
  Tanhshrink,
  Softshrink,
  Hardshrink,
  Threshold,
  GLU,
  PReLU,
  type PReLUOptions,
} from './activation.ts';
export { Dropout, Dropout1d, Dropout2d } from './dropout.ts';
export { ZeroPad2d, ConstantPad1d, ConstantPad2d } from './padding.ts';
export { Flatten, Unflatten } from './flatten.ts';
export { Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict } from './container.ts';
export {
  BatchNorm1d,
  BatchNorm2d,
  LayerNorm,
  GroupNorm,
  InstanceNorm1d,
  InstanceNorm2d,
  type BatchNormOptions,
  type LayerNormOptions,
  type GroupNormOptions,
} from './normalization.ts';
export { PixelShuffle, PixelUnshuffle } from './pixel-shuffle.ts';
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, type UpsampleOptions } from './upsample.ts';
export { Conv2d, Conv1d, type Conv2dOptions, type Conv1dOptions } from './conv.ts';
export {
  MaxPool2d,
  AvgPool2d,
  AdaptiveAvgPool2d,
  MaxPool1d,
  AvgPool1d,
  Unfold,
  Fold,
  type MaxPool2dOptions,
} from './pooling.ts';
export type { AvgPool2dOptions } from './functional/conv.ts';
export { Embedding, type EmbeddingModuleOptions } from './embedding.ts';
export {
  MSELoss,
  L1Loss,
  NLLLoss,
  CrossEntropyLoss,
  BCELoss,
  BCEWithLogitsLoss,
  SmoothL1Loss,
  HuberLoss,
  KLDivLoss,
  MarginRankingLoss,
  HingeEmbeddingLoss,
  SoftMarginLoss,
  MultiLabelSoftMarginLoss,
  CosineEmbeddingLoss,
  TripletMarginLoss,
  PoissonNLLLoss,
} from './loss.ts';
export { PairwiseDistance, CosineSimilarity } from './distance.ts';
export * as functional from './functional/index.ts';
export * as init from './init.ts';
export * as utils from './utils/index.ts';
export * as quantized from './quantized/index.ts';
