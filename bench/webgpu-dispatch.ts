/**
 * Per-dispatch cost of the WebGPU backend and what it adds up to in training: microseconds per small
 * op (JavaScript recording time alone, and recording plus the GPU running it), and the MNIST MLP
 * 784-128-10 (Adam, batch 64) in samples/s, read back every 20 steps as bench/training.ts does,
 * with the kernels one training step dispatches and how many bind groups it creates anew.
 * Run: node --expose-gc --import tsx bench/webgpu-dispatch.ts [--steps 150]
 * On a CPU driver (lavapipe) other jobs on the machine move these figures: compare two trees
 * by alternating runs of this script, not against a figure from another time.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as torch from '#engine';
import { backendFor } from '../engine/backend/registry.ts';
import type { WebGPUBackend } from '../engine/backends/webgpu/index.ts';
import { median } from './timing.ts';
import { mnistMlpTraining } from './training.ts';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '150' } } });
const steps = Number(values.steps);
const device = 'webgpu';
if (!(await torch.webgpu.init())) throw new Error('no WebGPU adapter');
console.log(`adapter: ${torch.webgpu.adapterName()}, load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);

/**
 * CPU milliseconds of the JavaScript thread alone (Linux; 10 ms resolution), which other jobs on the
 * machine move much less than the wall clock; NaN where /proc is missing.
 */
function jsThreadMs(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

interface Rates {
  /** Per op (µs) or per second (samples), on the wall clock. */
  readonly wall: number;
  /** The same per CPU time of the JavaScript thread. */
  readonly js: number;
  /** The same per CPU time of the whole process (lavapipe's threads included). */
  readonly process: number;
}

/** Runs `body` `runs` times; the median of each rate, given how much work one run does. */
async function measure(runs: number, body: () => Promise<void>, rate: (ms: number) => number): Promise<Rates> {
  const wall: number[] = [];
  const js: number[] = [];
  const proc: number[] = [];
  for (let r = 0; r < runs; r++) {
    const [t0, j0, p0] = [performance.now(), jsThreadMs(), process.cpuUsage()];
    await body();
    const p = process.cpuUsage(p0);
    wall.push(rate(performance.now() - t0));
    js.push(rate(jsThreadMs() - j0));
    proc.push(rate((p.user + p.system) / 1000));
  }
  return { wall: median(wall), js: median(js), process: median(proc) };
}

/** µs per in-place add on 64 elements, recorded and run (2,000 per sample). */
async function smallOps(ops = 2000): Promise<Rates> {
  const a = torch.zeros(64, { device });
  const b = torch.ones(64, { device });
  await a.data();
  return measure(
    7,
    async () => {
      for (let i = 0; i < ops; i++) a.add_(b);
      await a.data();
    },
    (ms) => (ms * 1000) / ops,
  );
}

async function training(): Promise<Rates> {
  const step = mnistMlpTraining(device, steps);
  for (let i = 0; i < 10; i++) step(i);
  await step(0).item();
  const chunk = 20;
  let next = 10;
  return measure(
    Math.floor((steps - 10) / chunk),
    async () => {
      let loss = step(next++);
      for (let i = 1; i < chunk; i++) loss = step(next++);
      await loss.item();
    },
    (ms) => (chunk * 64) / (ms / 1000),
  );
}

/**
 * Dispatches of a steady-state training step (every dispatch asks the bind-group cache once) and
 * the bind groups created anew, per step over 20 steps read back every 5 (the collector returns
 * dropped tensors' buffers at varying times, so one step would not show it).
 */
async function stepDispatches(): Promise<{ dispatches: number; created: number }> {
  const groups = (backendFor(device) as WebGPUBackend).bindGroups;
  const step = mnistMlpTraining(device, 40);
  for (let i = 0; i < 20; i++) step(i);
  await step(20).item();
  const [hits, misses] = [groups.hits, groups.misses];
  for (let i = 21; i <= 40; i++) {
    const loss = step(i);
    if (i % 5 === 0) await loss.item();
  }
  const [h, m] = [groups.hits - hits, groups.misses - misses];
  return { dispatches: (h + m) / 20, created: m / 20 };
}

const perStep = await stepDispatches();
const op = await smallOps();
const train = await training();
const f = (v: number) => v.toFixed(1).padStart(7);
const g = (v: number) => v.toFixed(0).padStart(7);
console.log(`                      wall  JS-thread CPU  process CPU`);
console.log(`small op (µs)     ${f(op.wall)}  ${f(op.js)}        ${f(op.process)}`);
console.log(`MLP (samples/s)   ${g(train.wall)}  ${g(train.js)}        ${g(train.process)}`);
console.log(`one training step: ${perStep.dispatches} dispatches, ${perStep.created} bind groups created`);
await torch.webgpu.destroy();
