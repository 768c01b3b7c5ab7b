import { describe, expect, it } from 'vitest';
import * as torch from '#engine';

const { optim } = torch;

/** A non-quadratic objective's gradient, the same function in the test loop and the reference. */
const A = [0.5, 1.5, -0.7, 2];
const B = [0.1, -0.3, 0.2, 0];
const gradAt = (p: readonly number[]) => p.map((v, i) => 2 * A[i]! * v + B[i]! + Math.sin(3 * v));
const P0 = [0.8, -1.2, 0.3, 2.5];

/** Runs `steps` optimizer steps on float64 parameters, setting each gradient from gradAt. */
async function trajectory(make: (params: torch.Tensor[]) => torch.optim.Optimizer, steps: number): Promise<number[][]> {
  const p = torch.tensor(Float64Array.from(P0), { requiresGrad: true });
  const opt = make([p]);
  const out: number[][] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    p.grad = torch.tensor(Float64Array.from(gradAt(Array.from(await p.data()))));
    opt.step();
    out.push(Array.from(await p.data()));
  }
  return out;
}

function expectTrajectory(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, s) =>
    row.forEach((v, i) => expect(Math.abs(v - expected[s]![i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v)))),
  );
}

/** PyTorch's SGD, from its documentation's algorithm. */
function refSGD(
  steps: number,
  o: {
    lr: number;
    momentum?: number;
    dampening?: number;
    weightDecay?: number;
    nesterov?: boolean;
    maximize?: boolean;
  },
) {
  const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = o;
  let p = [...P0];
  let buf: number[] | null = null;
  const out: number[][] = [];
  for (let s = 0; s < steps; s++) {
    let g = gradAt(p).map((v) => (maximize ? -v : v));
    if (weightDecay) g = g.map((v, i) => v + weightDecay * p[i]!);
    if (momentum) {
      buf = buf ? buf.map((b, i) => b * momentum + (1 - dampening) * g[i]!) : [...g];
      const b = buf;
      g = nesterov ? g.map((v, i) => v + momentum * b[i]!) : b;
    }
    p = p.map((v, i) => v - lr * g[i]!);
    out.push(p);
  }
  return out;
}

/** PyTorch's Adam / AdamW (single-tensor): bias-corrected step size and denominator. */
function refAdam(
  steps: number,
  o: {
    lr: number;
    betas?: [number, number];
    eps?: number;
    weightDecay?: number;
    amsgrad?: boolean;
    decoupled?: boolean;
    maximize?: boolean;
  },
) {
  const {
    lr,
    betas: [b1, b2] = [0.9, 0.999],
    eps = 1e-8,
    weightDecay = 0,
    amsgrad = false,
    decoupled = false,
    maximize = false,
  } = o;
  let p = [...P0];
  let m = p.map(() => 0);
  let v = p.map(() => 0);
  let vMax = p.map(() => 0);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    let g = gradAt(p).map((x) => (maximize ? -x : x));
    if (weightDecay && decoupled) p = p.map((x) => x * (1 - lr * weightDecay));
    else if (weightDecay) g = g.map((x, i) => x + weightDecay * p[i]!);
    m = m.map((x, i) => x + (1 - b1) * (g[i]! - x));
    v = v.map((x, i) => x * b2 + (1 - b2) * g[i]! * g[i]!);
    vMax = vMax.map((x, i) => Math.max(x, v[i]!));
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    const second = amsgrad ? vMax : v;
    p = p.map((x, i) => x - (stepSize * m[i]!) / (Math.sqrt(second[i]!) / bc2Sqrt + eps));
    out.push(p);
  }
  return out;
}

/** PyTorch's RMSprop. */
function refRMSprop(
  steps: number,
  o: { lr: number; alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean },
) {
  const { lr, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false } = o;
  let p = [...P0];
  let sq = p.map(() => 0);
  let gAvg = p.map(() => 0);
  let buf = p.map(() => 0);
  const out: number[][] = [];
  for (let s = 0; s < steps; s++) {
    let g = gradAt(p);
    if (weightDecay) g = g.map((x, i) => x + weightDecay * p[i]!);
    sq = sq.map((x, i) => x * alpha + (1 - alpha) * g[i]! * g[i]!);
    if (centered) gAvg = gAvg.map((x, i) => x + (1 - alpha) * (g[i]! - x));
    const avg = sq.map((x, i) => Math.sqrt(centered ? x - gAvg[i]! * gAvg[i]! : x) + eps);
    if (momentum) {
      buf = buf.map((b, i) => b * momentum + g[i]! / avg[i]!);
      p = p.map((x, i) => x - lr * buf[i]!);
    } else {
      p = p.map((x, i) => x - (lr * g[i]!) / avg[i]!);
    }
    out.push(p);
  }
  return out;
}

