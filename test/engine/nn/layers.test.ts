import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';

const { nn } = torch;
const F = nn.functional;
const f64 = { dtype: 'float64' } as const;

async function values(t: torch.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

function expectClose(actual: readonly number[], expected: readonly number[], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) =>
    expect(Math.abs(a - expected[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]!))),
  );
}

/** Deterministic float64 data away from zero (so relu, max and |x| stay off their kinks). */
function data(n: number, seed: number): number[] {
  const g = new torch.Generator(seed);
  return Array.from({ length: n }, () => (g.uniform53() < 0.5 ? -1 : 1) * (0.1 + g.uniform53()));
}

function input(shape: number[], seed: number, requiresGrad = true): torch.Tensor {
  return torch.tensor(
    Float64Array.from(
      data(
        shape.reduce((a, b) => a * b, 1),
        seed,
      ),
    ),
    { shape, requiresGrad },
  );
}

describe('Linear', () => {
  it('draws weight then bias from U(−1/√fan_in, 1/√fan_in) with the default generator', async () => {
    torch.manualSeed(42);
    const lin = new nn.Linear(5, 3);
    const bound = 1 / Math.sqrt(5);
    const g = new torch.Generator(42);
    const draw = () => Math.fround(Math.fround(g.uniform24() * (2 * bound)) - bound);
    const w = Array.from({ length: 15 }, draw);
    const b = Array.from({ length: 3 }, draw);
    expectClose(await values(lin.weight), w, 1e-6);
    expectClose(await values(lin.bias!), b, 1e-6);
    expect((await values(lin.weight)).every((v) => Math.abs(v) <= bound)).toBe(true);
  });

  it('is deterministic under manualSeed and differs across seeds', async () => {
    torch.manualSeed(7);
    const a = await values(new nn.Linear(20, 10).weight);
    torch.manualSeed(7);
    const b = await values(new nn.Linear(20, 10).weight);
    torch.manualSeed(8);
    const c = await values(new nn.Linear(20, 10).weight);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const big = await values(new nn.Linear(784, 128).weight);
    const bound = 1 / Math.sqrt(784);
    expect(Math.max(...big.map(Math.abs))).toBeLessThanOrEqual(bound);
    // Uniform on [−b, b]: mean ≈ 0 and variance ≈ b²/3 over 100k draws.
    const mean = big.reduce((s, v) => s + v, 0) / big.length;
    const variance = big.reduce((s, v) => s + (v - mean) ** 2, 0) / big.length;
    expect(Math.abs(mean)).toBeLessThan(bound / 100);
    expect(variance / ((bound * bound) / 3)).toBeCloseTo(1, 1);
  });

  it('computes x·Wᵀ + b, for batched and unbatched inputs', async () => {
    const lin = new nn.Linear(3, 2, { dtype: 'float64' });
    const W = await values(lin.weight);
    const b = await values(lin.bias!);
    const x = data(6, 1);
    const expected = [0, 1].flatMap((n) =>
      [0, 1].map((o) => b[o]! + [0, 1, 2].reduce((s, k) => s + x[n * 3 + k]! * W[o * 3 + k]!, 0)),
    );
    expectClose(await values(lin.call(torch.tensor(Float64Array.from(x), { shape: [2, 3] }))), expected);
    expect(lin.call(torch.zeros(3, f64)).shape).toEqual([2]);
    expect(lin.call(torch.zeros(4, 5, 3, f64)).shape).toEqual([4, 5, 2]);
    expect(() => lin.call(torch.zeros(2, 4, f64))).toThrow('mat1 and mat2 shapes cannot be multiplied (2x4 and 3x2)');
  });

  it('passes gradcheck', async () => {
    expect(
      await torch.autograd.gradcheck(
        (x, w, b) => F.linear(x, w, b),
        [input([3, 4], 1), input([2, 4], 2), input([2], 3)],
      ),
    ).toBe(true);
  });
});

