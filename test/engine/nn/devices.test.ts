/**
 * nn layers, losses and optimizers on every device. The other nn/optim suites check the CPU in
 * float64 against hand-derived references and PyTorch's trajectories; here the same computations run
 * in float32 on each device (WebGPU has no float64) and must match the CPU's float64 result within
 * float32 tolerance: values, input gradients and parameter gradients.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import type { Device } from '#engine';
import { devices } from '../../helpers/devices.ts';
import { expectCloseValues, values, type Tolerance } from '../../helpers/assert.ts';

const { nn } = torch;
const F = nn.functional;

/** Deterministic values in ±[0.1, 1.1) (off relu's and max's kinks), from a seed. */
function seeded(n: number, seed: number): number[] {
  const g = new torch.Generator(seed);
  return Array.from({ length: n }, () => Math.fround((g.uniform53() < 0.5 ? -1 : 1) * (0.1 + g.uniform53())));
}

type Make = (shape: number[], seed: number) => torch.Tensor;
interface Run {
  out: number[];
  grads: number[][];
}

/** The layer suite runs eagerly and through torch.compile (modules made by `module` compiled). */
type Mode = 'eager' | 'compiled';

/**
 * Runs `build` twice: on the CPU in float64 (the reference) and on `device` in float32. `build`
 * makes its inputs with `make` (which requires grad) and its modules with `module`; the output is
 * weighted by fixed values and summed, and the gradients of inputs and parameters are compared.
 * Compiled, the device's run calls `build` once first without backward, so the compiled modules
 * trace then, and the compared run executes their fused graphs.
 */
async function compare(
  device: Device,
  build: (make: Make, module: <M extends torch.nn.Module>(m: () => M) => M) => torch.Tensor,
  tol: Tolerance = { atol: 1e-5, rtol: 1e-4 },
  mode: Mode = 'eager',
): Promise<void> {
  const run = async (dev: Device, dtype: 'float32' | 'float64', compiled = false): Promise<Run> => {
    let leaves: torch.Tensor[] = [];
    const made: torch.nn.Module[] = [];
    let k = 0;
    const make: Make = (shape, seed) => {
      const t = torch.tensor(
        seeded(
          shape.reduce((a, b) => a * b, 1),
          seed,
        ),
        { shape, dtype, device: dev, requiresGrad: true },
      );
      leaves.push(t);
      return t;
    };
    const module = <M extends torch.nn.Module>(m: () => M): M => {
      if (made[k] === undefined) {
        torch.manualSeed(3);
        const model = m().to({ device: dev, dtype });
        made.push(compiled ? (torch.compile(model) as torch.nn.Module) : model);
      }
      leaves.push(...made[k]!.parameters());
      return made[k++] as M;
    };
    if (compiled) {
      build(make, module);
      [leaves, k] = [[], 0];
    }
    const y = build(make, module);
    const w = torch.tensor(seeded(y.numel(), 99), { shape: [...y.shape], dtype, device: dev });
    y.mul(w).sum().backward();
    return { out: await values(y), grads: await Promise.all(leaves.map((l) => values(l.grad!))) };
  };
  const want = await run('cpu', 'float64');
  const got = await run(device, 'float32', mode === 'compiled');
  expectCloseValues(got.out, want.out, tol);
  expect(got.grads.length).toBe(want.grads.length);
  got.grads.forEach((g, k) => expectCloseValues(g, want.grads[k]!, tol));
}

const modes: Mode[] = ['eager', 'compiled'];

