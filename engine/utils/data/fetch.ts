/**
 * Fetching one batch from a dataset: the same code runs in the main thread and in workers, which
 * is what makes their batches identical.
 *
 * Seeding. PyTorch seeds each worker once (base seed + worker id), so a random transform draws
 * differently with 0, 2 or 4 workers. Here every sample is fetched under its own seed instead:
 * while `getItem` runs for the sample at position k of the epoch (0-based, in the order the
 * sampler gave), the default generator is seeded with base seed + k, and its state is put back
 * afterwards. A sample's random transforms then depend only on the epoch's base seed (drawn from
 * the loader's generator) and on its position, never on which worker made it or how many there
 * are; and the main thread's default generator is left as it was, workers or not. Samples of a
 * batch are fetched one after the other for the same reason. A transform given a generator of its
 * own draws from that instead: each worker has its own copy of it (as in PyTorch), so use the
 * default generator when numWorkers > 0 must not change the augmentations.
 */
import { defaultGenerator } from '../../tensor/random.ts';
import type { Dataset } from './dataset.ts';
import { CollateError, defaultCollate } from './collate.ts';

export type CollateFn<T, B> = (samples: T[]) => B;

/** Where a batch sits in its epoch: the epoch's base seed and the position of its first sample. */
export interface BatchSeeds {
  base: number;
  first: number;
}

const SEED_LIMIT = 2 ** 53;

/** Runs `fetch` with the default generator seeded for position `k`, then restores its state. */
async function seeded<R>(seeds: BatchSeeds, k: number, fetch: () => R | Promise<R>): Promise<R> {
  const saved = defaultGenerator.getState();
  defaultGenerator.manualSeed((seeds.base + seeds.first + k) % SEED_LIMIT);
  try {
    return await fetch();
  } finally {
    defaultGenerator.setState(saved);
  }
}

/** Every sample at `indices`, one after the other; an error says which dataset index failed. */
export async function fetchSamples<T>(
  dataset: Dataset<T>,
  indices: readonly number[],
  seeds: BatchSeeds,
): Promise<T[]> {
  const out: T[] = [];
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    try {
      out.push(await seeded(seeds, k, () => dataset.getItem(i)));
    } catch (e) {
      throw new Error(`dataset.getItem(${i}) failed: ${(e as Error).message}`, { cause: e });
    }
  }
  return out;
}

/** Collates `samples`, turning a failure at one entry into an error naming its dataset index. */
export function collateSamples<T, B>(samples: T[], indices: readonly number[], collate: CollateFn<T, B>): B {
  try {
    return collate(samples);
  } catch (e) {
    if (e instanceof CollateError) {
      throw new CollateError(`${e.message} (dataset index ${indices[e.entry]})`, e.entry);
    }
    throw e;
  }
}

/** The default-collated batch at `indices`, through the dataset's batch fast path when it has one. */
export async function fetchDefaultBatch<T>(
  dataset: Dataset<T>,
  indices: readonly number[],
  seeds: BatchSeeds,
): Promise<unknown> {
  if (dataset.getBatch) return seeded(seeds, 0, () => dataset.getBatch!(indices));
  return collateSamples(await fetchSamples(dataset, indices, seeds), indices, defaultCollate);
}
