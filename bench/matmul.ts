/**
 * fp32 matmul throughput of the CPU kernels, JavaScript and WebAssembly SIMD side by side: square
 * sizes and the matmuls of one training step of the MNIST MLP 784-128-10 at batch 64, each with
 * the stride layout autograd really hands it. Times include packing and copying C out.
 *
 * The two kernels are timed alternately on the same operands (one sample of each per round), so
 * load from other processes on the machine hits both alike; compare them within one run.
 *
 * Run directly (`npx tsx bench/matmul.ts [--runs N]`) for a table, or call benchMatmul() from the
 * bench runner.
 */
import { pathToFileURL } from 'node:url';
import type { View } from '../engine/backend/types.ts';
import { makeCpuBuffer } from '../engine/backends/cpu/buffer.ts';
import { matmul, type FloatKernel } from '../engine/backends/cpu/matmul.ts';
import { wasmSimdAvailable } from '../engine/backends/cpu/wasm/matmul.ts';

export interface Timing {
  /** Median milliseconds per call. */
  ms: number;
  gflops: number;
}

export interface Row {
  name: string;
  /** [M, K] × [K, N] */
  shape: string;
  js: Timing;
  /** Absent where WebAssembly SIMD is not available. */
  wasm?: Timing;
}

export interface BenchMatmulOptions {
  /** Timed runs per case (the median is reported). Default 7. */
  runs?: number;
  /** Square sizes to time. Default [128, 512, 1024]. */
  sizes?: number[];
}

interface Case {
  name: string;
  M: number;
  K: number;
  N: number;
  /** Stores A as Aᵀ (so `a` is a transposed view), likewise B. */
  aT?: boolean;
  bT?: boolean;
}

/**
 * The matmuls of one MLP training step as autograd issues them (forward: x @ W1ᵀ, h @ W2ᵀ;
 * backward: g2 @ W2 for h's gradient, and the weight gradients as xᵀ @ g1 and hᵀ @ g2, which are
 * then viewed transposed), plus g1ᵀ @ x, the other way to write W1's gradient.
 */
const MLP_CASES: Case[] = [
  { name: 'mlp x @ W1.t()', M: 64, K: 784, N: 128, bT: true },
  { name: 'mlp x.t() @ g1', M: 784, K: 64, N: 128, aT: true },
  { name: 'mlp g1.t() @ x', M: 128, K: 64, N: 784, aT: true },
  { name: 'mlp h @ W2.t()', M: 64, K: 128, N: 10, bT: true },
  { name: 'mlp g2 @ W2', M: 64, K: 10, N: 128 },
  { name: 'mlp h.t() @ g2', M: 128, K: 64, N: 10, aT: true },
];

function randomView(rows: number, cols: number, transposed: boolean): View {
  const data = new Float32Array(rows * cols).map(() => Math.random() * 2 - 1);
  const buffer = makeCpuBuffer('float32', data);
  // A transposed view reads a [cols, rows] row-major buffer with swapped strides, as tensor.t() does.
  return transposed
    ? { buffer, shape: [rows, cols], strides: [1, rows], offset: 0 }
    : { buffer, shape: [rows, cols], strides: [cols, 1], offset: 0 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
}

function timeCase(c: Case, runs: number): Row {
  const a = randomView(c.M, c.K, c.aT ?? false);
  const b = randomView(c.K, c.N, c.bT ?? false);
  const out = randomView(c.M, c.N, false);
  const flops = 2 * c.M * c.N * c.K;
  const kernels: FloatKernel[] = wasmSimdAvailable() ? ['js', 'wasm'] : ['js'];
  // Repeat small products inside one timing so each sample lasts a few ms (timer resolution); the
  // repeat count is sized for the faster kernel so neither sample takes long.
  const reps = Math.max(1, Math.round(1e8 / flops));
  const once = (kernel: FloatKernel): number => {
    const t = performance.now();
    for (let r = 0; r < reps; r++) matmul(a, b, out, kernel);
    return (performance.now() - t) / reps;
  };
  for (let w = 0; w < 3; w++) for (const k of kernels) once(k);
  const samples = kernels.map((): number[] => []);
  for (let r = 0; r < runs; r++) kernels.forEach((k, i) => samples[i]!.push(once(k)));
  const timing = (i: number): Timing => {
    const ms = median(samples[i]!);
    return { ms, gflops: flops / ms / 1e6 };
  };
  const row: Row = { name: c.name, shape: `[${c.M}, ${c.K}] × [${c.K}, ${c.N}]`, js: timing(0) };
  if (kernels.length > 1) row.wasm = timing(1);
  return row;
}

export async function benchMatmul(opts: BenchMatmulOptions = {}): Promise<Row[]> {
  const runs = opts.runs ?? 7;
  const sizes = opts.sizes ?? [128, 512, 1024];
  const cases: Case[] = [...sizes.map((n) => ({ name: `square n=${n}`, M: n, K: n, N: n })), ...MLP_CASES];
  return cases.map((c) => timeCase(c, runs));
}

export function formatRows(rows: Row[]): string {
  const cells = [
    ['case', 'shape', 'js ms', 'js GFLOP/s', 'wasm ms', 'wasm GFLOP/s', 'speed-up'],
    ...rows.map((r) => [
      r.name,
      r.shape,
      r.js.ms.toFixed(3),
      r.js.gflops.toFixed(2),
      r.wasm?.ms.toFixed(3) ?? '–',
      r.wasm?.gflops.toFixed(2) ?? '–',
      r.wasm ? `${(r.js.ms / r.wasm.ms).toFixed(1)}×` : '–',
    ]),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells
    .map((row) => row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '))
    .join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : undefined;
  const wasm = wasmSimdAvailable() ? '' : ' (WebAssembly SIMD not available: JavaScript kernel only)';
  console.log(`fp32 matmul, CPU backend, one thread (median of alternating runs after warm-up)${wasm}`);
  console.log(formatRows(await benchMatmul({ runs })));
}
