/**
 * torch.utils.data.Dataset and its simplest relatives. A dataset is a length plus random access by
 * index; `getItem` may return a promise, so datasets that read files or decode images lazily fit.
 */
import { argTypeError, isIterable } from '../../args.ts';
import { recordOrigin } from './origin.ts';
import type { WorkerSpec } from './worker-spec.ts';

export abstract class Dataset<T = unknown> {
  constructor() {
    // A DataLoader with workers copies the dataset into them and needs its class's module (state.ts).
    recordOrigin(this);
  }

  /** The number of items (Python's `len(dataset)`). */
  abstract get length(): number;
  /** Item `index` (Python's `dataset[index]`), 0 ≤ index < length. */
  abstract getItem(index: number): T | Promise<T>;

  /**
   * Optional fast path: the batch of `indices` already collated as the default collate would make
   * it. The DataLoader uses it (when no `collateFn` is given) instead of one getItem per sample,
   * which is what keeps the data pipeline off the critical path for in-memory datasets.
   */
  getBatch?(indices: readonly number[]): unknown;

  /**
   * Optional: how to rebuild this dataset in a worker thread (DataLoader numWorkers > 0). Without it
   * a worker gets a copy of the dataset's own fields, as PyTorch's workers get a pickled copy.
   */
  workerSpec?(): WorkerSpec;
}

/** Python's index rules for a sequence of `length`: negatives count from the end. */
export function checkIndex(index: number, length: number, what: string): number {
  if (!Number.isInteger(index) || index < -length || index >= length) {
    throw new RangeError(`${what}: index ${index} is out of range for a dataset of length ${length}`);
  }
  return index < 0 ? index + length : index;
}

/** A dataset argument, checked: anything with a numeric `length` and a `getItem(i)` method. */
export function datasetArg<T>(call: string, position: number, value: Dataset<T>): Dataset<T> {
  const d = value as Partial<Dataset<T>> | null | undefined;
  if (typeof d?.getItem === 'function' && typeof d.length === 'number') return value;
  throw argTypeError(call, 'dataset', position, 'a Dataset (a length and getItem(index))', value);
}

/** The items of `dataset` at `indices`, in that order (torch.utils.data.Subset). */
export class Subset<T> extends Dataset<T> {
  readonly indices: readonly number[];

  constructor(
    readonly dataset: Dataset<T>,
    indices: Iterable<number>,
  ) {
    super();
    datasetArg('torch.utils.data.Subset', 1, dataset);
    if (!isIterable(indices))
      throw argTypeError('torch.utils.data.Subset', 'indices', 2, 'an array of indices', indices);
    this.indices = [...indices];
    // Keep the wrapped dataset's batch fast path, if it has one. Not enumerable: a closure cannot be
    // copied into a worker thread, and the copy made there does without it (same values, per item).
    if (dataset.getBatch) {
      const getBatch = dataset.getBatch.bind(dataset);
      Object.defineProperty(this, 'getBatch', {
        value: (batch: readonly number[]) =>
          getBatch(batch.map((i) => this.indices[checkIndex(i, this.length, 'Subset')]!)),
        configurable: true,
        writable: true,
      });
    }
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): T | Promise<T> {
    return this.dataset.getItem(this.indices[checkIndex(index, this.length, 'Subset')]!);
  }
}

/** Several datasets one after the other (torch.utils.data.ConcatDataset). */
export class ConcatDataset<T> extends Dataset<T> {
  readonly datasets: readonly Dataset<T>[];
  /** cumulativeSizes[i]: the number of items in datasets 0..i. */
  readonly cumulativeSizes: readonly number[];

  constructor(datasets: Iterable<Dataset<T>>) {
    super();
    if (!isIterable(datasets))
      throw argTypeError('torch.utils.data.ConcatDataset', 'datasets', 1, 'an array of Datasets', datasets);
    this.datasets = [...datasets].map((d) => datasetArg('torch.utils.data.ConcatDataset', 1, d));
    if (this.datasets.length === 0) throw new RangeError('ConcatDataset: datasets should not be an empty iterable');
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => (total += d.length));
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }

  getItem(index: number): T | Promise<T> {
    const i = checkIndex(index, this.length, 'ConcatDataset');
    const which = this.cumulativeSizes.findIndex((end) => i < end);
    const start = which === 0 ? 0 : this.cumulativeSizes[which - 1]!;
    return this.datasets[which]!.getItem(i - start);
  }
}
