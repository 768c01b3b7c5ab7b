/**
 * torch.compile against eager mode in one run: elementwise chains of 1M float32 elements (one fused
 * kernel instead of one pass and one temporary per op) and the MNIST MLP training step (its
 * bias-add + ReLU epilogue fused). Eager and compiled are timed in alternating blocks of the
 * process's CPU time (lavapipe's threads included), which measures the work rather than what else
 * the machine runs; the ratio is the figure to read.
 */
import * as torch from '#engine';
import { median } from './timing.ts';
import { mnistMlpTraining } from './training.ts';

export async function compileRows(device: torch.Device, n = 1 << 20): Promise<string[][]> {
  const x = torch.randn(n, { device });
  const a = torch.randn(n, { device });
  const chains: [string, (x: torch.Tensor) => torch.Tensor][] = [
    ['sigmoid(x)·2 − 1', (t) => t.sigmoid().mul(2).sub(1)],
    ['relu(x·a + 1)·0.5 − x', (t) => t.mul(a).add(1).relu().mul(0.5).sub(t)],
  ];
  const rows: string[][] = [];
  for (const [name, f] of chains) {
    const g = torch.compile(f);
    const ms = (h: (t: torch.Tensor) => torch.Tensor) => async () => (await cpuMs(20, () => h(x))) / 20;
    const [eager, compiled] = await alternate(ms(f), ms(g));
    rows.push([
      `compile: ${name} (${n} elements)`,
      `${compiled.toFixed(2)} ms`,
      `${(eager / compiled).toFixed(2)}× eager`,
    ]);
  }
  const steps = 60;
  const eagerStep = mnistMlpTraining(device, steps);
  const compiledStep = mnistMlpTraining(device, steps, true);
  const block = (step: (i: number) => torch.Tensor) => async () => {
    let k = 0;
    return (steps * 64) / ((await cpuMs(steps, () => step(k++))) / 1000);
  };
  await block(eagerStep)();
  await block(compiledStep)();
  const [eager, compiled] = await alternate(block(eagerStep), block(compiledStep));
  rows.push([
    'compile: MNIST MLP training step, batch 64',
    '',
    `${compiled.toFixed(0)} samples/s, ${(compiled / eager).toFixed(2)}× eager`,
  ]);
  return rows;
}

/** Process CPU milliseconds for `times` calls of fn, the last result read back (a GPU's queue drained). */
async function cpuMs(times: number, fn: () => torch.Tensor): Promise<number> {
  const t0 = process.cpuUsage();
  let out = fn();
  for (let k = 1; k < times; k++) out = fn();
  await out.data();
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / 1000;
}

/** Medians of `first` and `second` measured in 5 alternating rounds. */
async function alternate(first: () => Promise<number>, second: () => Promise<number>): Promise<[number, number]> {
  const [a, b]: number[][] = [[], []];
  for (let r = 0; r < 5; r++) {
    a.push(await first());
    b.push(await second());
  }
  return [median(a), median(b)];
}
