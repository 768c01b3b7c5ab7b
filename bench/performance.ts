/**
 * What exercise 07's techniques save, as ratios measured in one run (the figures its grader holds
 * the learner's code to, from the engine's own steps here):
 *  - peak memory of gradient accumulation over k = 4 micro-batches against one full-batch step, and
 *    the activation memory of a mixed-precision forward pass (autocast + GradScaler; bytes live when
 *    the forward pass returns) against float32's, on a model whose memory is its activations
 *    (16 → 512 → 4, batch 512), also the whole step's peak; live figures, the same on every run;
 *  - int8 dynamic quantization of the MNIST MLP (784 → 128 → 10): inference time at batch 64 and
 *    state bytes against float32 (CPU only, as PyTorch's quantized kernels).
 */
import * as torch from '#engine';
import { median } from './timing.ts';

const { nn } = torch;
const F = nn.functional;

async function peakBytes(device: torch.Device, fn: () => unknown): Promise<number> {
  await torch.memory.collect();
  const before = torch.memory.allocated(device);
  torch.memory.resetPeakStats(device);
  await fn();
  return torch.memory.maxAllocated(device) - before;
}

function mlp(sizes: readonly number[], device: torch.Device): torch.nn.Sequential {
  torch.manualSeed(0);
  const layers: torch.nn.Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    if (i > 0) layers.push(new nn.ReLU());
    layers.push(new nn.Linear(sizes[i]!, sizes[i + 1]!));
  }
  return new nn.Sequential(...layers).to(device);
}

const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;

/** Bytes live when `model`'s forward pass returns, above what was live before `step`, and the step's peak. */
async function forwardAndPeak(
  device: torch.Device,
  model: torch.nn.Module,
  step: () => unknown,
): Promise<[number, number]> {
  let atEnd = NaN;
  const handle = model.registerForwardHook(() => void (atEnd = torch.memory.allocated(device)));
  await torch.memory.collect();
  const before = torch.memory.allocated(device);
  try {
    const peak = await peakBytes(device, step);
    return [atEnd - before, peak];
  } finally {
    handle.remove();
  }
}

export async function performanceRows(device: torch.Device): Promise<string[][]> {
  const [B, k] = [512, 4];
  const model = mlp([16, 512, 4], device);
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.01 });
  const x = torch.randn(B, 16, { device });
  const y = torch.randint(0, 4, [B], { device, dtype: 'int32' });
  const step = (xs: torch.Tensor, ys: torch.Tensor, scale = 1) =>
    F.crossEntropy(model.call(xs), ys).div(scale).backward();
  optimizer.zeroGrad();
  const [fullActivations, full] = await forwardAndPeak(device, model, () => {
    step(x, y);
    optimizer.step();
  });
  optimizer.zeroGrad();
  const accumulated = await peakBytes(device, () => {
    for (let i = 0; i < k; i++)
      step(x.slice(0, (i * B) / k, ((i + 1) * B) / k), y.slice(0, (i * B) / k, ((i + 1) * B) / k), k);
    optimizer.step();
  });
  optimizer.zeroGrad();
  const scaler = new torch.amp.GradScaler(device);
  const [mixedActivations, mixed] = await forwardAndPeak(device, model, async () => {
    const loss = torch.amp.autocast(device, () => F.crossEntropy(model.call(x), y));
    scaler.scale(loss).backward();
    await scaler.step(optimizer);
    scaler.update();
  });
  const low = torch.amp.autocast(device, () => torch.getAutocastDtype(device));
  const rows = [
    [
      `accumulation k=${k} peak / full batch (16-512-4, B ${B})`,
      `${kib(accumulated)} / ${kib(full)}`,
      (accumulated / full).toFixed(3),
    ],
    [
      `autocast ${low} activations / float32`,
      `${kib(mixedActivations)} / ${kib(fullActivations)}`,
      (mixedActivations / fullActivations).toFixed(3),
    ],
    [`autocast ${low} step peak / float32 step`, `${kib(mixed)} / ${kib(full)}`, (mixed / full).toFixed(3)],
  ];
  if (device === 'cpu') rows.push(...(await int8Rows()));
  return rows;
}

/** The quantized MNIST MLP against float32: median times of alternating (ABBA) calls, and bytes. */
async function int8Rows(): Promise<string[][]> {
  const model = mlp([784, 128, 10], 'cpu');
  model.eval();
  const quantized = await torch.quantization.quantizeDynamic(model, [nn.Linear], 'qint8');
  const x = torch.randn(64, 784);
  const fns = [() => torch.noGrad(() => model.call(x)), () => quantized.call(x)];
  for (let i = 0; i < 20; i++) fns.forEach((f) => f());
  const times: number[][] = [[], []];
  for (let i = 0; i < 60; i++) {
    for (const j of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = performance.now();
      fns[j]!();
      times[j]!.push(performance.now() - t0);
    }
  }
  const [tFloat, tInt8] = times.map(median) as [number, number];
  const bytes = (m: torch.nn.Module) =>
    Object.values(m.stateDict()).reduce((n, t) => n + t.numel() * t.elementSize(), 0);
  return [
    [
      'int8 MLP 784-128-10 inference, batch 64 (float32 / int8 time)',
      `${tFloat.toFixed(2)} / ${tInt8.toFixed(2)} ms`,
      `${(tFloat / tInt8).toFixed(2)}x`,
    ],
    [
      'int8 MLP state bytes / float32',
      `${kib(bytes(quantized))} / ${kib(bytes(model))}`,
      (bytes(quantized) / bytes(model)).toFixed(3),
    ],
  ];
}
