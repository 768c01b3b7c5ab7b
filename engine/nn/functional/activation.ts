/** Activations, dropout and linear as functions (torch.nn.functional). */
import { toAutocastDtype } from '../../amp/autocast.ts';
import { isFloatingPoint } from '../../dtype.ts';
import { where } from '../../ops/elementwise.ts';
import { fusedLinear } from '../../ops/matmul.ts';
import { bernoulliMask } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { namedArgs } from '../../args.ts';
import { warnOnce } from './warn.ts';

export const relu = (input: Tensor): Tensor => input.relu();
export const sigmoid = (input: Tensor): Tensor => input.sigmoid();
export const tanh = (input: Tensor): Tensor => input.tanh();

/** PyTorch's legacy choice when no dim is given (0 for 0-, 1- and 3-D inputs, else 1), with its warning. */
export function softmaxDim(name: string, ndim: number, dim: number | null | undefined): number {
  if (dim !== undefined && dim !== null) return dim;
  warnOnce(
    `Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`,
  );
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

type DimArg = number | { dim?: number | null } | null;

function dimOf(call: string, dim: DimArg | undefined): number | null | undefined {
  return namedArgs<{ dim: number | null }>(call, ['dim'], [dim]).dim;
}

export function softmax(input: Tensor, dim?: DimArg): Tensor {
  return input.softmax(softmaxDim('softmax', input.ndim, dimOf('torch.nn.functional.softmax', dim)));
}

export function logSoftmax(input: Tensor, dim?: DimArg): Tensor {
  return input.logSoftmax(softmaxDim('log_softmax', input.ndim, dimOf('torch.nn.functional.logSoftmax', dim)));
}

export interface DropoutOptions {
  p?: number;
  training?: boolean;
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1−p), so the expected value is
 * unchanged; the mask is drawn from the default generator, so torch.manualSeed makes it repeatable.
 */
export function dropout(input: Tensor, p?: number, training?: boolean): Tensor;
export function dropout(input: Tensor, options: DropoutOptions): Tensor;
export function dropout(input: Tensor, ...rest: unknown[]): Tensor {
  const { p = 0.5, training = true } = namedArgs<DropoutOptions>(
    'torch.nn.functional.dropout',
    ['p', 'training'],
    rest,
  );
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  if (p === 1) return input.mul(0);
  const dtype = isFloatingPoint(input.dtype) ? input.dtype : 'float32';
  const keep = bernoulliMask(input.shape, 1 - p, input.device);
  return input.mul(where(keep, 1 / (1 - p), 0).to(dtype));
}

/** y = x·Wᵀ + b, with weight [out_features, in_features]. */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null | { bias?: Tensor | null }): Tensor {
  ({ bias } = namedArgs<{ bias: Tensor | null }>('torch.nn.functional.linear', ['bias'], [bias]));
  const fused = bias ? fusedLinear(input, weight, bias) : null;
  if (fused) return fused;
  const y = input.matmul(weight.t());
  // Under autocast the bias joins the product's dtype, so the output stays low-precision.
  return bias ? y.add(toAutocastDtype(bias)) : y;
}
