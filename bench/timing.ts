/** Timing helpers for the benchmarks: warm-up, repeated runs, the median. */
import * as torch from '#engine';
import type { Tensor } from '#engine';
import { matmulThreadsReady } from '../engine/backends/cpu/wasm/matmul.ts';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Median milliseconds per call of `fn`. Each sample repeats fn until about 200 ms have passed and
 * then reads the last result back, so a GPU's queued work is inside the measurement while the
 * read-back itself is spread over many calls.
 */
export async function timeMs(fn: () => Tensor | Promise<Tensor>, runs = 7): Promise<number> {
  const once = async () => {
    const t0 = performance.now();
    await (await fn()).data();
    return performance.now() - t0;
  };
  const inner = Math.max(1, Math.round(200 / Math.max(await once(), 0.01)));
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    let out = await fn();
    for (let k = 1; k < inner; k++) out = await fn();
    await out.data();
    samples.push((performance.now() - t0) / inner);
  }
  return median(samples);
}

/**
 * torch.setNumThreads(n), then waits (up to 6 s) until its worker threads have started: a worker
 * that is still starting is given no work, and its product would be timed on fewer threads.
 */
export async function setThreads(n: number): Promise<void> {
  torch.setNumThreads(n);
  for (let i = 0; i < 300 && matmulThreadsReady() < n; i++) await new Promise((r) => setTimeout(r, 20));
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
    .join('\n');
}
