/**
 * torch.utils.data.DataLoader: batches of a dataset, iterated with
 * `for await (const [x, y] of loader)`. With numWorkers > 0 batches are made in worker threads
 * (see worker-pool.ts), up to numWorkers × prefetchFactor ahead, and still handed out in order: the
 * batches are exactly those of numWorkers: 0, random transforms included (fetch.ts says how). Each
 * worker gets a copy of the dataset (state.ts), as PyTorch's workers get a pickled one.
 */
import { keys, namedArgs } from '../../args.ts';
import { defaultGenerator, type Generator } from '../../tensor/random.ts';
import { defaultCollate, type Collated } from './collate.ts';
import { datasetArg, type Dataset } from './dataset.ts';
import { collateSamples, fetchDefaultBatch, fetchSamples, type BatchSeeds, type CollateFn } from './fetch.ts';
import { batchCount, batches, drawSeed, endEpoch, epochOrder } from './sampler.ts';
import { encodeState, NotCopyable, type EncodedState } from './state.ts';
import { decode } from './transfer.ts';
import { WorkerPool } from './worker-pool.ts';
import type { WorkerSpec } from './worker-spec.ts';

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Reshuffle every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it would be smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Worker threads making batches (default 0: the main thread does). */
  numWorkers?: number;
  /** Batches each worker works ahead (default 2; only with numWorkers > 0). */
  prefetchFactor?: number;
  /**
   * Keep the workers (and their copy of the dataset) from one epoch to the next instead of starting
   * new ones every epoch (default false; only with numWorkers > 0). Idle workers never keep the
   * process alive.
   */
  persistentWorkers?: boolean;
  /**
   * PyTorch's page-locked host memory for faster copies to CUDA (default false). Accepted so that
   * PyTorch code runs as written; it changes nothing here: there is no CUDA, and a batch reaches
   * WebGPU by a queue write from ordinary memory either way.
   */
  pinMemory?: boolean;
  /** The generator for shuffling and worker seeds; without it the default generator is drawn from. */
  generator?: Generator;
  /** Turns a list of samples into a batch (default: defaultCollate). */
  collateFn?: CollateFn<T, B>;
  /**
   * How workers rebuild the dataset (a module export and its arguments). Without it they get a copy
   * of the dataset: its workerSpec() if it has one, else its class and own fields.
   */
  workerSpec?: WorkerSpec;
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new RangeError(`${what} should be a positive integer value, but got ${what}=${value}`);
  return value;
}

