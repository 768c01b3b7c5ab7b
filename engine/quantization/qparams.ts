/**
 * The scale and zero point of PyTorch's dynamic quantization, with its formulas:
 * - weights: MinMaxObserver / PerChannelMinMaxObserver, qint8, symmetric:
 *   s = max(|min|, |max|) / 127.5 (never below float32's eps), z = 0, q ∈ [−128, 127];
 * - activations, per batch: fbgemm's ChooseQuantizationParams over [min(x, 0), max(x, 0)] into
 *   quint8 with reduce_range (q ∈ [0, 127], as quantized::linear_dynamic asks on x86).
 * q = clamp(round(x · (1/s)) + z, qmin, qmax) with round half to even (nearbyint), x̂ = s·(q − z).
 */
const EPS = 2 ** -23; // torch.finfo(torch.float32).eps
/** fbgemm's SMALL_SCALE_THRESHOLD: a smaller scale is raised to it (its inverse would lose precision). */
const SMALL_SCALE = 6.1e-5;

export const ACTIVATION_QMIN = 0;
export const ACTIVATION_QMAX = 127;

/** 1.5·2⁵²: adding and subtracting it rounds a double (|x| < 2⁵¹) to an integer, half to even. */
export const ROUNDER = 6755399441055744;

export function roundHalfEven(x: number): number {
  return x + ROUNDER - ROUNDER;
}

/** Symmetric int8 scale of values in [min, max] (the weight observers'). */
export function symmetricScale(min: number, max: number): number {
  const maxAbs = Math.max(-Math.min(min, 0), Math.max(max, 0));
  return Math.max(Math.fround(maxAbs / 127.5), EPS);
}

/** fbgemm's ChooseQuantizationParams(min, max, qmin, qmax) without sparsity or power-of-two options. */
export function activationQParams(
  xMin: number,
  xMax: number,
  qmin = ACTIVATION_QMIN,
  qmax = ACTIVATION_QMAX,
): { scale: number; zeroPoint: number } {
  let min = Math.min(xMin, 0);
  let max = Math.max(xMax, 0);
  let scale = (max - min) / (qmax - qmin);
  if (Math.fround(scale) === 0 || !Number.isFinite(1 / Math.fround(scale))) scale = 0.1;
  if (scale < SMALL_SCALE) {
    const original = scale;
    scale = SMALL_SCALE;
    if (min === 0) max = SMALL_SCALE * (qmax - qmin);
    else if (max === 0) min = -SMALL_SCALE * (qmax - qmin);
    else {
      min *= SMALL_SCALE / original;
      max *= SMALL_SCALE / original;
    }
  }
  scale = Math.fround(scale);
  // The zero point from whichever end loses less, nudged to an integer inside [qmin, qmax].
  const fromMin = qmin - min / scale;
  const fromMax = qmax - max / scale;
  const errMin = Math.abs(qmin) - Math.abs(min / scale);
  const errMax = Math.abs(qmax) - Math.abs(max / scale);
  const initial = errMin < errMax ? fromMin : fromMax;
  const zeroPoint = initial < qmin ? qmin : initial > qmax ? qmax : roundHalfEven(initial);
  return { scale, zeroPoint };
}

/** q = clamp(round(x · (1/s)) + z, qmin, qmax), the product taken in float32 as fbgemm does. */
export function quantizeValue(x: number, inverseScale: number, zeroPoint: number, qmin: number, qmax: number): number {
  const q = Math.fround(x * inverseScale) + ROUNDER - ROUNDER + zeroPoint;
  return q < qmin ? qmin : q > qmax ? qmax : q;
}
