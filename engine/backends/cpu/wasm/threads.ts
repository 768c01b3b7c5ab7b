/**
 * The float32 matmul on several threads: worker threads instantiate the same gemm module on the
 * same shared WebAssembly memory, and each call's tiles of A (so rows of C) are split between
 * them and the calling thread. Every C element is still computed by one thread with the same
 * kernel, summing over k in order, so results are bit-identical to one thread whatever the split.
 *
 * The main thread packs, signals each worker through a control block at the start of the memory
 * (Atomics.notify), computes the last share itself, then waits for the others (Atomics.wait). A
 * worker that has not finished starting is simply not given work, so nothing ever waits on one.
 * Workers are unref'd and blocked in Atomics.wait between calls: they never keep a process alive.
 */
import { Worker } from 'node:worker_threads';
import type { WasmMemory } from './instance.ts';

type Gemm = (...args: number[]) => void;

/** Int32 slots per worker in the control block: sequence, done, gemm's 8 arguments, ready, failed. */
const SLOT = 16;
const [SEQ, DONE, ARGS, READY, FAILED] = [0, 1, 2, 10, 11];
/** Workers at most (the control block is 4 KiB at address 0; the matmul's scratch starts after it). */
const MAX_WORKERS = 64;
export const CONTROL_BYTES = SLOT * 4 * MAX_WORKERS;

/**
 * Below this many multiply-adds in one gemm call, one thread is faster: waking a worker and
 * waiting for it costs tens of microseconds (this is ~100 µs of kernel time).
 */
const MIN_WORK = 1 << 21;

// A CommonJS eval script, so it starts without a TypeScript loader.
const WORKER = `
const { workerData } = require('node:worker_threads');
const { bytes, memory, slot } = workerData;
const { gemm } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const ctl = new Int32Array(memory.buffer, 0, ${CONTROL_BYTES / 4});
const s = slot * ${SLOT};
Atomics.store(ctl, s + ${READY}, 1);
for (let seen = Atomics.load(ctl, s + ${SEQ}); ; ) {
  Atomics.wait(ctl, s + ${SEQ}, seen);
  seen = Atomics.load(ctl, s + ${SEQ});
  const a = Array.from({ length: 8 }, (_, i) => ctl[s + ${ARGS} + i]);
  try { gemm(...a); } catch { Atomics.store(ctl, s + ${FAILED}, 1); }
  Atomics.store(ctl, s + ${DONE}, seen);
  Atomics.notify(ctl, s + ${DONE});
}
`;

export class GemmPool {
  private readonly workers: Worker[] = [];
  private readonly ctl: Int32Array;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly memory: WasmMemory,
    private readonly gemm: Gemm,
  ) {
    this.ctl = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
  }

  /**
   * Starts workers up to `threads − 1` (the calling thread is the last). Fewer threads later leave
   * the extra workers idle (blocked, unref'd), ready for the next increase.
   */
  grow(threads: number): void {
    while (this.workers.length < Math.min(MAX_WORKERS, threads - 1)) {
      const slot = this.workers.length;
      const worker = new Worker(WORKER, { eval: true, workerData: { bytes: this.bytes, memory: this.memory, slot } });
      worker.unref();
      // A worker that fails to start never sets READY, so it is never given work.
      worker.on('error', () => undefined);
      this.workers.push(worker);
    }
  }

  /** Workers started and waiting for work (a starting worker is not given any). */
  ready(): number {
    let n = 0;
    for (let w = 0; w < this.workers.length; w++) n += Atomics.load(this.ctl, w * SLOT + READY);
    return n;
  }

  /**
   * gemm(a, b, c, mTiles, nTiles, K, ldc, accumulate) with its A tiles (tileBytes each, tileRows
   * rows of C) shared out between up to `threads` threads; `work` is its multiply-adds.
   */
  // prettier-ignore
  run(
    a: number, b: number, c: number, mTiles: number, nTiles: number, K: number, ldc: number, accumulate: number,
    tileBytes: number, tileRows: number, work: number, threads: number,
  ): void {
    const ctl = this.ctl;
    const ready: number[] = [];
    for (let w = 0; w < Math.min(this.workers.length, threads - 1); w++) {
      if (Atomics.load(ctl, w * SLOT + READY) === 1) ready.push(w * SLOT);
    }
    const parts = Math.min(ready.length + 1, mTiles);
    if (parts === 1 || work < MIN_WORK) {
      this.gemm(a, b, c, mTiles, nTiles, K, ldc, accumulate);
      return;
    }
    const share = Math.ceil(mTiles / parts);
    const started: [number, number][] = [];
    let t = 0;
    for (const s of ready) {
      if (mTiles - t <= share) break; // the calling thread's share is the rest, at least one tile
      const args = [a + t * tileBytes, b, c + t * tileRows * ldc, share, nTiles, K, ldc, accumulate];
      for (let i = 0; i < 8; i++) ctl[s + ARGS + i] = args[i]!;
      const seq = (ctl[s + SEQ]! + 1) | 0;
      Atomics.store(ctl, s + SEQ, seq);
      Atomics.notify(ctl, s + SEQ);
      started.push([s, seq]);
      t += share;
    }
    this.gemm(a + t * tileBytes, b, c + t * tileRows * ldc, mTiles - t, nTiles, K, ldc, accumulate);
    for (const [s, seq] of started) {
      for (let done = Atomics.load(ctl, s + DONE); done !== seq; done = Atomics.load(ctl, s + DONE)) {
        Atomics.wait(ctl, s + DONE, done, 1000);
      }
      if (Atomics.load(ctl, s + FAILED) !== 0) throw new Error('a matmul worker thread failed');
    }
  }
}