describe('activations', () => {
  it('ReLU, Sigmoid, Tanh match their definitions', async () => {
    const xs = data(8, 4);
    const x = torch.tensor(Float64Array.from(xs));
    expectClose(
      await values(new nn.ReLU().call(x)),
      xs.map((v) => Math.max(v, 0)),
    );
    expectClose(
      await values(new nn.Sigmoid().call(x)),
      xs.map((v) => 1 / (1 + Math.exp(-v))),
    );
    expectClose(await values(new nn.Tanh().call(x)), xs.map(Math.tanh));
  });

  it('Softmax and LogSoftmax along a dim', async () => {
    const xs = data(6, 5);
    const x = torch.tensor(Float64Array.from(xs), { shape: [2, 3] });
    const expected = [0, 1].flatMap((r) => {
      const row = xs.slice(r * 3, r * 3 + 3);
      const z = row.reduce((s, v) => s + Math.exp(v), 0);
      return row.map((v) => Math.exp(v) / z);
    });
    expectClose(await values(new nn.Softmax(1).call(x)), expected);
    expectClose(await values(new nn.LogSoftmax({ dim: 1 }).call(x)), expected.map(Math.log));
    expectClose(await values(F.softmax(x, { dim: 0 }).sum(0)), [1, 1, 1]);
  });

  it('pass gradcheck (inputs away from 0)', async () => {
    for (const fn of [
      F.relu,
      F.sigmoid,
      F.tanh,
      (x: torch.Tensor) => F.softmax(x, 1),
      (x: torch.Tensor) => F.logSoftmax(x, 1),
    ]) {
      expect(await torch.autograd.gradcheck(fn, [input([2, 3], 6)])).toBe(true);
    }
  });

  it('Flatten keeps the batch dim', () => {
    expect(new nn.Flatten().call(torch.zeros(2, 3, 4, 5)).shape).toEqual([2, 60]);
    expect(new nn.Flatten(0, 1).call(torch.zeros(2, 3, 4)).shape).toEqual([6, 4]);
  });
});

describe('Dropout', () => {
  it('is the identity in eval mode and with p = 0', () => {
    const x = torch.randn(4, 4);
    const d = new nn.Dropout(0.5).eval();
    expect(d.call(x)).toBe(x);
    expect(new nn.Dropout(0).call(x)).toBe(x);
  });

  it('keeps an element iff its float64 uniform draw is below 1 − p (bernoulli_), scaling it by 1/(1 − p)', async () => {
    const p = 0.3;
    const x = torch.ones(1000);
    torch.manualSeed(5);
    const y = await values(new nn.Dropout(p).call(x));
    const g = new torch.Generator(5);
    const expected = y.map(() => (g.uniform53() < 1 - p ? 1 / (1 - p) : 0));
    expectClose(y, expected, 1e-6);
    const dropped = y.filter((v) => v === 0).length / y.length;
    expect(dropped).toBeGreaterThan(0.25);
    expect(dropped).toBeLessThan(0.35);
    expect(await values(F.dropout(x, 1))).toEqual(new Array(1000).fill(0));
    expect(() => new nn.Dropout(1.5)).toThrow('dropout probability has to be between 0 and 1, but got 1.5');
  });

  it('sends gradient only through kept elements, scaled', async () => {
    const x = torch.ones(200, { requiresGrad: true });
    torch.manualSeed(9);
    const y = F.dropout(x, { p: 0.5 });
    y.sum().backward();
    expect(await values(x.grad!)).toEqual((await values(y)).map((v) => (v === 0 ? 0 : 2)));
  });
});

/** Per-channel statistics over all dims but 1, in float64. */
function channelStats(xs: number[], shape: number[]) {
  const [n, c] = shape as [number, number];
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  return Array.from({ length: c }, (_, ch) => {
    const vals: number[] = [];
    for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) vals.push(xs[(i * c + ch) * inner + k]!);
    const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
    const ss = vals.reduce((s, v) => s + (v - mean) ** 2, 0);
    return { mean, biased: ss / vals.length, unbiased: ss / (vals.length - 1) };
  });
}

