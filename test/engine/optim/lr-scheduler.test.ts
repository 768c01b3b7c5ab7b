import { describe, expect, it } from 'vitest';
import * as torch from '#engine';

const { optim } = torch;
const { StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR, ReduceLROnPlateau, ConstantLR, SequentialLR } =
  optim.lrScheduler;

function sgd(...lrs: number[]): torch.optim.SGD {
  return new optim.SGD(
    lrs.map((lr) => ({ params: [torch.zeros(1, { requiresGrad: true })], lr })),
    { lr: 1 },
  );
}

/** getLastLr() after construction and after each of `steps` steps. */
function lrs(scheduler: { step(): void; getLastLr(): number[] }, steps: number): number[][] {
  const out = [scheduler.getLastLr()];
  for (let i = 0; i < steps; i++) {
    scheduler.step();
    out.push(scheduler.getLastLr());
  }
  return out;
}

function expectClose(actual: number[][], expected: number[][]): void {
  actual.forEach((row, e) => row.forEach((v, g) => expect(v).toBeCloseTo(expected[e]![g]!, 12)));
}

describe('schedulers follow their closed forms', () => {
  it('StepLR: base · γ^⌊epoch / stepSize⌋, both calling forms, every group', () => {
    const opt = sgd(0.1, 1);
    const got = lrs(new StepLR(opt, 3, { gamma: 0.5 }), 10);
    expectClose(
      got,
      got.map((_, e) => [0.1, 1].map((b) => b * 0.5 ** Math.floor(e / 3))),
    );
    expect(opt.paramGroups[1]!.lr).toBeCloseTo(0.5 ** 3, 12);
    const named = lrs(new StepLR(sgd(0.1, 1), { stepSize: 3, gamma: 0.5 }), 10);
    expect(named).toEqual(got);
  });

  it('MultiStepLR: γ per milestone reached, a repeated milestone counting twice', () => {
    const got = lrs(new MultiStepLR(sgd(1), [2, 5, 5], { gamma: 0.1 }), 7);
    expectClose(
      got,
      [1, 1, 0.1, 0.1, 0.1, 0.001, 0.001, 0.001].map((v) => [v]),
    );
  });

  it('ExponentialLR: base · γ^epoch', () => {
    const got = lrs(new ExponentialLR(sgd(0.5), 0.9), 8);
    expectClose(
      got,
      got.map((_, e) => [0.5 * 0.9 ** e]),
    );
  });

  it('CosineAnnealingLR: the recursion gives ηmin + (base − ηmin)(1 + cos(πt/T))/2, past tMax too', () => {
    const tMax = 5;
    const got = lrs(new CosineAnnealingLR(sgd(0.1, 0.02), tMax, { etaMin: 0.001 }), 3 * tMax);
    expectClose(
      got,
      got.map((_, t) => [0.1, 0.02].map((b) => 0.001 + ((b - 0.001) * (1 + Math.cos((Math.PI * t) / tMax))) / 2)),
    );
    const named = lrs(new CosineAnnealingLR(sgd(0.1, 0.02), { tMax, etaMin: 0.001 }), 3 * tMax);
    expect(named).toEqual(got);
  });

  it('LambdaLR: base · λ(epoch), one λ per group if given a list', () => {
    const got = lrs(new LambdaLR(sgd(0.1, 1), [(e) => 1 / (e + 1), (e) => 0.5 ** e]), 4);
    expectClose(
      got,
      got.map((_, e) => [0.1 / (e + 1), 0.5 ** e]),
    );
    expect(() => new LambdaLR(sgd(0.1, 1), [(e) => e])).toThrow('Expected 2 lr_lambdas, but got 1');
  });

  it('schedulers chain: each applies its factor to the current lr', () => {
    const opt = sgd(1);
    const a = new StepLR(opt, 2, { gamma: 0.5 });
    const b = new ExponentialLR(opt, 0.9);
    for (let e = 1; e <= 4; e++) {
      a.step();
      b.step();
      expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.5 ** Math.floor(e / 2) * 0.9 ** e, 12);
    }
  });
});