describe('optimizer trajectories match PyTorch step for step', () => {
  const steps = 6;
  it('SGD: plain, momentum with dampening, Nesterov, weight decay, maximize', async () => {
    for (const o of [
      { lr: 0.1 },
      { lr: 0.05, momentum: 0.9, dampening: 0.3 },
      { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 },
      { lr: 0.01, maximize: true, weightDecay: 0.1 },
    ]) {
      expectTrajectory(await trajectory((ps) => new optim.SGD(ps, o), steps), refSGD(steps, o));
    }
  });

  it('Adam: defaults, betas, weight decay, amsgrad, maximize', async () => {
    for (const o of [
      { lr: 0.1 },
      { lr: 0.05, betas: [0.8, 0.99] as [number, number], eps: 1e-6, weightDecay: 0.1 },
      { lr: 0.2, amsgrad: true },
      { lr: 0.01, maximize: true },
    ]) {
      expectTrajectory(await trajectory((ps) => new optim.Adam(ps, o), steps), refAdam(steps, o));
    }
    expectTrajectory(
      await trajectory((ps) => new optim.Adam(ps, 0.3, [0.5, 0.9]), steps),
      refAdam(steps, { lr: 0.3, betas: [0.5, 0.9] }),
    );
  });

  it('AdamW: decoupled weight decay, 1e-2 by default', async () => {
    expectTrajectory(
      await trajectory((ps) => new optim.AdamW(ps, { lr: 0.1 }), steps),
      refAdam(steps, { lr: 0.1, weightDecay: 1e-2, decoupled: true }),
    );
    const o = { lr: 0.05, weightDecay: 0.5, amsgrad: true };
    expectTrajectory(
      await trajectory((ps) => new optim.AdamW(ps, o), steps),
      refAdam(steps, { ...o, decoupled: true }),
    );
  });

  it('RMSprop: plain, centered, momentum, weight decay', async () => {
    for (const o of [
      { lr: 0.01 },
      { lr: 0.01, centered: true },
      { lr: 0.01, momentum: 0.9, alpha: 0.9 },
      { lr: 0.02, centered: true, momentum: 0.5, weightDecay: 0.1 },
    ]) {
      expectTrajectory(await trajectory((ps) => new optim.RMSprop(ps, o), steps), refRMSprop(steps, o));
    }
  });
});

describe('Optimizer mechanics', () => {
  it('param groups override defaults; addParamGroup and duplicates', async () => {
    const a = torch.ones(2, { requiresGrad: true });
    const b = torch.ones(2, { requiresGrad: true });
    const opt = new optim.SGD([{ params: a, lr: 0.5 }, { params: [b] }], { lr: 0.1, momentum: 0 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.5, 0.1]);
    a.grad = torch.ones(2);
    b.grad = torch.ones(2);
    opt.step();
    expect(Array.from(await a.data())).toEqual([0.5, 0.5]);
    expect(Array.from(await b.data())).toEqual([0.9, 0.9].map(Math.fround));
    expect(() => opt.addParamGroup({ params: [a] })).toThrow('some parameters appear in more than one parameter group');
    const c = torch.ones(1, { requiresGrad: true });
    opt.addParamGroup({ params: [c], momentum: 0.9 });
    expect(opt.paramGroups[2]).toMatchObject({ lr: 0.1, momentum: 0.9, dampening: 0 });
  });

  it('skips parameters without a gradient, and zeroGrad sets grads to null', () => {
    const a = torch.ones(2, { requiresGrad: true });
    const opt = new optim.Adam([a]);
    opt.step();
    expect(opt.state.size).toBe(0);
    a.grad = torch.ones(2);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it('trains a real model: loss goes down with backward, step and zeroGrad', async () => {
    torch.manualSeed(0);
    const model = new torch.nn.Sequential(new torch.nn.Linear(2, 8), new torch.nn.Tanh(), new torch.nn.Linear(8, 1));
    const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
    const x = torch.randn(32, 2);
    const y = x.select(1, 0).mul(x.select(1, 1)).unsqueeze(1);
    const lossAt = () => torch.nn.functional.mseLoss(model.call(x), y);
    const first = await lossAt().item();
    for (let i = 0; i < 60; i++) {
      opt.zeroGrad();
      lossAt().backward();
      opt.step();
    }
    expect(await lossAt().item()).toBeLessThan(first / 2);
  });

  it('stateDict / loadStateDict resume a trajectory exactly', async () => {
    const run = async (split: boolean) => {
      const p = torch.tensor(Float64Array.from(P0), { requiresGrad: true });
      let opt = new optim.Adam([p], { lr: 0.1, amsgrad: true });
      for (let s = 0; s < 6; s++) {
        if (split && s === 3) {
          const saved = opt.stateDict();
          expect(saved.paramGroups[0]!.params).toEqual([0]);
          expect(saved.state[0]!.step).toBe(3);
          opt = new optim.Adam([p], { lr: 0.5 });
          opt.loadStateDict(saved);
          expect(opt.paramGroups[0]!.lr).toBe(0.1);
        }
        p.grad = torch.tensor(Float64Array.from(gradAt(Array.from(await p.data()))));
        opt.step();
      }
      return Array.from(await p.data());
    };
    expect(await run(true)).toEqual(await run(false));
    const opt = new optim.SGD([torch.ones(1, { requiresGrad: true })]);
    expect(() => opt.loadStateDict({ state: {}, paramGroups: [] })).toThrow(
      'loaded state dict has a different number of parameter groups',
    );
  });

  it('checks its arguments as PyTorch does', () => {
    const p = [torch.ones(1, { requiresGrad: true })];
    expect(() => new optim.SGD([])).toThrow('optimizer got an empty parameter list');
    expect(() => new optim.SGD(p, { lr: -1 })).toThrow('Invalid learning rate: -1');
    expect(() => new optim.SGD(p, { lr: 0.1, nesterov: true })).toThrow(
      'Nesterov momentum requires a momentum and zero dampening',
    );
    expect(() => new optim.Adam(p, { betas: [1, 0.9] })).toThrow('Invalid beta parameter at index 0: 1');
    expect(() => new optim.SGD([torch.ones(1, { requiresGrad: true }).mul(2)])).toThrow(
      "can't optimize a non-leaf Tensor",
    );
    expect(new optim.SGD(p, 0.3).defaults.lr).toBe(0.3);
    expect(new optim.RMSprop(p).defaults).toMatchObject({ lr: 1e-2, alpha: 0.99, eps: 1e-8 });
  });
});