describe('BatchNorm1d', () => {
  it('normalises with batch statistics in training and updates running stats (momentum 0.1, unbiased var)', async () => {
    const bn = new nn.BatchNorm1d(3, { dtype: 'float64' });
    const shape = [4, 3];
    const b1 = data(12, 11);
    const b2 = data(12, 12).map((v) => 2 * v + 1);
    const y = await values(bn.call(torch.tensor(Float64Array.from(b1), { shape })));
    const s1 = channelStats(b1, shape);
    expectClose(
      y,
      b1.map((v, i) => (v - s1[i % 3]!.mean) / Math.sqrt(s1[i % 3]!.biased + 1e-5)),
    );
    bn.call(torch.tensor(Float64Array.from(b2), { shape }));
    const s2 = channelStats(b2, shape);
    const runMean = s1.map((s, c) => 0.9 * (0.9 * 0 + 0.1 * s.mean) + 0.1 * s2[c]!.mean);
    const runVar = s1.map((s, c) => 0.9 * (0.9 * 1 + 0.1 * s.unbiased) + 0.1 * s2[c]!.unbiased);
    expectClose(await values(bn.runningMean!), runMean);
    expectClose(await values(bn.runningVar!), runVar);
    expect(await bn.numBatchesTracked!.item()).toBe(2);
    bn.eval();
    const yEval = await values(bn.call(torch.tensor(Float64Array.from(b1), { shape })));
    expectClose(
      yEval,
      b1.map((v, i) => (v - runMean[i % 3]!) / Math.sqrt(runVar[i % 3]! + 1e-5)),
    );
  });

  it('handles [N, C, L] inputs, a cumulative average with momentum null, and rejects one value per channel', async () => {
    const shape = [2, 2, 3];
    const xs = data(12, 13);
    const bn = new nn.BatchNorm1d(2, { momentum: null, dtype: 'float64' });
    bn.call(torch.tensor(Float64Array.from(xs), { shape }));
    bn.call(torch.tensor(Float64Array.from(xs.map((v) => v + 1)), { shape }));
    const s = channelStats(xs, shape);
    expectClose(
      await values(bn.runningMean!),
      s.map((c) => c.mean + 0.5),
    );
    expect(() => new nn.BatchNorm1d(3).call(torch.zeros(1, 3))).toThrow(
      'Expected more than 1 value per channel when training, got input size [1, 3]',
    );
    expect(() => new nn.BatchNorm1d(3).call(torch.zeros(2))).toThrow('expected 2D or 3D input (got 1D input)');
  });

  it('passes gradcheck in training mode (through mean and variance) and in eval mode', async () => {
    const train = (x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) =>
      F.batchNorm(x, null, null, { weight: w, bias: b, training: true });
    expect(await torch.autograd.gradcheck(train, [input([4, 2], 14), input([2], 15), input([2], 16)])).toBe(true);
    const rm = torch.tensor([0.1, -0.2], f64);
    const rv = torch.tensor([0.5, 2], f64);
    expect(await torch.autograd.gradcheck((x) => F.batchNorm(x, rm, rv), [input([3, 2, 2], 17)])).toBe(true);
  });
});

