/**
 * torch.cuda.amp, for code written for PyTorch (`from torch.cuda.amp import autocast, GradScaler`).
 * On a machine without CUDA, PyTorch warns and turns both off: autocast('cuda') casts nothing and the
 * scaler passes the loss and the step through unchanged. The kit has no CUDA, so it does the same;
 * mixed precision here is `torch.autocast('cpu' | 'webgpu', …)` with `new torch.amp.GradScaler()`.
 */
import { warnOnce } from '../nn/functional/warn.ts';
import { GradScaler as AmpGradScaler, type GradScalerOptions } from './grad-scaler.ts';
import type { AutocastOptions } from './autocast.ts';

const INSTEAD = "for mixed precision here, use torch.autocast('cpu' | 'webgpu', fn) and new torch.amp.GradScaler()";

/** torch.cuda.amp.autocast(): runs fn with nothing cast, after PyTorch's warning. */
export function autocast<T>(fn: () => T, _options: AutocastOptions = {}): T {
  if (typeof fn !== 'function')
    throw new TypeError(`torch.cuda.amp.autocast(fn): fn must be a function, got ${typeof fn}`);
  warnOnce(`User provided device_type of 'cuda', but CUDA is not available. Disabling (${INSTEAD})`);
  return fn();
}

/** torch.cuda.amp.GradScaler(): a scaler that is off (scale(loss) is loss, step(opt) is opt.step()). */
export class GradScaler extends AmpGradScaler {
  constructor(options: GradScalerOptions = {}) {
    if (options.enabled !== false)
      warnOnce(`torch.cuda.amp.GradScaler is enabled, but CUDA is not available. Disabling (${INSTEAD})`);
    super({ ...options, enabled: false });
  }
}
