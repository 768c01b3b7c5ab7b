/**
 * The float32 matmul on several threads: worker threads instantiate the same gemm module on the
 * same shared WebAssembly memory, and each call's B panels (so columns of C) are shared out between
 * them and the calling thread. Every C element is still computed by one thread with the same
 * kernel, summing over k in order, so results are bit-identical to one thread whatever the split.
 *
 * The split is dynamic: the panels go in chunks, each thread taking the next chunk from a shared
 * counter until none is left, so a thread that runs slower (a core shared with another job, a
 * worker woken late) takes fewer, and the calling thread never waits for work nobody started.
 * Panels rather than A tiles: each thread's chunk sweeps the whole packed A block (in its L2) with
 * one B panel in L1 at a time, the cache use of one thread; A-tile chunks would re-read all of B
 * per chunk.
 *
 * Handing a call to a worker: the calling thread writes the call into the job words, then opens
 * each worker's claim word (0); a worker that finds it open takes it (compareExchange 0 → 1) and
 * runs chunks. When the chunks run out the calling thread closes every claim still open (0 → 2):
 * a worker that had not woken yet is given nothing, so the caller waits only for workers that are
 * computing a chunk. Between calls a worker polls its claim word for about a millisecond, then
 * blocks in Atomics.wait. Workers are unref'd:
 * they never keep a process alive.
 */
import { Worker } from 'node:worker_threads';
import type { WasmMemory } from './instance.ts';

type Gemm = (...args: number[]) => void;

/**
 * Int32 slots of the control block. The job and the chunk counter have a 128-byte line each (the
 * pair of lines a core's prefetcher fetches together), each worker one line of its own, so
 * threads polling different words do not slow each other's writes.
 */
const LINE = 32;
/** The call: gemm's 8 arguments, then the panel bytes of B, the panel bytes of C, and the chunk size. */
const [JOB, B_PANEL, C_PANEL, CHUNK] = [0, 8, 9, 10];
const NEXT = LINE;
/** A worker's words: its claim on the current call, the call number it finished, its start, a failure. */
const [CLAIM, SEQ, DONE, READY, FAILED] = [0, 1, 2, 3, 4];
const [OPEN, TAKEN, CLOSED] = [0, 1, 2];
/** Workers at most (the matmul's scratch starts after the control block). */
const MAX_WORKERS = 62;
export const CONTROL_BYTES = 4 * LINE * (2 + MAX_WORKERS);
const slotOf = (w: number): number => LINE * (2 + w);

/**
 * Below this many multiply-adds in one gemm call, one thread is faster: waking a worker and
 * waiting for it costs tens of microseconds (this is ~100 µs of kernel time).
 */
const MIN_WORK = 1 << 21;
/** Chunks per thread in a call: enough that a slower thread's shortfall is a small part of it. */
const CHUNKS_PER_THREAD = 4;
/**
 * Polls of a word before blocking in Atomics.wait (about 1 ms): longer than the calling thread's
 * packing between the calls of one product, and than the rest of an MNIST MLP training step between
 * its two large products, so a worker is still polling when the next call comes (OpenMP runtimes
 * spin far longer by default). On two threads, training measured 1.10× one thread with this and
 * 0.97× with a quarter of it (~300 µs, which woke the worker from Atomics.wait every step).
 */
const SPIN = 1 << 17;

// A CommonJS eval script, so it starts without a TypeScript loader.
const WORKER = `
const { workerData } = require('node:worker_threads');
const { bytes, memory, slot } = workerData;
const { gemm } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const ctl = new Int32Array(memory.buffer, 0, ${CONTROL_BYTES / 4});
const s = slot;
Atomics.store(ctl, s + ${READY}, 1);
for (;;) {
  if (Atomics.compareExchange(ctl, s + ${CLAIM}, ${OPEN}, ${TAKEN}) === ${OPEN}) {
    const seq = Atomics.load(ctl, s + ${SEQ});
    try { runChunks(); } catch { Atomics.store(ctl, s + ${FAILED}, 1); }
    Atomics.store(ctl, s + ${DONE}, seq);
    Atomics.notify(ctl, s + ${DONE});
  }
  let claim = Atomics.load(ctl, s + ${CLAIM});
  for (let i = 0; claim !== ${OPEN} && i < ${SPIN}; i++) claim = Atomics.load(ctl, s + ${CLAIM});
  if (claim !== ${OPEN}) Atomics.wait(ctl, s + ${CLAIM}, claim);
}
function runChunks() {
  const [a, b, c, nTiles] = [ctl[${JOB}], ctl[${JOB + 1}], ctl[${JOB + 2}], ctl[${JOB + 4}]];
  const [mTiles, K, ldc, acc] = [ctl[${JOB + 3}], ctl[${JOB + 5}], ctl[${JOB + 6}], ctl[${JOB + 7}]];
  const [bPanel, cPanel, chunk] = [ctl[${B_PANEL}], ctl[${C_PANEL}], ctl[${CHUNK}]];
  for (let p = Atomics.add(ctl, ${NEXT}, chunk); p < nTiles; p = Atomics.add(ctl, ${NEXT}, chunk)) {
    gemm(a, b + p * bPanel, c + p * cPanel, mTiles, Math.min(chunk, nTiles - p), K, ldc, acc);
  }
}
`;

