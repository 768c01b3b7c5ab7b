/**
 * A DataLoader worker thread: rebuilds the dataset from the copy the DataLoader sent (state.ts),
 * seeds its default generator as PyTorch seeds workers (base seed + worker id), then answers batch
 * requests in the order they come. It runs the same fetch code as the main thread, under the same
 * per-sample seeds (fetch.ts), so batches are identical.
 */
import { parentPort, workerData } from 'node:worker_threads';
// The engine's entry registers the CPU backend, as importing torch does in the main thread.
import '../../index.ts';
import { defaultGenerator } from '../../tensor/random.ts';
import type { Dataset } from './dataset.ts';
import { fetchDefaultBatch, fetchSamples, type BatchSeeds } from './fetch.ts';
import { decodeState, type EncodedState } from './state.ts';
import { encode } from './transfer.ts';
import { setWorkerInfo } from './worker-info.ts';

export interface WorkerData {
  dataset: EncodedState;
  id: number;
  numWorkers: number;
  seed: number;
  /** True: send collated batches; false: send the sample lists (a custom collateFn runs in the parent). */
  collate: boolean;
}

export interface BatchRequest {
  batch: number;
  indices: number[];
  seeds: BatchSeeds;
}

export type BatchReply =
  { batch: number; value: unknown } | { batch: number; error: { name: string; message: string; stack?: string } };

const data = workerData as WorkerData;
const port = parentPort!;
setWorkerInfo({ id: data.id, numWorkers: data.numWorkers, seed: data.seed });
defaultGenerator.manualSeed(data.seed);

const dataset = decodeState(data.dataset) as Promise<Dataset>;
// Requests are served one after another, so a worker's random draws happen in a fixed order.
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: BatchRequest) => {
  queue = queue.then(async () => {
    try {
      const ds = await dataset;
      const value = data.collate
        ? await fetchDefaultBatch(ds, request.indices, request.seeds)
        : await fetchSamples(ds, request.indices, request.seeds);
      const transfer: ArrayBuffer[] = [];
      const encoded = await encode(value, transfer);
      port.postMessage({ batch: request.batch, value: encoded } satisfies BatchReply, transfer);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      port.postMessage({
        batch: request.batch,
        error: { name: err.name, message: err.message, stack: err.stack },
      } satisfies BatchReply);
    }
  });
});