describe('LayerNorm', () => {
  it('normalises each sample over the last dims with the biased variance', async () => {
    const xs = data(8, 18);
    const ln = new nn.LayerNorm(4, { dtype: 'float64' });
    const y = await values(ln.call(torch.tensor(Float64Array.from(xs), { shape: [2, 4] })));
    const expected = [0, 1].flatMap((r) => {
      const row = xs.slice(r * 4, r * 4 + 4);
      const m = row.reduce((s, v) => s + v, 0) / 4;
      const v = row.reduce((s, x) => s + (x - m) ** 2, 0) / 4;
      return row.map((x) => (x - m) / Math.sqrt(v + 1e-5));
    });
    expectClose(y, expected);
    expect(() => ln.call(torch.zeros(2, 5, f64))).toThrow(
      'Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 5]',
    );
  });

  it('passes gradcheck', async () => {
    const fn = (x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) => F.layerNorm(x, [2, 3], { weight: w, bias: b });
    expect(await torch.autograd.gradcheck(fn, [input([2, 2, 3], 19), input([2, 3], 20), input([2, 3], 21)])).toBe(true);
  });
});

/** Direct convolution, the definition: out[n][o][y][x] = b[o] + Σ w[o][c][i][j]·in[n][g·C/G + c][y·s + i·d − p][x·s + j·d − p]. */
function naiveConv(
  x: number[],
  xs: number[],
  w: number[],
  ws: number[],
  b: number[] | null,
  stride: number,
  pad: number,
  dil: number,
  groups: number,
) {
  const [N, C, H, W] = xs as [number, number, number, number];
  const [O, Cg, KH, KW] = ws as [number, number, number, number];
  const Ho = Math.floor((H + 2 * pad - dil * (KH - 1) - 1) / stride) + 1;
  const Wo = Math.floor((W + 2 * pad - dil * (KW - 1) - 1) / stride) + 1;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let y = 0; y < Ho; y++)
        for (let xo = 0; xo < Wo; xo++) {
          let s = b ? b[o]! : 0;
          const g = Math.floor(o / (O / groups));
          for (let c = 0; c < Cg; c++)
            for (let i = 0; i < KH; i++)
              for (let j = 0; j < KW; j++) {
                const r = y * stride + i * dil - pad;
                const q = xo * stride + j * dil - pad;
                if (r < 0 || r >= H || q < 0 || q >= W) continue;
                s += w[((o * Cg + c) * KH + i) * KW + j]! * x[((n * C + g * Cg + c) * H + r) * W + q]!;
              }
          out.push(s);
        }
  return { out, shape: [N, O, Ho, Wo] };
}

describe('Conv2d', () => {
  it('matches direct convolution for random stride, padding, dilation and groups', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          g: fc.integer({ min: 1, max: 2 }),
          cg: fc.integer({ min: 1, max: 2 }),
          og: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 3, max: 6 }),
          w: fc.integer({ min: 3, max: 6 }),
          k: fc.integer({ min: 1, max: 3 }),
          s: fc.integer({ min: 1, max: 2 }),
          p: fc.integer({ min: 0, max: 1 }),
          d: fc.integer({ min: 1, max: 2 }),
          bias: fc.boolean(),
          seed: fc.nat(1000),
        }),
        async ({ n, g, cg, og, h, w, k, s, p, d, bias, seed }) => {
          fc.pre(h + 2 * p >= d * (k - 1) + 1 && w + 2 * p >= d * (k - 1) + 1);
          const xs = [n, g * cg, h, w];
          const ws = [g * og, cg, k, k];
          const x = data(
            xs.reduce((a, b) => a * b),
            seed,
          );
          const wt = data(
            ws.reduce((a, b) => a * b),
            seed + 1,
          );
          const b = bias ? data(g * og, seed + 2) : null;
          const ref = naiveConv(x, xs, wt, ws, b, s, p, d, g);
          const t = (v: number[], shape: number[]) => torch.tensor(Float64Array.from(v), { shape });
          const y = F.conv2d(t(x, xs), t(wt, ws), {
            bias: b ? t(b, [g * og]) : null,
            stride: s,
            padding: p,
            dilation: d,
            groups: g,
          });
          expect(y.shape).toEqual(ref.shape);
          expectClose(await values(y), ref.out, 1e-10);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("supports padding 'same' and unbatched input, and names bad channel counts", () => {
    const conv = new nn.Conv2d(2, 3, [3, 2], { padding: 'same' });
    expect(conv.call(torch.zeros(1, 2, 5, 4)).shape).toEqual([1, 3, 5, 4]);
    expect(conv.call(torch.zeros(2, 5, 4)).shape).toEqual([3, 5, 4]);
    expect(() => conv.call(torch.zeros(1, 3, 5, 5))).toThrow(
      'Given groups=1, weight of size [3, 2, 3, 2], expected input[1, 3, 5, 5] to have 2 channels, but got 3 channels instead',
    );
    const bound = 1 / Math.sqrt(2 * 3 * 2);
    expect(conv.weight.shape).toEqual([3, 2, 3, 2]);
    return values(conv.weight).then((ws) => expect(Math.max(...ws.map(Math.abs))).toBeLessThanOrEqual(bound));
  });

  it('passes gradcheck (input, weight, bias) with stride and padding', async () => {
    const fn = (x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) => F.conv2d(x, w, b, 2, 1);
    expect(await torch.autograd.gradcheck(fn, [input([1, 2, 4, 4], 22), input([2, 2, 2, 2], 23), input([2], 24)])).toBe(
      true,
    );
  });
});

