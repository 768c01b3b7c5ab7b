/**
 * Engine-level figures on one device, through the public API (so they include dispatch, autograd
 * and allocation): fp32 matmul GFLOP/s, elementwise throughput, and one forward+backward of the
 * MLP 784-128-10 at batch 64.
 */
import { availableParallelism } from 'node:os';
import * as torch from '#engine';
import type { Figures } from './compare.ts';
import { setThreads, timeMs } from './timing.ts';

export async function matmulRows(
  device: torch.Device,
  figures: Partial<Figures>,
  sizes = [128, 512, 1024],
): Promise<string[][]> {
  const rows: string[][] = [];
  for (const n of sizes) {
    const a = torch.rand(n, n, { device });
    const b = torch.rand(n, n, { device });
    const ms = await timeMs(() => a.matmul(b), n >= 1024 ? 3 : 5);
    const gflops = (2 * n ** 3) / ms / 1e6;
    if (n === 512) figures.matmul_512_gflops = gflops;
    rows.push([`matmul n=${n}`, `${ms.toFixed(2)} ms`, `${gflops.toFixed(2)} GFLOP/s`]);
  }
  rows.push(await mlpMatmulRow(device, figures));
  if (device === 'cpu' && availableParallelism() > 1) rows.push(await twoThreadRow());
  return rows;
}

/**
 * The five products of one MNIST MLP training step at batch 64, in the layouts autograd hands the
 * kernel: x·W1ᵀ, the weight gradient g1ᵀ·x, h·W2ᵀ, g2ᵀ·h and g2·W2. Their shapes (K = 64, N = 10)
 * are the ones training spends its matmul time on, unlike n = 512's; bench/pytorch_reference.py
 * times the same five.
 */
async function mlpMatmulRow(device: torch.Device, figures: Partial<Figures>): Promise<string[]> {
  torch.manualSeed(0);
  const r = (...shape: number[]) => torch.randn(shape, { device });
  const [x, w1, g1, h, w2, g2] = [r(64, 784), r(128, 784), r(64, 128), r(64, 128), r(10, 128), r(64, 10)];
  const ms = await timeMs(() => {
    x.matmul(w1.t());
    g1.t().matmul(x);
    h.matmul(w2.t());
    g2.t().matmul(h);
    return g2.matmul(w2); // the last of the five: on WebGPU, waiting for it waits for all
  });
  figures.mlp_matmuls_ms = ms;
  const flop = 2 * 64 * (784 * 128 * 2 + 128 * 10 * 3);
  return ["matmul: an MLP step's five (batch 64)", `${ms.toFixed(3)} ms`, `${(flop / ms / 1e6).toFixed(2)} GFLOP/s`];
}

/** matmul n=512 with torch.setNumThreads(2), once its worker has started (then back to one thread). */
async function twoThreadRow(n = 512): Promise<string[]> {
  await setThreads(2);
  const a = torch.rand(n, n);
  const b = torch.rand(n, n);
  const ms = await timeMs(() => a.matmul(b), 5);
  torch.setNumThreads(1);
  return [`matmul n=${n}, setNumThreads(2)`, `${ms.toFixed(2)} ms`, `${((2 * n ** 3) / ms / 1e6).toFixed(2)} GFLOP/s`];
}

export async function elementwiseRows(device: torch.Device, n = 1 << 20): Promise<string[][]> {
  const a = torch.rand(n, { device });
  const b = torch.rand(n, { device });
  const add = await timeMs(() => a.add(b));
  const exp = await timeMs(() => a.exp());
  const bcast = torch.rand(1024, 1024, { device });
  const row = torch.rand(1024, { device });
  const badd = await timeMs(() => bcast.add(row));
  const meps = (ms: number) => `${(n / ms / 1e3).toFixed(0)} M elem/s`;
  return [
    [`add (${n} elements)`, `${add.toFixed(2)} ms`, meps(add)],
    [`exp (${n} elements)`, `${exp.toFixed(2)} ms`, meps(exp)],
    ['add broadcast [1024,1024]+[1024]', `${badd.toFixed(2)} ms`, meps(badd)],
  ];
}

/** One forward and backward of x → relu(x·W1ᵀ + b1) → ·W2ᵀ + b2 → cross-entropy, at batch 64. */
export async function mlpRows(device: torch.Device): Promise<string[][]> {
  torch.manualSeed(0);
  const w1 = torch.randn(128, 784, { device }).mul(0.03).requiresGrad_();
  const b1 = torch.zeros(128, { device, requiresGrad: true });
  const w2 = torch.randn(10, 128, { device }).mul(0.08).requiresGrad_();
  const b2 = torch.zeros(10, { device, requiresGrad: true });
  const x = torch.rand(64, 784, { device });
  const y = torch.randint(0, 10, [64, 1], { device });
  const forward = () => x.matmul(w1.t()).add(b1).relu().matmul(w2.t()).add(b2).logSoftmax(1).gather(1, y).mean().neg();
  const fwd = await timeMs(forward);
  const fwdBwd = await timeMs(() => {
    const loss = forward();
    loss.backward();
    return w1.grad!;
  });
  return [
    ['MLP 784-128-10 forward, batch 64', `${fwd.toFixed(2)} ms`, ''],
    [
      'MLP 784-128-10 forward+backward, batch 64',
      `${fwdBwd.toFixed(2)} ms`,
      `${((64 / fwdBwd) * 1000).toFixed(0)} samples/s`,
    ],
  ];
}

/** Conv2d(1, 32, 3) → ReLU → Conv2d(32, 64, 3) → ReLU, forward and backward, batch 64 of 28×28. */
export async function convRows(device: torch.Device, figures: Partial<Figures>): Promise<string[][]> {
  torch.manualSeed(0);
  const conv1 = new torch.nn.Conv2d(1, 32, 3).to(device);
  const conv2 = new torch.nn.Conv2d(32, 64, 3).to(device);
  const x = torch.randn(64, 1, 28, 28, { device });
  const ms = await timeMs(() => {
    conv2.call(conv1.call(x).relu()).relu().sum().backward();
    return conv1.weight.grad!;
  }, 3);
  figures.conv_fwd_bwd_ms = ms;
  return [
    [
      'Conv2d 1→32→64 3×3 fwd+bwd, batch 64, 28×28',
      `${ms.toFixed(1)} ms`,
      `${((64 / ms) * 1000).toFixed(0)} samples/s`,
    ],
  ];
}
