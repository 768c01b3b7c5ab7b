/**
 * torch.cdist: pairwise p-norm distances between the rows of x1 [..., P, M] and x2 [..., R, M].
 * For p = 2 with more than 25 rows on either side it takes PyTorch's default compute mode
 * ('use_mm_for_euclid_dist_if_necessary'): ‖a‖² + ‖b‖² − 2·a·bᵀ through one matmul, clamped at 0;
 * otherwise the differences directly. A zero distance has gradient 0, as PyTorch's backward gives.
 */
import { tensorArg } from '../args.ts';
import { formatShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';

const MM_THRESHOLD = 25;

/** s^(1/p) where s > 0, and 0 (with gradient 0, not NaN) where s = 0. */
function safeRoot(s: Tensor, p: number): Tensor {
  const positive = s.gt(0);
  const root = s.where(positive, 1);
  return (p === 2 ? root.sqrt() : root.pow(1 / p)).where(positive, 0);
}

export function cdist(x1: Tensor, x2: Tensor, p = 2): Tensor {
  tensorArg('torch.cdist', 'x1', 1, x1);
  tensorArg('torch.cdist', 'x2', 2, x2);
  if (x1.ndim < 2 || x2.ndim < 2) {
    throw new RangeError(`cdist only supports at least 2D tensors, X1 got: ${x1.ndim}D, X2 got: ${x2.ndim}D`);
  }
  if (x1.shape.at(-1) !== x2.shape.at(-1)) {
    throw new RangeError(
      `X1 and X2 must have the same number of columns. X1: ${x1.shape.at(-1)} X2: ${x2.shape.at(-1)} (shapes ${formatShape(x1.shape)} and ${formatShape(x2.shape)})`,
    );
  }
  if (!(p >= 0)) throw new RangeError(`cdist only supports non-negative p values, got ${p}`);
  if (p === 2 && (x1.shape.at(-2)! > MM_THRESHOLD || x2.shape.at(-2)! > MM_THRESHOLD)) {
    const n1 = x1.pow(2).sum({ dim: -1, keepdim: true });
    const n2 = x2.pow(2).sum({ dim: -1, keepdim: true }).transpose(-1, -2);
    const squared = n1
      .add(n2)
      .sub(x1.matmul(x2.transpose(-1, -2)).mul(2))
      .clamp(0);
    return safeRoot(squared, 2);
  }
  const diff = x1.unsqueeze(-2).sub(x2.unsqueeze(-3)).abs();
  if (p === 0) return diff.ne(0).to(diff.dtype).sum(-1);
  if (p === Infinity) return diff.max(-1).values;
  return safeRoot(diff.pow(p).sum(-1), p);
}
