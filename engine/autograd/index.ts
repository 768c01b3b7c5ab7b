/** torch.autograd */
export { Function, Context as FunctionCtx } from './function.ts';
export { grad, type GradOptions } from './api.ts';
export { gradcheck, GradcheckError, type GradcheckMismatch, type GradcheckOptions } from './gradcheck.ts';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './grad-mode.ts';
