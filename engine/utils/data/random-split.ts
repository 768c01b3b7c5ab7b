/** torch.utils.data.random_split: disjoint random subsets of given lengths or fractions. */
import { argTypeError, namedArgs } from '../../args.ts';
import { defaultGenerator, type Generator } from '../../tensor/random.ts';
import { Subset, datasetArg, type Dataset } from './dataset.ts';

/**
 * Fractions (summing to 1) become lengths as PyTorch computes them: floor(n · f) each, then the
 * remainder handed out one by one, round-robin from the first subset.
 */
function resolveLengths(lengths: readonly number[], n: number): number[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  // PyTorch's test: a sum close to 1 that is not more than the dataset's length means fractions.
  const fractional = Math.abs(total - 1) <= 1e-9 && total <= n;
  if (!fractional) {
    lengths.forEach((l, i) => {
      if (!Number.isInteger(l) || l < 0)
        throw new RangeError(`randomSplit: length ${l} at index ${i} is not a non-negative integer`);
    });
    if (total !== n)
      throw new RangeError(`Sum of input lengths (${total}) does not equal the length of the input dataset (${n})!`);
    return [...lengths];
  }
  const out = lengths.map((f, i) => {
    if (f < 0 || f > 1) throw new RangeError(`Fraction at index ${i} is not between 0 and 1 (got ${f})`);
    return Math.floor(n * f);
  });
  const remainder = n - out.reduce((a, b) => a + b, 0);
  for (let i = 0; i < remainder; i++) out[i % out.length]! += 1;
  return out;
}

export function randomSplit<T>(
  dataset: Dataset<T>,
  lengths: readonly number[],
  generator?: Generator | { generator?: Generator },
): Subset<T>[] {
  datasetArg('torch.utils.data.randomSplit', 1, dataset);
  if (!Array.isArray(lengths))
    throw argTypeError('torch.utils.data.randomSplit', 'lengths', 2, 'an array of lengths or fractions', lengths);
  const g = namedArgs<{ generator: Generator }>('torch.utils.data.randomSplit', ['generator'], [generator]).generator;
  generator = g ?? defaultGenerator;
  const sizes = resolveLengths(lengths, dataset.length);
  const perm = generator.permutation(dataset.length);
  let offset = 0;
  return sizes.map((size) => new Subset(dataset, perm.subarray(offset, (offset += size))));
}
