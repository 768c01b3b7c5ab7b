import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices, widestFloat } from '../../helpers/devices.ts';
import { expectCloseValues, expectExact, expectTensor, values } from '../../helpers/assert.ts';
import { asFloat32, randomRefArb, runs, tensorOf } from '../../helpers/arbitraries.ts';
import { fromNested, meanOf, reduce, softmax as refSoftmax, sumOf, varOf, type Ref } from '../../helpers/reference.ts';

const m = [
  [1, 2, 3],
  [4, 6, 11],
];

/** A random float32 tensor and a random subset of its dims. */
const withDims = randomRefArb({ minRank: 1, maxRank: 3 }).chain((r) =>
  fc.tuple(
    fc.constant(asFloat32(r)),
    fc.subarray(
      r.shape.map((_, i) => i),
      { minLength: 1 },
    ),
    fc.boolean(),
  ),
);

describe.each(devices)('reductions (%s)', (device) => {
  const x = () => torch.tensor(m, { dtype: 'float32', device });

  it('sum and mean over all, one dim, several dims, with keepdim', async () => {
    await expectExact(x().sum(), 27);
    await expectExact(x().sum(0), [5, 8, 14]);
    await expectExact(x().sum(1), [6, 21]);
    await expectExact(x().sum(-1, true), [[6], [21]]);
    await expectExact(x().sum({ dim: 1, keepdim: true }), [[6], [21]]);
    await expectExact(x().sum([0, 1]), 27);
    await expectExact(torch.sum(x(), 0), [5, 8, 14]);
    await expectExact(x().mean(), 4.5);
    await expectExact(x().mean(1), [2, 7]);
    await expectExact(x().mean({ dim: 0, keepdim: true }), [[2.5, 4, 7]]);
    expect(() => torch.tensor([1, 2], { device }).mean()).toThrow(
      /mean\(\): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: int32; torch.tensor infers int32 from whole numbers \(JavaScript writes 1.0 as 1\)/,
    );
    expect(() => torch.tensor([1.0, -2.0, 3.0], { device }).std()).toThrow(
      /torch.std: std and var only support floating point and complex dtypes, got int32; .*x\.float\(\)/,
    );
    expect(() => x().sum([0, 0])).toThrow('dim 0 appears multiple times in the list of dims');
  });

  it('sum, mean, prod match a reference on random shapes and dims', async () => {
    await fc.assert(
      fc.asyncProperty(withDims, async ([r, dims, keepdim]) => {
        const t = tensorOf(r, { device });
        await expectTensor(t.sum(dims, keepdim), reduce(r, dims, keepdim, sumOf));
        await expectTensor(t.mean({ dim: dims, keepdim }), reduce(r, dims, keepdim, meanOf));
        await expectTensor(
          t.prod(dims[0]!, keepdim),
          reduce(r, [dims[0]!], keepdim, (v) => v.reduce((a, b) => a * b, 1)),
        );
      }),
      runs(30),
    );
  });

  it('var and std are unbiased by default; unbiased: false and correction are honoured', async () => {
    const v = [1, 2, 3, 4, 10];
    // In the widest float the device has: float64 to 1e-12, float32 (WebGPU) to float32 precision.
    const dtype = widestFloat(device);
    const tol = dtype === 'float64' ? { atol: 1e-12, rtol: 0 } : { atol: 0, rtol: 1e-6 };
    const t = torch.tensor(v, { dtype, device });
    // Hand-derived: mean 4, squared deviations 9, 4, 1, 0, 36 → sum 50.
    await expectTensor(t.var(), 50 / 4, tol);
    await expectTensor(t.std(), Math.sqrt(50 / 4), tol);
    await expectTensor(t.var({ unbiased: false }), 10, tol);
    await expectTensor(torch.std(t, { unbiased: false }), Math.sqrt(10), tol);
    await expectTensor(t.var({ correction: 2 }), 50 / 3, tol);
    await expectTensor(t.var({ correction: 0 }), 10, tol);
    await expectTensor(x().std({ dim: 1, keepdim: true }), [[1], [Math.sqrt(13)]]);
    await expectTensor(x().var(0), [4.5, 8, 32]);
    expect(await torch.tensor([3], { device }).float().var().item()).toBeNaN();
  });

  it('var and std match a reference on random shapes and dims', async () => {
    await fc.assert(
      fc.asyncProperty(withDims, fc.constantFrom(0, 1), async ([r, dims, keepdim], correction) => {
        fc.pre(reduce(r, dims, false, (g) => g.length).data[0]! > 1);
        const t = tensorOf(r, { device });
        await expectTensor(
          t.var({ dim: dims, keepdim, correction }),
          reduce(r, dims, keepdim, (g) => varOf(g, correction)),
          { atol: 1e-4, rtol: 1e-3 },
        );
        await expectTensor(
          t.std({ dim: dims, keepdim, unbiased: correction === 1 }),
          reduce(r, dims, keepdim, (g) => Math.sqrt(varOf(g, correction))),
          { atol: 1e-4, rtol: 1e-3 },
        );
      }),
      runs(30),
    );
  });

  it('max and min with indices, argmax and argmin (first occurrence)', async () => {
    const t = torch.tensor(
      [
        [3, 7, 7],
        [9, -1, 9],
      ],
      { dtype: 'float32', device },
    );
    await expectExact(t.max(), 9);
    await expectExact(t.min(), -1);
    await expectExact(torch.max(t), 9);
    const { values: mv, indices } = t.max(1);
    await expectExact(mv, [7, 9]);
    await expectExact(indices, [1, 0]);
    expect(indices.dtype).toBe('int32');
    const mn = t.min({ dim: 0, keepdim: true });
    await expectExact(mn.values, [[3, -1, 7]]);
    await expectExact(mn.indices, [[0, 1, 0]]);
    await expectExact(torch.max(t, -1, true).indices, [[1], [0]]);
    await expectExact(t.argmax(), 3);
    await expectExact(t.argmin(), 4);
    await expectExact(t.argmax(1), [1, 0]);
    await expectExact(torch.argmin(t, 0, true), [[0, 1, 0]]);
    await expectExact(torch.tensor(5, { device }).argmax(), 0);
    await expectExact(torch.tensor([1, Number.NaN, 3], { device }).argmax(), 1);
    expect(() => torch.zeros(0).max()).toThrow(/Expected reduction dim to be specified for input.numel\(\) == 0/);
  });

  it('max(dim) matches a reference on random shapes', async () => {
    await fc.assert(
      fc.asyncProperty(withDims, async ([r, dims, keepdim]) => {
        const d = dims[0]!;
        const { values: v, indices } = tensorOf(r, { device }).max(d, keepdim);
        await expectTensor(
          v,
          reduce(r, [d], keepdim, (g) => Math.max(...g)),
        );
        await expectTensor(
          indices,
          reduce(r, [d], keepdim, (g) => g.indexOf(Math.max(...g))),
        );
        await expectTensor(
          tensorOf(r, { device }).argmin(d, keepdim),
          reduce(r, [d], keepdim, (g) => g.indexOf(Math.min(...g))),
        );
      }),
      runs(30),
    );
  });

  it('sum of ints and bools is int32', async () => {
    await expectExact(
      torch
        .tensor(
          [
            [1, 2],
            [3, 4],
          ],
          { device },
        )
        .sum(0),
      [4, 6],
    );
    await expectExact(torch.tensor([true, true, false], { device }).sum(), 2);
    expect(torch.tensor([true], { device }).sum().dtype).toBe('int32');
  });

  it('prod', async () => {
    await expectExact(x().prod(), 1584);
    await expectExact(x().prod(1), [6, 264]);
    await expectExact(x().prod({ dim: 0, keepdim: true }), [[4, 12, 33]]);
  });

  it('norm for p = 1, 2, inf and a general p', async () => {
    const t = torch.tensor(
      [
        [3, -4],
        [-12, 0],
      ],
      { dtype: 'float32', device },
    );
    await expectTensor(t.norm(), 13);
    await expectTensor(torch.norm(t, 1), 19);
    await expectTensor(t.norm(Infinity), 12);
    await expectTensor(t.norm(Infinity, 1), [4, 12]);
    await expectTensor(t.norm(Infinity, { dim: 0, keepdim: true }), [[12, 4]]);
    await expectTensor(t.norm(2, 1), [5, 12]);
    await expectTensor(t.norm(3), Math.cbrt(27 + 64 + 1728));
  });

  it('logsumexp is stable for large inputs', async () => {
    // exp(1e4) overflows either float, so only the max-shifted form gets these. float32 holds 1e4
    // to 1e-3 (its spacing there), float64 to 1e-12.
    const dtype = widestFloat(device);
    const tol = dtype === 'float64' ? { atol: 1e-9, rtol: 0 } : { atol: 1e-3, rtol: 0 };
    const t = torch.tensor(
      [
        [1e4, 1e4],
        [0, Math.log(3)],
      ],
      { dtype, device },
    );
    await expectTensor(t.logsumexp(1), [1e4 + Math.log(2), Math.log(4)], tol);
    await expectTensor(torch.logsumexp(t, 0, true), [[1e4, 1e4]], tol);
    const inf = torch.tensor(
      [
        [-Infinity, -Infinity],
        [Infinity, 0],
      ],
      { device },
    );
    expect(await values(inf.logsumexp(1))).toEqual([-Infinity, Infinity]);
  });

  it("sum over dim 0 of a contiguous matrix (Linear's bias gradient) has the bits of each column summed in order in float64", async () => {
    torch.manualSeed(3);
    for (const [rows, cols] of [
      [64, 128],
      [5, 3],
      [1, 7],
      [0, 4],
    ] as const) {
      const a = torch.randn(rows, cols, { device }).mul(1000);
      const host = (await a.toArray()) as number[][];
      const expected = Array.from({ length: cols }, (_, j) => {
        let acc = 0;
        for (let i = 0; i < rows; i++) acc += host[i]![j]!;
        return Math.fround(acc);
      });
      if (device === 'cpu') expect(await a.sum(0).toArray()).toEqual(expected);
      // The general loop on a strided view of the same values, and keepdim's [1, C] output.
      const strided = a.t().contiguous().t();
      expect(await strided.sum(0).toArray()).toEqual(await a.sum(0).toArray());
      expect(await a.sum(0, true).toArray()).toEqual([await a.sum(0).toArray()]);
    }
  });
});