export class DataLoader<T, B = Collated<T>> implements AsyncIterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly persistentWorkers: boolean;
  readonly pinMemory: boolean;
  readonly generator: Generator | undefined;
  readonly collateFn: CollateFn<T, B>;
  private readonly customCollate: boolean;
  private readonly spec: WorkerSpec | undefined;
  /** The persistent workers, once started. */
  private pool: Promise<WorkerPool> | null = null;

  constructor(dataset: Dataset<T>, options?: DataLoaderOptions<T, B>);
  constructor(dataset: Dataset<T>, batchSize?: number, shuffle?: boolean, options?: DataLoaderOptions<T, B>);
  constructor(
    readonly dataset: Dataset<T>,
    ...rest: unknown[]
  ) {
    datasetArg('torch.utils.data.DataLoader', 1, dataset);
    const options = namedArgs<DataLoaderOptions<T, B>>(
      'torch.utils.data.DataLoader',
      ['batchSize', 'shuffle'],
      rest,
      keys<DataLoaderOptions<T, B>>({
        batchSize: 1,
        shuffle: 1,
        dropLast: 1,
        numWorkers: 1,
        prefetchFactor: 1,
        persistentWorkers: 1,
        pinMemory: 1,
        generator: 1,
        collateFn: 1,
        workerSpec: 1,
      }),
    );
    this.batchSize = positiveInteger(options.batchSize ?? 1, 'batch_size');
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.numWorkers = options.numWorkers ?? 0;
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) {
      throw new RangeError(
        `num_workers option should be a non-negative integer (got ${this.numWorkers}); use numWorkers: 0 to load in the main thread`,
      );
    }
    if (options.prefetchFactor !== undefined && this.numWorkers === 0) {
      throw new RangeError(
        'prefetch_factor option could only be specified with numWorkers > 0: batches are prefetched by workers',
      );
    }
    this.prefetchFactor = positiveInteger(options.prefetchFactor ?? 2, 'prefetch_factor');
    this.persistentWorkers = options.persistentWorkers ?? false;
    if (this.persistentWorkers && this.numWorkers === 0)
      throw new RangeError('persistent_workers option needs numWorkers > 0');
    this.pinMemory = options.pinMemory ?? false;
    this.generator = options.generator;
    this.customCollate = options.collateFn !== undefined;
    this.collateFn = options.collateFn ?? (defaultCollate as unknown as CollateFn<T, B>);
    this.spec = options.workerSpec;
  }

  /** The number of batches in an epoch (Python's `len(loader)`). */
  get length(): number {
    return batchCount(this.dataset.length, this.batchSize, this.dropLast);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<B, void, undefined> {
    const baseSeed = drawSeed(this.generator ?? defaultGenerator);
    const order = epochOrder(this.dataset.length, this.shuffle, this.generator);
    const plan = [...batches(order, this.batchSize, this.dropLast)];
    const seeds = (b: number): BatchSeeds => ({ base: baseSeed, first: b * this.batchSize });
    if (this.numWorkers === 0) {
      for (let b = 0; b < plan.length; b++) yield await this.fetch(plan[b]!, seeds(b));
    } else {
      yield* this.fromWorkers(plan, baseSeed, seeds);
    }
    endEpoch(this.dataset.length, this.shuffle, this.generator);
  }

  private async fetch(indices: number[], seeds: BatchSeeds): Promise<B> {
    if (!this.customCollate) return (await fetchDefaultBatch(this.dataset, indices, seeds)) as B;
    return collateSamples(await fetchSamples(this.dataset, indices, seeds), indices, this.collateFn);
  }

  /** The dataset as the workers will rebuild it; a dataset that cannot be copied gets an error saying why. */
  private async copyForWorkers(): Promise<EncodedState> {
    try {
      return await encodeState(this.dataset, this.spec);
    } catch (e) {
      if (!(e instanceof NotCopyable)) throw e;
      throw new Error(
        `DataLoader(numWorkers: ${this.numWorkers}): ${this.dataset.constructor.name || 'the dataset'} cannot be copied into a worker thread: ${e.message}. ` +
          'Otherwise give the dataset a workerSpec() method, or the DataLoader a workerSpec option, naming the module export ' +
          'that builds it ({ module: import.meta.url, export: "MyDataset", args: [...] }), or use numWorkers: 0.',
        { cause: e },
      );
    }
  }

  private async *fromWorkers(
    plan: number[][],
    baseSeed: number,
    seeds: (b: number) => BatchSeeds,
  ): AsyncGenerator<B, void, undefined> {
    const start = async () =>
      new WorkerPool(
        this.numWorkers,
        { dataset: await this.copyForWorkers(), numWorkers: this.numWorkers, collate: !this.customCollate },
        baseSeed,
      );
    // Persistent workers keep the first epoch's worker seeds; batches do not depend on them (fetch.ts).
    const pool = await (this.persistentWorkers ? (this.pool ??= start()) : start());
    try {
      const inFlight = new Map<number, Promise<unknown>>();
      const ahead = this.numWorkers * this.prefetchFactor;
      let sent = 0;
      for (let b = 0; b < plan.length; b++) {
        for (; sent < plan.length && sent < b + ahead; sent++)
          inFlight.set(sent, pool.request(sent, plan[sent]!, seeds(sent)));
        const value = decode(await inFlight.get(b)!);
        inFlight.delete(b);
        yield this.customCollate ? collateSamples(value as T[], plan[b]!, this.collateFn) : (value as B);
      }
    } finally {
      if (!this.persistentWorkers) await pool.close();
    }
  }
}
