/** torch.nn.functional.embedding: rows of a weight matrix looked up by int32 indices. */
import { namedArgs } from '../../args.ts';
import { where } from '../../ops/elementwise.ts';
import type { Tensor } from '../../tensor/tensor.ts';

export interface EmbeddingOptions {
  /** Index whose row gets no gradient (negative counts from the end). */
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
}

/** The checked padding index as a row number, or null. */
export function paddingRow(call: string, paddingIdx: number | null | undefined, rows: number): number | null {
  if (paddingIdx === undefined || paddingIdx === null) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= rows || paddingIdx < -rows)
    throw new RangeError(`${call}: padding_idx must be within the number of embeddings (${rows}), got ${paddingIdx}`);
  return paddingIdx < 0 ? paddingIdx + rows : paddingIdx;
}

/** weight[input]: shape [...input.shape, embeddingDim]; positions holding paddingIdx pass no gradient to the weight. */
export function embedding(input: Tensor, weight: Tensor, ...rest: unknown[]): Tensor {
  const call = 'torch.nn.functional.embedding';
  const o = namedArgs<EmbeddingOptions>(call, ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse'], rest);
  if (o.maxNorm != null || o.scaleGradByFreq || o.sparse)
    throw new Error(`${call}: maxNorm, scaleGradByFreq and sparse are not supported here`);
  if (input.dtype !== 'int32')
    throw new TypeError(
      `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${input.dtype} instead (indices are int32 here)`,
    );
  if (weight.ndim !== 2) throw new RangeError(`'weight' must be 2-D, got ${weight.ndim}-D`);
  const pad = paddingRow(call, o.paddingIdx, weight.shape[0]!);
  const rows = weight.indexSelect(0, input.reshape([-1])).reshape([...input.shape, weight.shape[1]!]);
  if (pad === null || !rows.requiresGrad) return rows;
  return where(input.eq(pad).unsqueeze(-1), rows.detach(), rows);
}
