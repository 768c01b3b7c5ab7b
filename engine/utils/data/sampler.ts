/**
 * Which indices go into which batch, epoch by epoch. The draws from the generators follow
 * PyTorch's DataLoader, so a seeded program sees the same batches on every run:
 *
 *   1. each epoch's iterator first draws a base seed for its workers from `generator` (or the
 *      default generator), whether or not there are workers, so numWorkers never changes the order;
 *   2. shuffling then permutes with `generator` if one was given; without one it draws a seed from
 *      the default generator and permutes with a fresh Generator of that seed (RandomSampler);
 *   3. once an epoch has run out, RandomSampler permutes once more for its `num_samples % n`
 *      remainder (empty here, but drawn all the same): with a `generator`, the next epoch starts
 *      after that draw. A loop that breaks early does not reach it, in PyTorch or here.
 */
import { defaultGenerator, Generator } from '../../tensor/random.ts';

/**
 * PyTorch's `torch.empty((), dtype=torch.int64).random_()`: one 64-bit draw, kept below 2^53 here
 * (a seed's low 32 bits, all that MT19937 reads of it, are PyTorch's).
 */
export function drawSeed(g: Generator): number {
  const hi = g.nextUint32() >>> 11; // 21 bits
  return hi * 2 ** 32 + g.nextUint32();
}

export function epochOrder(n: number, shuffle: boolean, generator: Generator | undefined): ArrayLike<number> {
  if (!shuffle) return Int32Array.from({ length: n }, (_, i) => i);
  return (generator ?? new Generator(drawSeed(defaultGenerator))).permutation(n);
}

/** Step 3 above: the draw PyTorch's sampler makes when its epoch is exhausted. */
export function endEpoch(n: number, shuffle: boolean, generator: Generator | undefined): void {
  if (shuffle && generator) generator.permutation(n);
}

export function batchCount(n: number, batchSize: number, dropLast: boolean): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

export function* batches(order: ArrayLike<number>, batchSize: number, dropLast: boolean): IterableIterator<number[]> {
  const count = batchCount(order.length, batchSize, dropLast);
  for (let b = 0; b < count; b++) {
    const end = Math.min(order.length, (b + 1) * batchSize);
    yield Array.from({ length: end - b * batchSize }, (_, k) => order[b * batchSize + k]!);
  }
}
