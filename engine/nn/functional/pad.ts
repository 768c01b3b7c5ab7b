/** torch.nn.functional.pad ('constant' mode), as a concatenation of constant blocks. */
import { argTypeError, checkKeys } from '../../args.ts';
import { cat } from '../../ops/indexing.ts';
import { full } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';

/**
 * torch.nn.functional.pad in 'constant' mode: `padding` lists (before, after) pairs starting from
 * the last dim, as PyTorch's does ([left, right, top, bottom] pads the last two dims).
 */
export function pad(input: Tensor, padding: readonly number[], options: { value?: number } = {}): Tensor {
  if (!Array.isArray(padding)) throw argTypeError('torch.nn.functional.pad', 'pad', 2, 'an array of numbers', padding);
  checkKeys('torch.nn.functional.pad', options, ['value']);
  const value = options.value ?? 0;
  if (padding.length % 2 !== 0 || padding.length / 2 > input.ndim) {
    throw new RangeError(
      `Padding length must be divisible by 2 and at most twice the input's dims (${input.ndim}), but got ${padding.length}`,
    );
  }
  if (padding.some((p) => !Number.isInteger(p) || p < 0))
    throw new RangeError(`pad supports non-negative integer padding here, got [${padding.join(', ')}]`);
  let out = input;
  for (let i = 0; i < padding.length / 2; i++) {
    const dim = input.ndim - 1 - i;
    const [before, after] = [padding[2 * i]!, padding[2 * i + 1]!];
    if (before === 0 && after === 0) continue;
    const block = (n: number) =>
      full(
        out.shape.map((d, j) => (j === dim ? n : d)),
        value,
        { dtype: out.dtype, device: out.device },
      );
    out = cat([...(before ? [block(before)] : []), out, ...(after ? [block(after)] : [])], dim);
  }
  return out;
}
