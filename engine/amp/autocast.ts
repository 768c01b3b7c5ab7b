/**
 * torch.amp.autocast: inside a region, the ops that gain from low precision (matmul, linear, conv)
 * cast their floating inputs to the region's dtype, and the ops whose range or accuracy matters
 * (softmax, log-softmax, losses, reductions, norms) cast theirs back to float32, as PyTorch's
 * autocast op lists do. Everything else runs in the dtype its inputs already have. The casts are
 * ordinary differentiable ops, so gradients flow back into the float32 parameters as float32.
 *
 * The region is kept per async context (AsyncLocalStorage, like noGrad): an async fn keeps it
 * until its promise settles, and a training step interleaved with it is not affected.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { isDevice, isFloatingPoint, isHalfPrecision, type DType, type Device } from '../dtype.ts';
import { warnOnce } from '../nn/functional/warn.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { isInitialized, supportsFloat16 } from '../webgpu.ts';

export interface AutocastOptions {
  /** The low-precision dtype: bfloat16 (the CPU default) or float16 (webgpu's, and the only one there). */
  dtype?: DType;
  /** false turns autocast off inside the region (for a float32 island in an autocast region). */
  enabled?: boolean;
  /** Accepted for PyTorch parity; casts are not cached here (each op casts what it is given). */
  cacheEnabled?: boolean;
}

/** The dtype each device's ops cast to, or absent where autocast is off. */
type Regions = Readonly<Partial<Record<Device, DType>>>;

const regions = new AsyncLocalStorage<Regions>();

const DEFAULT_DTYPE: Readonly<Record<Device, DType>> = { cpu: 'bfloat16', webgpu: 'float16' };
const ALLOWED: Readonly<Record<Device, readonly DType[]>> = {
  cpu: ['bfloat16', 'float16'],
  webgpu: ['float16'],
};

/** torch.is_autocast_enabled(device_type). */
export function isAutocastEnabled(deviceType: Device = 'cpu'): boolean {
  return regions.getStore()?.[deviceType] !== undefined;
}

/** torch.get_autocast_dtype(device_type): the region's dtype, or the device's default outside one. */
export function getAutocastDtype(deviceType: Device = 'cpu'): DType {
  return regions.getStore()?.[deviceType] ?? DEFAULT_DTYPE[deviceType];
}

/**
 * Runs fn with autocast on (or off) for `deviceType`'s tensors and returns what fn returns; a
 * promise keeps the region until it settles. Regions nest: the innermost decides.
 */
export function autocast<T>(deviceType: Device, fn: () => T, options: AutocastOptions = {}): T {
  if (!isDevice(deviceType)) {
    throw new RangeError(
      `User specified an unsupported autocast device_type '${String(deviceType)}' (use 'cpu' or 'webgpu')`,
    );
  }
  if (typeof fn !== 'function') {
    throw new TypeError(`autocast(${deviceType}, fn, options): fn must be a function, got ${typeof fn}`);
  }
  const unknown = Object.keys(options).filter((k) => !['dtype', 'enabled', 'cacheEnabled'].includes(k));
  if (unknown.length > 0) {
    throw new TypeError(
      `autocast got unexpected option(s) ${unknown.join(', ')} (expected dtype, enabled, cacheEnabled)`,
    );
  }
  const dtype = options.dtype ?? DEFAULT_DTYPE[deviceType];
  if (!ALLOWED[deviceType].includes(dtype)) {
    throw new TypeError(
      `In ${deviceType} autocast the supported dtypes are ${ALLOWED[deviceType].join(' and ')}, but got ${dtype}` +
        (deviceType === 'webgpu' && dtype === 'bfloat16' ? ' (WGSL has no bfloat16)' : ''),
    );
  }
  let enabled = options.enabled ?? true;
  if (enabled && deviceType === 'webgpu' && isInitialized() && !supportsFloat16()) {
    // PyTorch's fallback when the device lacks the dtype: warn, and run the region in float32.
    // (Before init() no webgpu tensor exists, so the region has nothing to cast until then.)
    warnOnce(
      'In webgpu autocast, but the target dtype float16 is not supported (the adapter lacks shader-f16). Disabling autocast.',
    );
    enabled = false;
  }
  const current = regions.getStore() ?? {};
  const next: Regions = { ...current, [deviceType]: enabled ? dtype : undefined };
  return regions.run(next, fn);
}

/**
 * For the low-precision list (matmul, linear, conv): a floating tensor other than float64 becomes
 * the region's dtype, as PyTorch casts "eligible" inputs; outside a region it is returned as is.
 */
export function toAutocastDtype(t: Tensor): Tensor {
  const dtype = regions.getStore()?.[t.device];
  if (dtype === undefined || t.dtype === dtype || !isFloatingPoint(t.dtype) || t.dtype === 'float64') return t;
  return t.to(dtype);
}

/** For the float32 list (softmax, losses, reductions, norms): 2-byte floats come back to float32. */
export function toAutocastFloat32(t: Tensor): Tensor {
  if (!isHalfPrecision(t.dtype) || regions.getStore()?.[t.device] === undefined) return t;
  return t.to('float32');
}
