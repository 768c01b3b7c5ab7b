/** torch.optim.lr_scheduler */
export {
  LRScheduler,
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  LambdaLR,
  LinearLR,
  ConstantLR,
  MultiplicativeLR,
  CosineAnnealingWarmRestarts,
  OneCycleLR,
  SequentialLR,
  type OneCycleLROptions,
} from './schedulers.ts';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.ts';
