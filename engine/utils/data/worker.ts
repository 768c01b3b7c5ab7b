/**
 * A DataLoader worker thread: rebuilds the dataset from its WorkerSpec, seeds its default
 * generator as PyTorch seeds workers (base seed + worker id), then answers batch requests in the
 * order they come. It runs the same fetch code as the main thread, so batches are identical.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
// The engine's entry registers the CPU backend, as importing torch does in the main thread.
import '../../index.ts';
import { defaultGenerator } from '../../tensor/random.ts';
import type { Dataset } from './dataset.ts';
import { fetchDefaultBatch, fetchSamples } from './fetch.ts';
import { decode, encode } from './transfer.ts';
import { setWorkerInfo } from './worker-info.ts';
import type { WorkerSpec } from './worker-spec.ts';

export interface WorkerData {
  spec: WorkerSpec & { args: unknown[] };
  id: number;
  numWorkers: number;
  seed: number;
  /** True: send collated batches; false: send the sample lists (a custom collateFn runs in the parent). */
  collate: boolean;
}

export interface BatchRequest {
  batch: number;
  indices: number[];
}

export type BatchReply =
  { batch: number; value: unknown } | { batch: number; error: { name: string; message: string; stack?: string } };

function isClass(f: unknown): f is new (...args: unknown[]) => unknown {
  return typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));
}

async function build(spec: WorkerData['spec']): Promise<Dataset> {
  const url =
    spec.module instanceof URL || /^[a-z]+:/i.test(String(spec.module))
      ? String(spec.module)
      : pathToFileURL(String(spec.module)).href;
  const mod = (await import(url)) as Record<string, unknown>;
  const make = mod[spec.export];
  if (typeof make !== 'function')
    throw new Error(`module ${url} has no export '${spec.export}' that is a class or function`);
  const args = spec.args.map(decode);
  return (isClass(make) ? new make(...args) : (make as (...a: unknown[]) => unknown)(...args)) as Dataset;
}

const data = workerData as WorkerData;
const port = parentPort!;
setWorkerInfo({ id: data.id, numWorkers: data.numWorkers, seed: data.seed });
defaultGenerator.manualSeed(data.seed);

const dataset = build(data.spec);
// Requests are served one after another, so a worker's random draws happen in a fixed order.
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: BatchRequest) => {
  queue = queue.then(async () => {
    try {
      const ds = await dataset;
      const value = data.collate
        ? await fetchDefaultBatch(ds, request.indices)
        : await fetchSamples(ds, request.indices);
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