export class GemmPool {
  private readonly workers: Worker[] = [];
  private readonly ctl: Int32Array;
  /** The number of the last call handed out. */
  private seq = 0;

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
      const slot = slotOf(this.workers.length);
      Atomics.store(this.ctl, slot + CLAIM, CLOSED);
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
    for (let w = 0; w < this.workers.length; w++) n += Atomics.load(this.ctl, slotOf(w) + READY);
    return n;
  }

  /**
   * gemm(a, b, c, mTiles, nTiles, K, ldc, accumulate) with its B panels (bPanelBytes each, cPanelBytes
   * of C's row) shared out between up to `threads` threads; `work` is its multiply-adds.
   */
  // prettier-ignore
  run(
    a: number, b: number, c: number, mTiles: number, nTiles: number, K: number, ldc: number, accumulate: number,
    bPanelBytes: number, cPanelBytes: number, work: number, threads: number,
  ): void {
    const ctl = this.ctl;
    const helpers = Math.min(this.workers.length, threads - 1, nTiles - 1);
    if (helpers < 1 || work < MIN_WORK) {
      this.gemm(a, b, c, mTiles, nTiles, K, ldc, accumulate);
      return;
    }
    const chunk = Math.ceil(nTiles / ((helpers + 1) * CHUNKS_PER_THREAD));
    ctl[JOB] = a;
    ctl[JOB + 1] = b;
    ctl[JOB + 2] = c;
    ctl[JOB + 3] = mTiles;
    ctl[JOB + 4] = nTiles;
    ctl[JOB + 5] = K;
    ctl[JOB + 6] = ldc;
    ctl[JOB + 7] = accumulate;
    ctl[B_PANEL] = bPanelBytes;
    ctl[C_PANEL] = cPanelBytes;
    ctl[CHUNK] = chunk;
    Atomics.store(ctl, NEXT, 0);
    const seq = (this.seq = (this.seq + 1) | 0);
    for (let w = 0; w < helpers; w++) {
      const s = slotOf(w);
      if (Atomics.load(ctl, s + READY) !== 1) continue;
      Atomics.store(ctl, s + SEQ, seq);
      Atomics.store(ctl, s + CLAIM, OPEN);
      Atomics.notify(ctl, s + CLAIM);
    }
    for (let p = Atomics.add(ctl, NEXT, chunk); p < nTiles; p = Atomics.add(ctl, NEXT, chunk)) {
      this.gemm(a, b + p * bPanelBytes, c + p * cPanelBytes, mTiles, Math.min(chunk, nTiles - p), K, ldc, accumulate);
    }
    let failed = false;
    for (let w = 0; w < helpers; w++) {
      const s = slotOf(w);
      if (Atomics.load(ctl, s + SEQ) !== seq) continue; // not started when the call was handed out
      // Still open: the worker never took this call, and now never will.
      if (Atomics.compareExchange(ctl, s + CLAIM, OPEN, CLOSED) === OPEN) continue;
      let done = Atomics.load(ctl, s + DONE);
      for (let i = 0; done !== seq && i < SPIN; i++) done = Atomics.load(ctl, s + DONE);
      while (done !== seq) {
        Atomics.wait(ctl, s + DONE, done, 1000);
        done = Atomics.load(ctl, s + DONE);
      }
      failed ||= Atomics.load(ctl, s + FAILED) !== 0;
    }
    if (failed) throw new Error('a matmul worker thread failed');
  }
}
