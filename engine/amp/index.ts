/** torch.amp: automatic mixed precision (autocast regions and loss scaling). */
export { autocast, isAutocastEnabled, getAutocastDtype, type AutocastOptions } from './autocast.ts';
export { GradScaler, type GradScalerOptions, type GradScalerStateDict } from './grad-scaler.ts';