function naivePool(x: number[], [N, C, H, W]: number[], k: number, s: number, p: number, ceil: boolean) {
  const size = (n: number) => {
    let o = Math.floor((n + 2 * p - k + (ceil ? s - 1 : 0)) / s) + 1;
    if (ceil && (o - 1) * s >= n + p) o--;
    return o;
  };
  const Ho = size(H!);
  const Wo = size(W!);
  const out: number[] = [];
  const idx: number[] = [];
  for (let n = 0; n < N!; n++)
    for (let c = 0; c < C!; c++)
      for (let y = 0; y < Ho; y++)
        for (let xo = 0; xo < Wo; xo++) {
          let best = -Infinity;
          let at = -1;
          for (let i = 0; i < k; i++)
            for (let j = 0; j < k; j++) {
              const r = y * s + i - p;
              const q = xo * s + j - p;
              if (r < 0 || r >= H! || q < 0 || q >= W!) continue;
              const v = x[((n * C! + c) * H! + r) * W! + q]!;
              if (v > best) [best, at] = [v, r * W! + q];
            }
          out.push(best);
          idx.push(at);
        }
  return { out, idx, shape: [N, C, Ho, Wo] };
}

describe('MaxPool2d', () => {
  it('matches the definition, with padding and ceil mode, and returns PyTorch-style indices', async () => {
    for (const [k, s, p, ceil] of [
      [2, 2, 0, false],
      [3, 2, 1, false],
      [2, 2, 0, true],
      [3, 2, 1, true],
    ] as const) {
      const shape = [2, 2, 5, 5];
      const xs = data(100, 25 + k + s);
      const ref = naivePool(xs, shape, k, s, p, ceil);
      const x = torch.tensor(Float64Array.from(xs), { shape });
      const y = new nn.MaxPool2d(k, { stride: s, padding: p, ceilMode: ceil }).call(x);
      expect(y.shape).toEqual(ref.shape);
      expectClose(await values(y), ref.out);
      const { indices } = F.maxPool2d(x, k, { stride: s, padding: p, ceilMode: ceil, returnIndices: true });
      expect(await values(indices)).toEqual(ref.idx);
    }
  });

  it('sends the gradient to each window maximum, and passes gradcheck', async () => {
    const x = torch.tensor(
      [
        [
          [
            [1, 5],
            [3, 2],
          ],
        ],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    F.maxPool2d(x, 2).sum().backward();
    expect(await values(x.grad!)).toEqual([0, 1, 0, 0]);
    expect(await torch.autograd.gradcheck((t) => F.maxPool2d(t, 2, 1, 1), [input([1, 2, 3, 3], 26)])).toBe(true);
  });
});
