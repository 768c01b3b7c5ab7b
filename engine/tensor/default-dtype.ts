/**
 * torch.set_default_dtype / torch.get_default_dtype: the floating-point dtype that factories
 * (zeros, ones, full, rand, randn, linspace, eye, arange of fractions) and torch.tensor's inference
 * give when no dtype is asked for; layers' parameters follow, as they are made by those factories.
 */
import { isFloatingPoint, type DType } from '../dtype.ts';

let current: DType = 'float32';

export function getDefaultDtype(): DType {
  return current;
}

export function setDefaultDtype(dtype: DType): void {
  if (typeof dtype !== 'string' || !isFloatingPoint(dtype))
    throw new TypeError('only floating-point types are supported as the default type');
  current = dtype;
}