describe.each(devices.flatMap((d) => modes.map((m) => [d, m] as const)))('nn layers (%s, %s)', (device, mode) => {
  const check = (dev: Device, build: Parameters<typeof compare>[1], tol?: Tolerance) => compare(dev, build, tol, mode);

  it('Linear, batched and unbatched', async () => {
    await check(device, (make, module) => module(() => new nn.Linear(5, 3)).call(make([4, 5], 1)));
    await check(device, (make, module) => module(() => new nn.Linear(5, 3, { bias: false })).call(make([5], 2)));
  });

  it('activations: ReLU, Sigmoid, Tanh, Softmax, LogSoftmax', async () => {
    for (const m of [new nn.ReLU(), new nn.Sigmoid(), new nn.Tanh(), new nn.Softmax(1), new nn.LogSoftmax(-1)]) {
      await check(device, (make) => m.call(make([3, 4], 4)));
    }
  });

  it('an MLP in Sequential with Flatten', async () => {
    await check(device, (make, module) =>
      module(() => new nn.Sequential(new nn.Flatten(), new nn.Linear(6, 8), new nn.ReLU(), new nn.Linear(8, 3))).call(
        make([4, 2, 3], 5),
      ),
    );
  });

  it('BatchNorm1d and BatchNorm2d in training mode, and their running statistics', async () => {
    await check(device, (make, module) => module(() => new nn.BatchNorm1d(3)).call(make([5, 3], 6)));
    await check(device, (make, module) => module(() => new nn.BatchNorm2d(2)).call(make([2, 2, 3, 3], 7)));
    const stats = async (dev: Device, dtype: 'float32' | 'float64') => {
      const bn = new nn.BatchNorm1d(3).to({ device: dev, dtype });
      bn.call(torch.tensor(seeded(15, 8), { shape: [5, 3], dtype, device: dev }));
      bn.eval();
      const y = bn.call(torch.tensor(seeded(6, 9), { shape: [2, 3], dtype, device: dev }));
      return [...(await values(bn.runningMean!)), ...(await values(bn.runningVar!)), ...(await values(y))];
    };
    expectCloseValues(await stats(device, 'float32'), await stats('cpu', 'float64'));
  });

  it('LayerNorm', async () => {
    await check(device, (make, module) => module(() => new nn.LayerNorm([4])).call(make([3, 4], 10)));
    await check(device, (make, module) => module(() => new nn.LayerNorm([2, 3])).call(make([2, 2, 3], 11)));
  });

  it('Conv2d with stride and padding, and MaxPool2d', async () => {
    await check(device, (make, module) =>
      module(() => new nn.Conv2d(2, 3, 3, { stride: 1, padding: 1 })).call(make([2, 2, 5, 5], 12)),
    );
    await check(device, (make, module) =>
      module(() => new nn.Conv2d(1, 2, [2, 3], { stride: 2 })).call(make([1, 1, 6, 7], 13)),
    );
    await check(device, (make) => new nn.MaxPool2d(2).call(make([2, 2, 4, 4], 14)));
    await check(device, (make) => new nn.MaxPool2d(3, { stride: 2, padding: 1 }).call(make([1, 2, 5, 5], 15)));
  });

  it('Dropout: identity in eval mode; in training zeros about p of the values and scales the rest by 1/(1-p)', async () => {
    const x = torch.ones(4000, { device });
    const drop = new nn.Dropout(0.25);
    drop.eval();
    expect(await values(drop.call(x))).toEqual(await values(x));
    drop.train();
    torch.manualSeed(5);
    const v = await values(drop.call(x));
    const kept = v.filter((e) => e !== 0);
    expect(kept.every((e) => Math.abs(e - 1 / 0.75) < 1e-6)).toBe(true);
    // Binomial(4000, 0.75): standard deviation ≈ 27.
    expect(Math.abs(kept.length - 3000)).toBeLessThan(150);
  });
});

describe.each(devices)('nn losses (%s)', (device) => {
  const labels = (v: number[]) => torch.tensor(v, { dtype: 'int32', device });
  const targetsOn = (dev: Device, dtype: 'float32' | 'float64', shape: number[], seed: number) =>
    torch.tensor(
      seeded(
        shape.reduce((a, b) => a * b, 1),
        seed,
      ).map((v) => Math.abs(v) / 1.1),
      { shape, dtype, device: dev },
    );

  it('CrossEntropyLoss and NLLLoss, every reduction, class weights, ignoreIndex and label smoothing', async () => {
    // Labels live on the device of the logits: rebuilt per run from the logits' device.
    const y = [2, 0, 1, 2];
    for (const options of [
      {},
      { reduction: 'sum' as const },
      { reduction: 'none' as const },
      { ignoreIndex: 0 },
      { labelSmoothing: 0.1 },
    ]) {
      await compare(device, (make) => {
        const logits = make([4, 3], 20);
        return F.crossEntropy(logits, torch.tensor(y, { dtype: 'int32', device: logits.device }), options);
      });
    }
    await compare(device, (make) => {
      const logits = make([4, 3], 21);
      const weight = torch.tensor([0.5, 1, 2], { dtype: logits.dtype, device: logits.device });
      return F.nllLoss(logits.logSoftmax(1), torch.tensor(y, { dtype: 'int32', device: logits.device }), { weight });
    });
    // Spatial targets: [N, C, H] logits with [N, H] labels.
    await compare(device, (make) => {
      const logits = make([2, 3, 2], 22);
      return F.crossEntropy(
        logits,
        torch.tensor(
          [
            [0, 2],
            [1, 1],
          ],
          { dtype: 'int32', device: logits.device },
        ),
      );
    });
    expect(labels([0]).device).toBe(device);
  });

  it('MSELoss, L1Loss, BCELoss and BCEWithLogitsLoss', async () => {
    const target = (t: torch.Tensor, seed: number) =>
      targetsOn(t.device, t.dtype as 'float32' | 'float64', [...t.shape], seed);
    await compare(device, (make) => {
      const x = make([3, 4], 30);
      return new nn.MSELoss().call(x, target(x, 31));
    });
    await compare(device, (make) => {
      const x = make([3, 4], 32);
      return new nn.L1Loss({ reduction: 'sum' }).call(x, target(x, 33));
    });
    await compare(device, (make) => {
      const x = make([3, 4], 34);
      return new nn.BCELoss().call(x.sigmoid(), target(x, 35));
    });
    await compare(device, (make) => {
      const x = make([3, 4], 36);
      const posWeight = torch.tensor([1, 2, 0.5, 1], { dtype: x.dtype, device: x.device });
      return new nn.BCEWithLogitsLoss({ posWeight }).call(x.mul(4), target(x, 37));
    });
  });

  it('oneHot', async () => {
    const h = F.oneHot(labels([2, 0, 1]), 4);
    expect(h.device).toBe(device);
    expect(await h.toArray()).toEqual([
      [0, 0, 1, 0],
      [1, 0, 0, 0],
      [0, 1, 0, 0],
    ]);
  });
});

