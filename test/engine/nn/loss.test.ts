import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import * as torch from '#engine';
import { devices, floatDtypes } from '../../helpers/devices.ts';

const { nn } = torch;
const F = nn.functional;

async function values(t: torch.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

function expectClose(actual: readonly number[], expected: readonly number[], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) =>
    expect(Math.abs(a - expected[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]!))),
  );
}

function data(n: number, seed: number, scale = 1): number[] {
  const g = new torch.Generator(seed);
  return Array.from({ length: n }, () => scale * (g.uniform53() * 2 - 1));
}

const t64 = (v: readonly number[], shape: number[], requiresGrad = false) =>
  torch.tensor(Float64Array.from(v), { shape, requiresGrad });
const labels = (v: number[]) => torch.tensor(v, { dtype: 'int32' });

/** Reference log-softmax of one row, in float64. */
function logSoftmaxRow(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

/** PyTorch's cross-entropy with class indices, weight, ignore_index and label smoothing, in float64. */
function refCrossEntropy(
  x: number[],
  C: number,
  t: number[],
  opts: { w?: number[]; ignore?: number; ls?: number; reduction?: string } = {},
) {
  const { w, ignore = -100, ls = 0, reduction = 'mean' } = opts;
  const losses: number[] = [];
  let denom = 0;
  t.forEach((target, n) => {
    if (target === ignore) {
      losses.push(0);
      return;
    }
    const lp = logSoftmaxRow(x.slice(n * C, n * C + C));
    const wt = w ? w[target]! : 1;
    const nll = -wt * lp[target]!;
    const smooth = -lp.reduce((s, v, c) => s + (w ? w[c]! : 1) * v, 0);
    losses.push((1 - ls) * nll + (ls / C) * smooth);
    denom += wt;
  });
  if (reduction === 'none') return losses;
  const sum = losses.reduce((a, b) => a + b, 0);
  return [reduction === 'sum' ? sum : sum / denom];
}

describe('CrossEntropyLoss', () => {
  it('matches the definition for random logits, weights, ignored targets, smoothing and reductions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 1, max: 5 }),
          c: fc.integer({ min: 2, max: 5 }),
          seed: fc.nat(10_000),
          weighted: fc.boolean(),
          ls: fc.constantFrom(0, 0.1, 0.3),
          reduction: fc.constantFrom('mean', 'sum', 'none'),
        }),
        async ({ n, c, seed, weighted, ls, reduction }) => {
          const x = data(n * c, seed, 5);
          const g = new torch.Generator(seed);
          const t = Array.from({ length: n }, (_, i) => (i === 0 && n > 1 ? -100 : g.integer(0, c)));
          const w = weighted ? data(c, seed + 1).map((v) => v + 1.5) : undefined;
          const loss = F.crossEntropy(t64(x, [n, c]), labels(t), {
            weight: w ? t64(w, [c]) : null,
            labelSmoothing: ls,
            reduction: reduction as 'mean',
          });
          expectClose(await values(loss), refCrossEntropy(x, c, t, { w, ls, reduction }), 1e-10);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('stays finite for logits of 1e4, in value and gradient', async () => {
    const x = torch.tensor(
      [
        [1e4, -1e4, 0],
        [0, 1e4, 1e4],
      ],
      { dtype: 'float32', requiresGrad: true },
    );
    const loss = new nn.CrossEntropyLoss().call(x, labels([1, 2]));
    // Row 0: log p[1] = −2e4; row 1: two equal winners, log p[2] = −log 2.
    expect(await loss.item()).toBeCloseTo((2e4 + Math.LN2) / 2, 0);
    loss.backward();
    const g = await values(x.grad!);
    expect(g.every(Number.isFinite)).toBe(true);
    expectClose(g, [0.5, -0.5, 0, 0, 0.25, -0.25], 1e-6);
  });

  it('accepts [N, C, d] inputs and class-probability targets', async () => {
    const x = data(2 * 3 * 2, 3);
    const t = [0, 2, 1, 1];
    const input = t64(x, [2, 3, 2]);
    // Moving the class dim last gives rows (n, d) in order n·2 + d.
    const rows = [0, 1].flatMap((n) => [0, 1].flatMap((d) => [0, 1, 2].map((c) => x[(n * 3 + c) * 2 + d]!)));
    const loss = F.crossEntropy(
      input,
      torch.tensor(
        [
          [0, 2],
          [1, 1],
        ],
        { dtype: 'int32' },
      ),
      { reduction: 'none' },
    );
    expect(loss.shape).toEqual([2, 2]);
    expectClose(await values(loss), refCrossEntropy(rows, 3, t, { reduction: 'none' }));
    const probs = [0.2, 0.5, 0.3, 1, 0, 0];
    const xs = data(6, 4);
    const soft = F.crossEntropy(t64(xs, [2, 3]), t64(probs, [2, 3]));
    const ref = [0, 1].map(
      (n) => -logSoftmaxRow(xs.slice(n * 3, n * 3 + 3)).reduce((s, v, c) => s + v * probs[n * 3 + c]!, 0),
    );
    expectClose(await values(soft), [(ref[0]! + ref[1]!) / 2]);
  });

  it('explains wrong target dtypes and batch sizes', () => {
    const lossFn = new nn.CrossEntropyLoss();
    expect(() => lossFn.call(torch.zeros(4, 3), torch.zeros(4))).toThrow(/^expected scalar type Int but found Float/);
    expect(() => lossFn.call(torch.zeros(64, 10), labels(new Array(32).fill(0)))).toThrow(
      'Expected input batch_size (64) to match target batch_size (32).',
    );
    expect(() => new nn.CrossEntropyLoss({ reduction: 'avg' as 'mean' })).toThrow(
      /avg is not a valid value for reduction/,
    );
    expect(() => F.crossEntropy(torch.zeros(2, 3), labels([0, 1]), { weight: torch.ones(2) })).toThrow(
      /for all 3 classes/,
    );
  });

  it('passes gradcheck, with weights and label smoothing', async () => {
    const w = t64([0.5, 1, 2], [3]);
    const fn = (x: torch.Tensor) => F.crossEntropy(x, labels([2, 0, -100, 1]), { weight: w, labelSmoothing: 0.2 });
    expect(await torch.autograd.gradcheck(fn, [t64(data(12, 5), [4, 3], true)])).toBe(true);
  });
});

describe('NLLLoss', () => {
  it('picks −w[t]·x[t] and averages over the weights of the counted rows', async () => {
    const x = data(8, 6);
    const w = [2, 1, 0.5, 3];
    const nll = new nn.NLLLoss(t64(w, [4]), { ignoreIndex: 3 });
    const loss = nll.call(t64(x, [2, 4]), labels([2, 3]));
    expectClose(await values(loss), [(-w[2]! * x[2]!) / w[2]!]);
    expectClose(await values(F.nllLoss(t64(x, [2, 4]), labels([2, 0]), { reduction: 'sum' })), [-x[2]! - x[4]!]);
    expect(await torch.autograd.gradcheck((t) => F.nllLoss(t, labels([1, 3])), [t64(x, [2, 4], true)])).toBe(true);
    expect(() => F.nllLoss(torch.zeros(2, 4), labels([0, 7]))).toThrow(/out of bounds/);
  });
});

describe.each(devices)('cross-entropy of class targets on %s', (device) => {
  // Without class weights the loss is one NllLossBackward0 over LogSoftmaxBackward0, one kernel each
  // way where the backend has them; with a weight of ones, or recorded (createGraph), it is composed
  // from gather, mul, neg, sum, div (and exp, sum, mul, sub): the same values, to the bit.
  it.each(floatDtypes(device))('%s: the same bits as the composed ops, loss and gradient', async (dtype) => {
    const g = new torch.Generator(11);
    const x = torch.tensor(
      Array.from({ length: 9 * 5 }, () => 8 * (g.uniform53() - 0.5)),
      { shape: [9, 5], dtype, device, requiresGrad: true },
    );
    const t = torch.tensor([4, 0, 2, 2, -100, 1, 3, -1, 0], { dtype: 'int32', device });
    const ones = torch.ones([5], { dtype, device });
    for (const reduction of ['mean', 'sum'] as const) {
      const loss = F.crossEntropy(x, t, { reduction });
      const composed = F.crossEntropy(x, t, { reduction, weight: ones });
      expect(await values(loss)).toEqual(await values(composed));
      const [grad] = torch.autograd.grad(loss.mul(1.5), [x]);
      const [recorded] = torch.autograd.grad(composed.mul(1.5), [x], { createGraph: true });
      expect(await values(grad!)).toEqual(await values(recorded!));
    }
    const none = F.crossEntropy(x, torch.full([9], -100, { dtype: 'int32', device }));
    expect(Number.isNaN((await values(none))[0])).toBe(true);
  });
});

describe('binary cross-entropy', () => {
  it('BCELoss matches −[y·log x + (1 − y)·log(1 − x)], with weights', async () => {
    const x = [0.1, 0.7, 0.4, 0.95];
    const y = [0, 1, 1, 0];
    const w = [1, 2, 0.5, 1];
    const ref = x.map((p, i) => -w[i]! * (y[i]! * Math.log(p) + (1 - y[i]!) * Math.log(1 - p)));
    const loss = new nn.BCELoss({ weight: t64(w, [4]), reduction: 'none' }).call(t64(x, [4]), t64(y, [4]));
    expectClose(await values(loss), ref);
    expect(() => new nn.BCELoss().call(torch.zeros(4, 1), torch.zeros(4))).toThrow(
      'Using a target size ([4]) that is different to the input size ([4, 1]) is deprecated. Please ensure they have the same size.',
    );
  });

  it('BCELoss clamps log at −100 and keeps a finite gradient where a sigmoid saturated', async () => {
    const x = torch.tensor([0, 1], { dtype: 'float32', requiresGrad: true });
    const loss = F.binaryCrossEntropy(x, torch.tensor([1, 0], { dtype: 'float32' }), { reduction: 'sum' });
    expect(await loss.item()).toBe(200);
    loss.backward();
    // (x − y) / max(x(1 − x), 1e-12)
    expect(await values(x.grad!)).toEqual([-1e12, 1e12].map(Math.fround));
  });

  it('BCEWithLogitsLoss is the stable form, with pos_weight, and its gradient is σ(x) − y at x = 0 too', async () => {
    const x = [0, 2, -3, 50, -50];
    const y = [1, 0, 1, 0, 1];
    const pw = 3;
    const sp = (z: number) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))); // log(1 + e^z)
    const ref = x.map((v, i) => pw * y[i]! * sp(-v) + (1 - y[i]!) * sp(v));
    const input = t64(x, [5], true);
    const loss = F.binaryCrossEntropyWithLogits(input, t64(y, [5]), { posWeight: t64([pw], [1]), reduction: 'none' });
    expectClose(await values(loss), ref, 1e-12);
    const plain = F.binaryCrossEntropyWithLogits(input, t64(y, [5]), { reduction: 'sum' });
    plain.backward();
    expectClose(
      await values(input.grad!),
      x.map((v, i) => 1 / (1 + Math.exp(-v)) - y[i]!),
    );
    expect(() => F.binaryCrossEntropyWithLogits(torch.zeros(4, 1), torch.zeros(4))).toThrow(
      'Target size ([4]) must be the same as input size ([4, 1])',
    );
  });

  it('pass gradcheck (input, target and pos_weight)', async () => {
    const x = () =>
      t64(
        data(6, 7).map((v) => 0.5 + 0.4 * v),
        [2, 3],
        true,
      );
    const y = () =>
      t64(
        data(6, 8).map((v) => 0.5 + 0.3 * v),
        [2, 3],
        true,
      );
    expect(await torch.autograd.gradcheck((a, b) => F.binaryCrossEntropy(a, b), [x(), y()])).toBe(true);
    const pw = t64([0.5, 2, 1.5], [3], true);
    const fn = (a: torch.Tensor, b: torch.Tensor, p: torch.Tensor) =>
      F.binaryCrossEntropyWithLogits(a, b, { posWeight: p, weight: t64([1, 2, 3], [3]) });
    expect(await torch.autograd.gradcheck(fn, [t64(data(6, 9, 3), [2, 3], true), y(), pw])).toBe(true);
  });
});

