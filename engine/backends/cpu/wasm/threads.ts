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
 * per chunk. A chunk's B panels are packed by the thread that takes it (from B as the calling
 * thread copied it into the memory): packing them all on the calling thread before the split ran
 * ~4× slower than on one thread (0.06 ms of the MLP's 64×784×128 product, on Node 20), as each
 * write had to take the cache line back from the core that read it in the call before.
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
import type { StagedB } from './matmul.ts';

type Gemm = (...args: number[]) => void;
type Pack = (src: number, rs: number, ks: number, K: number, dst: number, rows?: number) => void;

/**
 * Int32 slots of the control block. The job and the chunk counter have a 128-byte line each (the
 * pair of lines a core's prefetcher fetches together), each worker one line of its own, so
 * threads polling different words do not slow each other's writes.
 */
const LINE = 32;
/**
 * The call: gemm's 8 arguments, then the panel bytes of B, the panel bytes of C, the chunk size,
 * the staged B block its panels are packed from (its byte address, 0 for none, strides and columns),
 * and the real rows of the last A tile and vectors of the last B panel (kernel.ts's gemmEdges).
 */
const [JOB, B_PANEL, C_PANEL, CHUNK, STAGED, ROWS, VECS] = [0, 8, 9, 10, 11, 15, 16];
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

/**
 * Panels p … p + n − 1 of the call in the control block: packed first from the staged B block where
 * there is one (so each thread packs the panels it uses, in parallel), then gemm over them. Source
 * text, so that the calling thread and the workers run the same function.
 */
const RUN_CHUNK = `function runChunk(ctl, gemm, packB, packEdgeB, NR, p, n) {
  const last = p + n === ctl[${JOB + 4}];
  const b = ctl[${JOB + 1}], K = ctl[${JOB + 5}], bPanel = ctl[${B_PANEL}], src = ctl[${STAGED}];
  const rs = ctl[${STAGED + 1}], ks = ctl[${STAGED + 2}], cols = ctl[${STAGED + 3}];
  for (let q = p; src !== 0 && q < p + n; q++) {
    const col = q * NR;
    if (col + NR <= cols) packB(src + col * rs, rs, ks, K, b + q * bPanel);
    else packEdgeB(src + col * rs, rs, ks, K, b + q * bPanel, cols - col);
  }
  gemm(ctl[${JOB}], b + p * bPanel, ctl[${JOB + 2}] + p * ctl[${C_PANEL}], ctl[${JOB + 3}], n, K, ctl[${JOB + 6}], ctl[${JOB + 7}],
    ctl[${ROWS}], last ? ctl[${VECS}] : NR / 4);
}`;
type RunChunk = (ctl: Int32Array, gemm: Gemm, packB: Pack, packEdgeB: Pack, NR: number, p: number, n: number) => void;
const runChunk = new Function(`return ${RUN_CHUNK}`)() as RunChunk;

// A CommonJS eval script, so it starts without a TypeScript loader.
const WORKER = `
const { workerData } = require('node:worker_threads');
const { bytes, memory, slot, NR } = workerData;
const { gemmEdges: gemm, packB, packEdgeB } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
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
  const chunk = ctl[${CHUNK}], nTiles = ctl[${JOB + 4}];
  for (let p = Atomics.add(ctl, ${NEXT}, chunk); p < nTiles; p = Atomics.add(ctl, ${NEXT}, chunk)) {
    runChunk(ctl, gemm, packB, packEdgeB, NR, p, Math.min(chunk, nTiles - p));
  }
}
${RUN_CHUNK}
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
    private readonly packB: Pack,
    private readonly packEdgeB: Pack,
    /** B's panel width, in columns. */
    private readonly nr: number,
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
      const worker = new Worker(WORKER, {
        eval: true,
        workerData: { bytes: this.bytes, memory: this.memory, slot, NR: this.nr },
      });
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
   * gemmEdges(a, b, c, mTiles, nTiles, K, ldc, accumulate, rows, vecs) with its B panels (bPanelBytes each, cPanelBytes
   * of C's row) shared out between up to `threads` threads; `work` is its multiply-adds. With
   * `packB`, each panel is first packed from that staged block by the thread that takes it.
   */
  // prettier-ignore
  run(
    a: number, b: number, c: number, mTiles: number, nTiles: number, K: number, ldc: number, accumulate: number,
    rows: number, vecs: number, bPanelBytes: number, cPanelBytes: number, work: number, threads: number,
    packB: StagedB | null,
  ): void {
    const ctl = this.ctl;
    const helpers = Math.min(this.workers.length, threads - 1, nTiles - 1);
    const chunk = helpers < 1 || work < MIN_WORK ? nTiles : Math.ceil(nTiles / ((helpers + 1) * CHUNKS_PER_THREAD));
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
    ctl[STAGED] = packB?.src ?? 0;
    ctl[STAGED + 1] = packB?.rs ?? 0;
    ctl[STAGED + 2] = packB?.ks ?? 0;
    ctl[STAGED + 3] = packB?.cols ?? 0;
    ctl[ROWS] = rows;
    ctl[VECS] = vecs;
    if (chunk === nTiles) {
      runChunk(ctl, this.gemm, this.packB, this.packEdgeB, this.nr, 0, nTiles);
      return;
    }
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
      runChunk(ctl, this.gemm, this.packB, this.packEdgeB, this.nr, p, Math.min(chunk, nTiles - p));
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
