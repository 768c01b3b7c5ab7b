/**
 * What max(dim), min(dim) and maxPool2d(…, { returnIndices: true }) return: PyTorch's named tuple
 * (values, indices), readable both ways: `r.values` / `r.indices`, and `r[0]` / `r[1]` or
 * `const [values, indices] = r`.
 */
import type { Tensor } from './tensor.ts';

export type ValuesIndices = readonly [Tensor, Tensor] & { readonly values: Tensor; readonly indices: Tensor };

export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.freeze(Object.assign([values, indices] as const, { values, indices }));
}