describe('regression losses', () => {
  it('MSELoss and L1Loss with each reduction', async () => {
    const a = data(6, 10);
    const b = data(6, 11);
    const sq = a.map((v, i) => (v - b[i]!) ** 2);
    const ab = a.map((v, i) => Math.abs(v - b[i]!));
    const sum = (v: number[]) => v.reduce((s, x) => s + x, 0);
    const [x, y] = [t64(a, [2, 3]), t64(b, [2, 3])];
    expectClose(await values(new nn.MSELoss().call(x, y)), [sum(sq) / 6]);
    expectClose(await values(new nn.MSELoss({ reduction: 'sum' }).call(x, y)), [sum(sq)]);
    expectClose(await values(new nn.L1Loss({ reduction: 'none' }).call(x, y)), ab);
    expectClose(await values(F.l1Loss(x, y)), [sum(ab) / 6]);
    expect(
      await torch.autograd.gradcheck((p, q) => F.mseLoss(p, q), [t64(a, [2, 3], true), t64(b, [2, 3], true)]),
    ).toBe(true);
    expect(await torch.autograd.gradcheck((p) => F.l1Loss(p, y), [t64(a, [2, 3], true)])).toBe(true);
  });

  it("is one MseLossBackward0 node whose gradients are PyTorch's bits, a broadcast target's summed back", async () => {
    // torch.manual_seed(0); x = torch.randn(3, 7); y = torch.randn(7); F.mse_loss(x, y, reduction=…) (PyTorch 1.13)
    const x = [
      -1.1258398294448853, -1.152360200881958, -0.2505785822868347, -0.4338788092136383, 0.8487103581428528,
      -1.5550950765609741, -0.3413603901863098, 1.85300612449646, 0.46809640526771545, -0.1577124446630478,
      1.4436601400375366, 0.26604941487312317, 0.16645534336566925, 1.586334228515625, 0.946298360824585,
      -0.843676745891571, 0.9318265914916992, 1.2590092420578003, 2.0049805641174316, 0.05373690277338028,
      0.6180566549301147,
    ];
    const y = [
      -2.1881401538848877, 0.8920134902000427, 0.7455421090126038, -0.24604661762714386, 0.8511652946472168,
      -0.35018303990364075, 1.6881015300750732,
    ];
    const expected = {
      mean: {
        gx: [
          0.10117146372795105, -0.19470226764678955, -0.09486863762140274, -0.017888780683279037,
          -0.00023380348284263164, -0.11475352942943573, -0.1932820826768875, 0.38487109541893005, -0.0403730571269989,
          -0.08602424710988998, 0.16092446446418762, -0.055725324898958206, 0.04920365661382675, -0.009692124091088772,
          0.29851797223091125, -0.16530384123325348, 0.017741380259394646, 0.1433386653661728, 0.10988716781139374,
          0.03846856579184532, -0.10190903395414352,
        ],
        gy: [
          -0.7845605611801147, 0.4003791809082031, 0.16315150260925293, -0.2863743305206299, -0.05392803996801376,
          0.027081307023763657, 0.3048832416534424,
        ],
      },
      sum: {
        gx: [
          2.124600648880005, -4.088747501373291, -1.992241382598877, -0.3756643831729889, -0.004909873008728027,
          -2.4098241329193115, -4.058923721313477, 8.082292556762695, -0.8478341698646545, -1.8065091371536255,
          3.379413604736328, -1.170231819152832, 1.0332767963409424, -0.20353460311889648, 6.268877029418945,
          -3.4713804721832275, 0.3725689649581909, 3.0101118087768555, 2.3076305389404297, 0.8078398704528809,
          -2.140089750289917,
        ],
        gy: [
          -16.47576904296875, 8.40796184539795, 3.4261813163757324, -6.013860702514648, -1.1324888467788696,
          0.5687074661254883, 6.402547836303711,
        ],
      },
      none: {
        gx: [
          0.0, -4.088747501373291, -3.984482765197754, -1.126993179321289, -0.01963949203491211, -12.049120903015137,
          -24.35354232788086, 56.5760498046875, -6.782673358917236, -16.258583068847656, 33.79413604736328,
          -12.872550010681152, 12.399321556091309, -2.6459498405456543, 87.7642822265625, -52.07070541381836,
          5.961103439331055, 51.17190170288086, 41.537349700927734, 15.348957061767578, -42.801795959472656,
        ],
        gy: [
          -144.34033203125, 62.9421272277832, 14.281961441040039, -83.83905029296875, -28.645160675048828,
          -15.69915771484375, 69.80128479003906,
        ],
      },
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const p = torch.tensor(x, { shape: [3, 7], requiresGrad: true });
      const q = torch.tensor(y, { requiresGrad: true });
      const loss = F.mseLoss(p, q, { reduction });
      expect(loss.gradFn!.name).toBe('MseLossBackward0');
      // 'none' is weighted by 0, 1, …, 20 so that each element's gradient differs.
      (reduction === 'none' ? loss.mul(torch.arange(21).reshape([3, 7])).sum() : loss).backward();
      expect(await values(p.grad!)).toEqual(expected[reduction].gx);
      expectClose(await values(q.grad!), expected[reduction].gy, 1e-6);
    }
    warn.mockRestore();
  });

  it('warns, as PyTorch does, when the target would broadcast', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    F.mseLoss(torch.zeros(4, 1), torch.zeros(4));
    expect(warn.mock.calls[0]![0]).toMatch(
      /Using a target size \(\[4\]\) that is different to the input size \(\[4, 1\]\)/,
    );
    warn.mockRestore();
  });
});

describe('oneHot', () => {
  it('encodes class indices as int32 rows', async () => {
    expect(await F.oneHot(labels([0, 2]), 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 0, 1],
    ]);
    const inferred = F.oneHot(labels([1, 3]));
    expect(inferred.dtype).toBe('int32');
    expect(inferred.shape).toEqual([2, 4]);
  });
});