describe.each(devices)('optimizers in float32 (%s)', (device) => {
  /** 25 steps on a small regression problem; the parameters after each step, flattened. */
  async function trajectory(
    dev: Device,
    dtype: 'float32' | 'float64',
    make: (params: torch.Tensor[]) => torch.optim.Optimizer,
  ): Promise<number[]> {
    torch.manualSeed(11);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2)).to({ device: dev, dtype });
    const x = torch.tensor(seeded(18, 40), { shape: [6, 3], dtype, device: dev });
    const y = torch.tensor(seeded(12, 41), { shape: [6, 2], dtype, device: dev });
    const optimizer = make(model.parameters());
    const out: number[] = [];
    for (let step = 0; step < 25; step++) {
      optimizer.zeroGrad();
      F.mseLoss(model.call(x), y).backward();
      optimizer.step();
    }
    for (const p of model.parameters()) out.push(...(await values(p)));
    return out;
  }

  const optimizers: [string, (params: torch.Tensor[]) => torch.optim.Optimizer][] = [
    ['SGD', (p) => new torch.optim.SGD(p, { lr: 0.1 })],
    [
      'SGD with momentum, nesterov and weight decay',
      (p) => new torch.optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
    ],
    ['Adam', (p) => new torch.optim.Adam(p, { lr: 0.01 })],
    ['Adam with amsgrad', (p) => new torch.optim.Adam(p, { lr: 0.01, amsgrad: true })],
    ['AdamW', (p) => new torch.optim.AdamW(p, { lr: 0.01, weightDecay: 0.1 })],
    ['RMSprop, centered with momentum', (p) => new torch.optim.RMSprop(p, { lr: 0.01, momentum: 0.5, centered: true })],
  ];

  it.each(optimizers)('%s follows the float64 CPU trajectory', async (_name, make) => {
    const want = await trajectory('cpu', 'float64', make);
    const got = await trajectory(device, 'float32', make);
    // 25 steps of float32 rounding (Adam's normalised steps amplify it where gradients are tiny).
    expectCloseValues(got, want, { atol: 2e-4, rtol: 1e-3 });
    // …and the parameters really moved.
    torch.manualSeed(11);
    const start = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2)).parameters();
    const initial = (await Promise.all(start.map(values))).flat();
    expect(Math.max(...got.map((v, i) => Math.abs(v - initial[i]!)))).toBeGreaterThan(1e-2);
  });

  it('clipGradNorm_ and clipGradValue_', async () => {
    const grads = async (dev: Device, dtype: 'float32' | 'float64') => {
      const a = torch.tensor(seeded(6, 50), { shape: [2, 3], dtype, device: dev, requiresGrad: true });
      const b = torch.tensor(seeded(3, 51), { dtype, device: dev, requiresGrad: true });
      a.mul(10).sum().add(b.pow(2).mul(5).sum()).backward();
      const norm = await nn.utils.clipGradNorm_([a, b], 1.5).item();
      const before = [...(await values(a.grad!)), ...(await values(b.grad!))];
      nn.utils.clipGradValue_([a, b], 0.3);
      return [norm, ...before, ...(await values(a.grad!)), ...(await values(b.grad!))];
    };
    expectCloseValues(await grads(device, 'float32'), await grads('cpu', 'float64'));
  });
});