describe('scheduler state', () => {
  it('lastEpoch counts steps; stateDict round-trips; resuming needs initialLr', () => {
    const opt = sgd(0.1);
    const s = new StepLR(opt, 2);
    s.step();
    s.step();
    s.step();
    expect(s.lastEpoch).toBe(3);
    expect(opt.paramGroups[0]!.initialLr).toBe(0.1);
    const saved = s.stateDict();
    expect(saved).toMatchObject({ lastEpoch: 3, stepSize: 2, gamma: 0.1, baseLrs: [0.1] });
    expect(saved).not.toHaveProperty('optimizer');
    const resumed = new StepLR(sgd(0.1), 2);
    resumed.loadStateDict(saved);
    expect(resumed.lastEpoch).toBe(3);
    expect(resumed.getLastLr()).toEqual(s.getLastLr());
    expect(() => new StepLR(sgd(0.1), 2, { lastEpoch: 4 })).toThrow(
      "param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer",
    );
    expect(() => new StepLR(sgd(0.1), {} as { stepSize: number })).toThrow(
      "StepLR: missing required argument 'stepSize'",
    );
    expect(Object.keys(new LambdaLR(sgd(1), (e) => e).stateDict())).not.toContain('lrLambdas');
  });

  it("SequentialLR's stateDict holds its schedulers' and resumes the sequence where it was", () => {
    const make = () => {
      const opt = sgd(0.1);
      const schedulers = [new ConstantLR(opt, { factor: 0.5, totalIters: 2 }), new ExponentialLR(opt, 0.9)];
      return [opt, new SequentialLR(opt, schedulers, [2])] as const;
    };
    const [opt, s] = make();
    for (let i = 0; i < 3; i++) s.step();
    const saved = s.stateDict();
    // PyTorch 1.13: {'_milestones': [2], 'last_epoch': 3, '_last_lr': [0.09], '_schedulers': [{…, 'last_epoch': 1,
    // '_last_lr': [0.05]}, {…, 'gamma': 0.9, 'last_epoch': 1, '_last_lr': [0.09]}]}
    expect(saved).toMatchObject({
      lastEpoch: 3,
      milestones: [2],
      schedulers: [{ lastEpoch: 1 }, { gamma: 0.9, lastEpoch: 1 }],
    });
    expect(saved.lastLr).toEqual([expect.closeTo(0.09, 12)]);
    const [resumedOpt, resumed] = make();
    resumed.loadStateDict(saved);
    for (const g of resumedOpt.paramGroups) g.lr = opt.paramGroups[0]!.lr;
    s.step();
    resumed.step();
    expect(resumed.getLastLr()).toEqual(s.getLastLr());
    expect(resumed.getLastLr()).toEqual([expect.closeTo(0.081, 12)]);
  });
});

describe('ReduceLROnPlateau', () => {
  it('reduces after more than `patience` bad epochs, then waits out the cooldown', () => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, { patience: 2, factor: 0.5, cooldown: 1 });
    const metrics = [10, 9, 9, 9, 9, 9, 9, 9, 9, 9];
    const seen = metrics.map((m) => {
      s.step(m);
      return s.getLastLr()[0];
    });
    // Epoch 1 improves; 2, 3, 4 are bad → reduce at 4; 5 is cooldown; 6, 7, 8 bad → reduce at 8.
    expect(seen).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]);
    expect(s.lastEpoch).toBe(10);
  });

  it("uses relative and absolute thresholds in 'min' and 'max' mode, and stops at minLr", () => {
    const rel = new ReduceLROnPlateau(sgd(1), { patience: 0, threshold: 0.1 });
    rel.step(10);
    rel.step(9.5); // not below 10·(1 − 0.1) = 9: a bad epoch
    expect(rel.getLastLr()).toEqual([0.1]);
    const max = new ReduceLROnPlateau(sgd(1), {
      mode: 'max',
      patience: 0,
      thresholdMode: 'abs',
      threshold: 1,
      minLr: 0.5,
    });
    max.step(1);
    max.step(2); // not above 1 + 1
    expect(max.getLastLr()).toEqual([0.5]);
    max.step(0);
    expect(max.getLastLr()).toEqual([0.5]);
    expect(() => rel.step(torch.tensor(1) as unknown as number)).toThrow(/takes a number/);
    expect(() => new ReduceLROnPlateau(sgd(1), { factor: 1 })).toThrow('Factor should be < 1.0.');
  });

  it('round-trips its state', () => {
    const s = new ReduceLROnPlateau(sgd(1), { patience: 1 });
    s.step(3);
    s.step(4);
    const t = new ReduceLROnPlateau(sgd(1), { patience: 1 });
    t.loadStateDict(s.stateDict());
    expect(t.best).toBe(3);
    expect(t.numBadEpochs).toBe(1);
  });
});
