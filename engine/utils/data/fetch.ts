/**
 * Fetching one batch from a dataset: the same code runs in the main thread and in workers, which
 * is what makes their batches identical.
 */
import type { Dataset } from './dataset.ts';
import { CollateError, defaultCollate } from './collate.ts';

export type CollateFn<T, B> = (samples: T[]) => B;

/** Every sample at `indices`; an error says which dataset index failed. */
export async function fetchSamples<T>(dataset: Dataset<T>, indices: readonly number[]): Promise<T[]> {
  return Promise.all(
    indices.map(async (i) => {
      try {
        return await dataset.getItem(i);
      } catch (e) {
        throw new Error(`dataset.getItem(${i}) failed: ${(e as Error).message}`, { cause: e });
      }
    }),
  );
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
export async function fetchDefaultBatch<T>(dataset: Dataset<T>, indices: readonly number[]): Promise<unknown> {
  if (dataset.getBatch) return dataset.getBatch(indices);
  return collateSamples(await fetchSamples(dataset, indices), indices, defaultCollate);
}
