/**
 * Training throughput of the MNIST MLP 784-128-10 (ReLU, Adam 1e-3, batch 64, cross-entropy) on
 * real MNIST batches: forward, backward and optimizer step, as `npm run train:mnist` runs them,
 * plus the memory one step allocates (deterministic: see engine/tensor/ledger.ts).
 */
import * as torch from '#engine';
import { datasets } from '#engine/vision';
import { backendFor } from '../engine/backend/registry.ts';
import type { Figures } from './compare.ts';
import { median } from './timing.ts';

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
  let next = 0;
  const warm0 = performance.now();
  // Each step awaited: a device's queue must not run ahead of the clock.
  while (next < 10 || performance.now() - warm0 < WARMUP_MS) await step(next++).item();
  const samples: number[] = [];
  const chunk = 20;
  const chunks = 7;
  // CPU time of the whole process (its worker threads too): on a machine other jobs are using, the
  // wall clock measures the machine, this measures the work.
  const cpu0 = process.cpuUsage();
  for (let c = 0; c < chunks; c++) {
    const t0 = performance.now();
    let loss = step(next++);
    for (let i = 1; i < chunk; i++) loss = step(next++);
    await loss.item();
    samples.push((chunk * 64) / ((performance.now() - t0) / 1000));
  }
  const cpu = process.cpuUsage(cpu0);
  const perCpuSecond = (samples.length * chunk * 64) / ((cpu.user + cpu.system) / 1e6);
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
  figures.mlp_train_samples_per_s = median(samples);
  return [
    ['MNIST MLP training (fwd+bwd+Adam), batch 64', '', `${median(samples).toFixed(0)} samples/s`],
    ['  per second of process CPU time', '', `${perCpuSecond.toFixed(0)} samples/s`],
    ['  memory allocated between steps (data included)', '', mib(kept)],
    ['  allocated by one step, at most', '', mib(peak)],
    ...(fresh0 === undefined || fresh1 === undefined
      ? []
      : [['  buffers allocated new per step (pool misses)', '', ((fresh1 - fresh0) / 10).toFixed(1)]]),
  ];
}
