/**
 * Training throughput of the MNIST MLP 784-128-10 (ReLU, Adam 1e-3, batch 64, cross-entropy) on
 * real MNIST batches: forward, backward and optimizer step, as `npm run train:mnist` runs them,
 * plus the memory one step allocates (deterministic: see engine/tensor/ledger.ts).
 */
import { availableParallelism } from 'node:os';
import * as torch from '#engine';
import { datasets } from '#engine/vision';
import { backendFor } from '../engine/backend/registry.ts';
import type { Figures } from './compare.ts';
import { median, setThreads } from './timing.ts';

/**
 * The MNIST MLP 784-128-10 with Adam on the first `steps` batches of 64: `step(i)` trains batch
 * i mod steps, returns its loss. `compile`: the model runs through torch.compile.
 */
export function mnistMlpTraining(device: torch.Device, steps: number, compile = false): (i: number) => torch.Tensor {
  torch.manualSeed(0);
  const mnist = new datasets.MNIST({ train: true });
  const n = steps * 64;
  const x = mnist.data.slice(0, 0, n).div(255).sub(0.1307).div(0.3081).reshape(n, 784).to(device);
  const y = mnist.targets.slice(0, 0, n).to(device);
  const model = new torch.nn.Sequential(
    new torch.nn.Linear(784, 128),
    new torch.nn.ReLU(),
    new torch.nn.Linear(128, 10),
  ).to(device);
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new torch.nn.CrossEntropyLoss();
  const run = compile ? torch.compile(model) : model;
  return (i: number) => {
    i %= steps;
    const xb = x.slice(0, i * 64, (i + 1) * 64);
    const yb = y.slice(0, i * 64, (i + 1) * 64);
    optimizer.zeroGrad();
    const loss = lossFn.call(run.call(xb), yb);
    loss.backward();
    optimizer.step();
    return loss;
  };
}

/**
 * Warm-up before the timed steps, by the clock: V8 compiles a step's JavaScript and WebAssembly to
 * their optimised tiers over its first second or so, and a fixed 10 steps of warm-up measured half
 * the steady-state speed (5,369 samples/s where 900 steps ran at 11,300). The figures below are a
 * long run's steady state.
 */
const WARMUP_MS = 2000;

export async function trainingRows(device: torch.Device, figures: Partial<Figures>, steps = 150): Promise<string[][]> {
  const step = mnistMlpTraining(device, steps);
  const one = await timeTraining(step, 0);
  // Memory of one step, read at settle points so the figures are the same on every run.
  await torch.memory.collect();
  const before = torch.memory.allocated(device);
  torch.memory.resetPeakStats(device);
  step(0);
  const peak = torch.memory.maxAllocated(device) - before;
  await torch.memory.collect();
  const kept = torch.memory.allocated(device);
  // Buffers the backend had to make new in steady state (none left in its pool to reuse), per step.
  const fresh = () => backendFor(device).memory.freshAllocations;
  const fresh0 = fresh();
  for (let i = 1; i <= 10; i++) step(i);
  const fresh1 = fresh();
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  figures.mlp_train_samples_per_s = one.samplesPerS;
  // Two threads last, on the same model and batches (so no second copy of MNIST is loaded).
  const two = device === 'cpu' && availableParallelism() > 1 ? await twoThreads(step, one.next) : undefined;
  if (two) figures.mlp_train_two_threads_samples_per_s = two.samplesPerS;
  return [
    ['MNIST MLP training (fwd+bwd+Adam), batch 64', '', `${one.samplesPerS.toFixed(0)} samples/s`],
    ['  per second of process CPU time', '', `${one.perCpuSecond.toFixed(0)} samples/s`],
    ['  memory allocated between steps (data included)', '', mib(kept)],
    ['  allocated by one step, at most', '', mib(peak)],
    ...(fresh0 === undefined || fresh1 === undefined
      ? []
      : [['  buffers allocated new per step (pool misses)', '', ((fresh1 - fresh0) / 10).toFixed(1)]]),
    ...(two
      ? [
          ['MNIST MLP training, setNumThreads(2)', '', `${two.samplesPerS.toFixed(0)} samples/s`],
          ["  its speed / one thread's, in turns", '', `${two.againstOne.toFixed(2)}×`],
          ['  per second of process CPU time (both threads)', '', `${two.perCpuSecond.toFixed(0)} samples/s`],
        ]
      : []),
  ];
}

interface Throughput {
  /** Median over chunks of 20 steps, by the wall clock. */
  samplesPerS: number;
  /** Over all the timed steps, by the CPU time of the whole process (its worker threads too). */
  perCpuSecond: number;
  /** The next batch index. */
  next: number;
}

/** Steady-state throughput of `step` from batch `next` on: warm-up, then 7 timed chunks of 20 steps. */
async function timeTraining(step: (i: number) => torch.Tensor, next: number): Promise<Throughput> {
  const warm0 = performance.now();
  const first = next;
  // Each step awaited: a device's queue must not run ahead of the clock.
  while (next - first < 10 || performance.now() - warm0 < WARMUP_MS) await step(next++).item();
  const samples: number[] = [];
  const chunk = 20;
  const chunks = 7;
  // On a machine other jobs are using, the wall clock measures the machine, CPU time the work.
  const cpu0 = process.cpuUsage();
  for (let c = 0; c < chunks; c++) {
    samples.push(await timeChunk(step, next, chunk));
    next += chunk;
  }
  const cpu = process.cpuUsage(cpu0);
  const perCpuSecond = (samples.length * chunk * 64) / ((cpu.user + cpu.system) / 1e6);
  return { samplesPerS: median(samples), perCpuSecond, next };
}

/** Samples/s of `chunk` steps from batch `next` on, by the wall clock, their last loss read back. */
async function timeChunk(step: (i: number) => torch.Tensor, next: number, chunk: number): Promise<number> {
  const t0 = performance.now();
  let loss = step(next);
  for (let i = 1; i < chunk; i++) loss = step(next + i);
  await loss.item();
  return (chunk * 64) / ((performance.now() - t0) / 1000);
}

/**
 * The same training with torch.setNumThreads(2), in turns with one thread: chunks of steps on one
 * thread and on two alternate (in both orders), so both see the same machine. Timed one after the
 * other instead, the two figures swung from 0.8× to 1.4× of each other between runs: a few hundred
 * milliseconds each, they measured whatever else the machine was doing at the time. Its warm-up
 * also lets the worker's compile reach its optimised tier. Back to one thread after.
 */
async function twoThreads(
  step: (i: number) => torch.Tensor,
  next: number,
): Promise<{ samplesPerS: number; againstOne: number; perCpuSecond: number }> {
  await setThreads(2);
  try {
    const warm0 = performance.now();
    while (performance.now() - warm0 < WARMUP_MS) await step(next++).item();
    const chunk = 40;
    const speeds: Record<1 | 2, number[]> = { 1: [], 2: [] };
    let twoCpu = 0;
    for (let pair = 0; pair < 8; pair++) {
      for (const threads of pair % 2 ? ([1, 2] as const) : ([2, 1] as const)) {
        torch.setNumThreads(threads);
        const cpu0 = process.cpuUsage();
        speeds[threads].push(await timeChunk(step, next, chunk));
        next += chunk;
        const cpu = process.cpuUsage(cpu0);
        if (threads === 2) twoCpu += (cpu.user + cpu.system) / 1e6;
      }
    }
    const samplesPerS = median(speeds[2]);
    return { samplesPerS, againstOne: samplesPerS / median(speeds[1]), perCpuSecond: (8 * chunk * 64) / twoCpu };
  } finally {
    torch.setNumThreads(1);
  }
}
