/**
 * The parent's side of DataLoader workers: one worker thread per `numWorkers`, each running
 * worker.ts. Workers are TypeScript, and a worker thread does not inherit the parent's module
 * loader under every runner (vitest's transform, for one, stays in the parent), so each worker
 * registers tsx's loader itself before importing worker.ts; this needs the `tsx` package, which
 * every torchlings checkout has.
 *
 * A bundled engine (the grading sandbox) brings its own boot script instead: setWorkerBoot().
 *
 * A worker holds the process open only while it owes the parent a batch or is being shut down: a
 * loop that breaks early, or an iterator that is simply dropped, never keeps Node running.
 */
import { Worker } from 'node:worker_threads';
import type { BatchSeeds } from './fetch.ts';
import type { BatchReply, BatchRequest, WorkerData } from './worker.ts';

// A CommonJS eval script: it can start before any TypeScript loader exists.
const BOOT = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx)
  .then((tsx) => { tsx.register(); return import(workerData.entry); })
  .catch((e) => { setImmediate(() => { throw e; }); });
`;

/** A boot script (CommonJS) and what it needs in workerData.boot, for a build that runs no TypeScript. */
export interface WorkerBoot {
  code: string;
  data: unknown;
}

let customBoot: WorkerBoot | undefined;

/** Replaces the boot script of every worker started from now on; once per process. */
export function setWorkerBoot(boot: WorkerBoot): void {
  if (customBoot) throw new Error('setWorkerBoot: the worker boot is set already');
  customBoot = boot;
}

function tsxApiUrl(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch (e) {
    throw new Error(
      `DataLoader workers need the 'tsx' package to run TypeScript in worker threads: ${(e as Error).message}`,
    );
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

class PoolWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  constructor(
    readonly id: number,
    workerData: WorkerData & { tsx?: string; entry?: string; boot?: unknown },
  ) {
    // execArgv: [] because the parent's loader flags differ by runner; the boot script brings its own.
    this.worker = new Worker(customBoot?.code ?? BOOT, { eval: true, workerData, execArgv: [] });
    this.worker.on('message', (reply: BatchReply) => this.settle(reply));
    this.worker.on('error', (e) => this.fail(new Error(`DataLoader worker ${id} failed: ${e.message}`, { cause: e })));
    this.worker.on('exit', (code) =>
      this.fail(new Error(`DataLoader worker ${id} exited unexpectedly (exit code ${code})`)),
    );
    // After the listeners: adding a 'message' listener refs the worker again, so a worker unref'd
    // before it and never sent a batch (a persistent pool wider than a short epoch) held Node open.
    this.worker.unref();
  }

  /** `key` names the request (unique over the pool's life: a persistent pool serves several epochs). */
  request(key: number, indices: number[], seeds: BatchSeeds): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const promise = new Promise<unknown>((resolve, reject) => this.pending.set(key, { resolve, reject }));
    this.worker.ref();
    this.worker.postMessage({ batch: key, indices, seeds } satisfies BatchRequest);
    return promise;
  }

  terminate(): Promise<number> {
    this.failure ??= new Error(`DataLoader worker ${this.id} was shut down`);
    // Whoever awaits the shutdown (a loop's `break` does, through return()) must see it end: an
    // unref'd worker lets Node exit first, with that await still open (exit code 13 at top level).
    this.worker.ref();
    return this.worker.terminate();
  }

  private settle(reply: BatchReply): void {
    // After terminate() a reply still queued must not unref the worker while its shutdown is awaited.
    if (this.failure) return;
    const p = this.pending.get(reply.batch);
    if (!p) return;
    this.pending.delete(reply.batch);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in reply) {
      const err = new Error(`DataLoader worker ${this.id}: ${reply.error.message}`);
      err.name = reply.error.name;
      p.reject(err);
    } else {
      p.resolve(reply.value);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    this.worker.unref();
  }
}

export class WorkerPool {
  private readonly workers: PoolWorker[];
  private requests = 0;

  constructor(numWorkers: number, shared: Omit<WorkerData, 'id' | 'seed'>, baseSeed: number) {
    const boot = customBoot
      ? { boot: customBoot.data }
      : { tsx: tsxApiUrl(), entry: new URL('./worker.ts', import.meta.url).href };
    this.workers = Array.from(
      { length: numWorkers },
      // Seeds stay below 2^53 (the largest a Generator takes) by wrapping.
      (_, id) => new PoolWorker(id, { ...shared, id, seed: (baseSeed + id) % 2 ** 53, ...boot }),
    );
  }

  /** Batch `batch` goes to worker batch mod numWorkers, as PyTorch assigns them round-robin. */
  request(batch: number, indices: number[], seeds: BatchSeeds): Promise<unknown> {
    const promise = this.workers[batch % this.workers.length]!.request(this.requests++, indices, seeds);
    // Prefetched batches may fail before anyone awaits them; that must not count as unhandled.
    promise.catch(() => {});
    return promise;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
