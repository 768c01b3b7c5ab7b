/**
 * One thread against two for the float32 matmul, read against what the machine gives two threads:
 * `node --import tsx bench/matmul-threads.ts [n] [rounds]`. Each round times n×n products on one
 * thread, then on two: a.matmul(b) as `npm run bench` does (each output dropped, so only the
 * collector frees it), a.matmul(b) with its output's storage released at once (as PyTorch's
 * reference count frees it: the pool hands the same array back), and the backend's call alone into a
 * reused output (staging, packing, gemm, copy out); then two worker threads each running the gemm
 * kernel on memory of their own, alone and together: together/alone near 1 means two cores' worth,
 * near 2 one core shared. The gap between the first two is what a fresh output costs (its
 * allocation, first touch, and the collections its bytes bring on), not the matmul.
 * Medians over the rounds; on a machine other jobs are using, only the ratios within a round mean
 * anything.
 */
import { Worker } from 'node:worker_threads';
import * as torch from '#engine';
import { gemmModuleBytes } from '../engine/backends/cpu/wasm/kernel.ts';
import { matmulThreadsReady, wasmFloatMatmul } from '../engine/backends/cpu/wasm/matmul.ts';
import { median } from './timing.ts';

const n = Number(process.argv[2] ?? 512);
const rounds = Number(process.argv[3] ?? 7);

// The calibration: gemm over 42 × 42 tiles of a 128-deep product (~8M multiply-adds) 40 times, on zeros.
const CALIBRATION = `
const { workerData } = require('node:worker_threads');
const { bytes, ctl: sab, slot } = workerData;
const ctl = new Int32Array(sab);
const { gemm, memory } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
memory.grow(64);
for (let seen = 0; ; ) {
  Atomics.wait(ctl, slot, seen);
  seen = Atomics.load(ctl, slot);
  const t0 = performance.now();
  for (let r = 0; r < 40; r++) gemm(0, 1 << 20, 2 << 20, 42, 42, 128, 4 * 504, 0);
  ctl[4 + slot] = Math.round((performance.now() - t0) * 1000);
  Atomics.store(ctl, 2 + slot, seen);
  Atomics.notify(ctl, 2 + slot);
}
`;
const ctl = new Int32Array(new SharedArrayBuffer(32));
const bytes = gemmModuleBytes('f32');
for (const slot of [0, 1]) {
  new Worker(CALIBRATION, { eval: true, workerData: { bytes, ctl: ctl.buffer, slot } }).unref();
}

/** Milliseconds the kernel loop took on each of `slots`, started together. */
async function calibrate(slots: number[]): Promise<number[]> {
  const seqs = slots.map((s) => {
    const seq = ctl[s]! + 1;
    Atomics.store(ctl, s, seq);
    Atomics.notify(ctl, s);
    return seq;
  });
  for (let i = 0; i < slots.length; i++) {
    while (Atomics.load(ctl, 2 + slots[i]!) !== seqs[i]) await new Promise((r) => setTimeout(r, 1));
  }
  return slots.map((s) => ctl[4 + s]! / 1000);
}

torch.setNumThreads(2);
while (matmulThreadsReady() < 2) await new Promise((r) => setTimeout(r, 20));
const a = torch.rand(n, n);
const b = torch.rand(n, n);
const [A, B] = await Promise.all([a.data(), b.data()]);
const matrix = (data: Float32Array) => ({ data, off: 0, row: n, col: 1 });
const reused = matrix(new Float32Array(n * n));
const reps = Math.max(3, Math.round(1e9 / n ** 3));
const cases = {
  'a.matmul(b)': () => a.matmul(b),
  'a.matmul(b), output released': () => a.matmul(b).storage.release(),
  'backend call, output reused': () =>
    wasmFloatMatmul(matrix(A as Float32Array), matrix(B as Float32Array), false, reused, null, n, n, n),
};
/** Milliseconds per product on `threads` threads. */
function time(run: () => unknown, threads: number): number {
  torch.setNumThreads(threads);
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) run();
  return (performance.now() - t0) / reps;
}

const samples = new Map<string, number[]>();
const add = (key: string, value: number) => samples.set(key, [...(samples.get(key) ?? []), value]);
for (const run of Object.values(cases)) for (const threads of [1, 2]) time(run, threads); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of Object.entries(cases)) {
    const one = time(run, 1);
    const two = time(run, 2);
    add(`${name}: one thread, GFLOP/s`, (2 * n ** 3) / one / 1e6);
    add(`${name}: two threads, GFLOP/s`, (2 * n ** 3) / two / 1e6);
    add(`${name}: two threads' speed / one's`, one / two);
  }
  const [alone] = await calibrate([0]);
  const together = await calibrate([0, 1]);
  add('calibration: two kernel loops together / one alone (time)', (together[0]! + together[1]!) / 2 / alone!);
}
torch.setNumThreads(1);
console.log(`fp32 matmul n=${n}, ${reps} products a sample, medians of ${rounds} rounds [min–max]`);
for (const [key, values] of samples) {
  console.log(
    `  ${key}: ${median(values).toFixed(2)} [${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}]`,
  );
}