describe.each(devices)('softmax and logSoftmax (%s)', (device) => {
  it('match a reference along any dim', async () => {
    await fc.assert(
      fc.asyncProperty(randomRefArb({ minRank: 1, maxRank: 3 }, { lo: -5, hi: 5 }), fc.nat(), async (r0, k) => {
        const r: Ref = asFloat32(r0);
        const dim = (k % r.shape.length) - (k % 2 === 0 ? r.shape.length : 0);
        const t = tensorOf(r, { device });
        await expectTensor(t.softmax(dim), refSoftmax(r, dim));
        await expectTensor(torch.logSoftmax(t, { dim }), refSoftmax(r, dim, true));
      }),
      runs(30),
    );
  });

  it('stay finite for logits of 1e4 (the max is subtracted)', async () => {
    const t = torch.tensor(
      [
        [1e4, 0, -1e4],
        [1e4, 1e4, 1e4],
      ],
      { device },
    );
    const s = await values(t.softmax(1));
    const l = await values(t.logSoftmax(1));
    expect([...s, ...l].every(Number.isFinite)).toBe(true);
    expectCloseValues(s, [1, 0, 0, 1 / 3, 1 / 3, 1 / 3]);
    expectCloseValues(l, [0, -1e4, -2e4, -Math.log(3), -Math.log(3), -Math.log(3)], { atol: 1e-3, rtol: 1e-6 });
  });

  it('softmax of int input is float32; of a 0-d tensor is 1', async () => {
    expect(torch.tensor([1, 2], { device }).softmax(0).dtype).toBe('float32');
    await expectExact(torch.tensor(3.5, { device }).softmax(0), 1);
    expect(() => torch.zeros(2, 3).softmax(2)).toThrow(
      'Dimension out of range (expected to be in range of [-2, 1], but got 2)',
    );
  });

  it('reference values', async () => {
    const r = fromNested([[1, 2, 3]]);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    await expectTensor(tensorOf(r, { device }).softmax(-1), [e.map((v) => v / sumOf(e))]);
  });
});
