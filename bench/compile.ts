/**
 * torch.compile against eager mode in one run: elementwise chains of 1M float32 elements (one fused
 * kernel instead of one pass and one temporary per op) and the MNIST MLP training step (its
 * bias-add + ReLU epilogue fused). Eager and compiled are timed in alternating blocks, so a load
 * that comes and goes on the machine falls on both; the ratio is the figure to read.
 */
import * as torch from '#engine';
import { median, timeMs } from './timing.ts';
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
    const [eager, compiled] = await alternate(
      () => timeMs(() => f(x), 3),
      () => timeMs(() => g(x), 3),
    );
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
    const t0 = performance.now();
    let loss = step(0);
    for (let i = 1; i < steps; i++) loss = step(i);
    await loss.item();
    return (steps * 64) / ((performance.now() - t0) / 1000);
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

/** Medians of `first` and `second` measured in 5 alternating rounds. */
async function alternate(first: () => Promise<number>, second: () => Promise<number>): Promise<[number, number]> {
  const [a, b]: number[][] = [[], []];
  for (let r = 0; r < 5; r++) {
    a.push(await first());
    b.push(await second());
  }
  return [median(a), median(b)];
}
