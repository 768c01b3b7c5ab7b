/** torch.optim; torch.optim.lr_scheduler as `lrScheduler`. */
export {
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  type ParamsInput,
  type OptimizerStateDict,
  type BaseOptions,
} from './optimizer.ts';
export { SGD, type SGDOptions } from './sgd.ts';
export { Adam, type AdamOptions } from './adam.ts';
export { AdamW } from './adamw.ts';
export { RMSprop, type RMSpropOptions } from './rmsprop.ts';
export { Adagrad, type AdagradOptions } from './adagrad.ts';
export * as lrScheduler from './lr-scheduler/index.ts';
