import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices, floatDtypes } from '../../helpers/devices.ts';
import { expectExact, expectTensor, F32 } from '../../helpers/assert.ts';
import { asFloat32, broadcastPairArb, mismatchedPairArb, refArb, runs, tensorOf } from '../../helpers/arbitraries.ts';
import { fromNested, map, zip } from '../../helpers/reference.ts';

type Binary = (a: torch.Tensor, b: torch.Tensor) => torch.Tensor;
const binaries: [string, Binary, (x: number, y: number) => number][] = [
  ['add', (a, b) => a.add(b), (x, y) => x + y],
  ['sub', (a, b) => a.sub(b), (x, y) => x - y],
  ['mul', (a, b) => a.mul(b), (x, y) => x * y],
  ['div', (a, b) => a.div(b), (x, y) => x / y],
  ['pow', (a, b) => a.abs().add(0.5).pow(b), (x, y) => (Math.abs(x) + 0.5) ** y],
  ['maximum', (a, b) => a.maximum(b), Math.max],
  ['minimum', (a, b) => a.minimum(b), Math.min],
  ['torch.add', (a, b) => torch.add(a, b), (x, y) => x + y],
  ['add alpha', (a, b) => a.add(b, { alpha: 2 }), (x, y) => x + 2 * y],
  ['sub alpha', (a, b) => torch.sub(a, b, { alpha: 0.5 }), (x, y) => x - 0.5 * y],
  ['eq', (a, b) => a.eq(b), (x, y) => Number(x === y)],
  ['ne', (a, b) => a.ne(b), (x, y) => Number(x !== y)],
  ['lt', (a, b) => a.lt(b), (x, y) => Number(x < y)],
  ['le', (a, b) => a.le(b), (x, y) => Number(x <= y)],
  ['gt', (a, b) => a.gt(b), (x, y) => Number(x > y)],
  ['ge', (a, b) => torch.ge(a, b), (x, y) => Number(x >= y)],
];

describe.each(devices)('binary ops broadcast (%s)', (device) => {
  it.each(binaries)('%s matches a reference on random broadcastable shapes', async (_name, op, ref) => {
    await fc.assert(
      fc.asyncProperty(
        broadcastPairArb().chain(([sa, sb]) => fc.tuple(refArb(sa), refArb(sb))),
        async ([ra, rb]) => {
          // Rounded to float32 first, so the reference sees what the tensors hold; a few equal
          // values make eq/le/ge meaningful.
          const a = asFloat32({ ...ra, data: ra.data.map((v, i) => (i % 3 === 0 ? 1 : v)) });
          const b = asFloat32({ ...rb, data: rb.data.map((v, i) => (i % 2 === 0 ? 1 : v)) });
          const out = op(tensorOf(a, { device }), tensorOf(b, { device }));
          await expectTensor(out, zip(a, b, ref), F32);
        },
      ),
      runs(25),
    );
  });

  it('mismatched shapes fail naming the sizes and the dimension', () => {
    expect(() => torch.zeros(2, 3, { device }).add(torch.zeros(2, 4, { device }))).toThrow(
      'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1',
    );
    fc.assert(
      fc.property(mismatchedPairArb(), ([sa, sb]) => {
        expect(() => torch.zeros(sa, { device }).mul(torch.zeros(sb, { device }))).toThrow(
          /The size of tensor a \(\d+\) must match the size of tensor b \(\d+\) at non-singleton dimension \d+/,
        );
      }),
      runs(20),
    );
  });

  it('accepts scalars on either side', async () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float32', device });
    await expectExact(x.add(1), [2, 3, 4]);
    await expectExact(torch.sub(10, x), [9, 8, 7]);
    await expectExact(torch.div(6, x), [6, 3, 2]);
    await expectExact(torch.pow(2, x), [2, 4, 8]);
    await expectExact(x.pow(2), [1, 4, 9]);
    await expectExact(torch.mul(x, 0.5), [0.5, 1, 1.5]);
    await expectExact(torch.maximum(x, 2), [2, 2, 3]);
    await expectExact(torch.lt(x, 2), [true, false, false]);
  });

  it('bool arithmetic: add is or, mul is and; bool - bool is rejected', async () => {
    const a = torch.tensor([true, true, false, false], { device });
    const b = torch.tensor([true, false, true, false], { device });
    await expectExact(a.add(b), [true, true, true, false]);
    await expectExact(a.mul(b), [true, false, false, false]);
    await expectExact(a.logicalAnd(b), [true, false, false, false]);
    await expectExact(a.logicalOr(b), [true, true, true, false]);
    await expectExact(a.logicalNot(), [false, false, true, true]);
    expect(() => a.sub(b)).toThrow('Subtraction, the `-` operator, with two bool tensors is not supported.');
  });

  it('int arithmetic stays int32 and exact', async () => {
    const a = torch.tensor([7, -7, 3], { device });
    await expectExact(a.add(2), [9, -5, 5]);
    await expectExact(a.mul(a), [49, 49, 9]);
    await expectExact(a.pow(2), [49, 49, 9]);
    expect(a.pow(2).dtype).toBe('int32');
    await expectExact(a.abs(), [7, 7, 3]);
    await expectExact(a.neg(), [-7, 7, -3]);
  });

  it('compares NaN as IEEE and PyTorch do: only ne is true, and NaN is nonzero (true as a bool)', async () => {
    const a = torch.tensor([Number.NaN, Number.NaN, 1, 0, -0], { device });
    const b = torch.tensor([0, Number.NaN, Number.NaN, 0, 0], { device });
    expect(await a.ne(b).toArray()).toEqual([true, true, true, false, false]);
    for (const op of ['eq', 'lt', 'le', 'gt', 'ge'] as const) {
      expect(await a[op](b).toArray(), op).toEqual(
        [false, false, false, true, true].map((v) => v && op !== 'lt' && op !== 'gt'),
      );
    }
    expect(await a.ne(0).toArray()).toEqual([true, true, true, false, false]);
    expect(await a.to('bool').toArray()).toEqual([true, true, true, false, false]);
    expect(Number(await torch.tensor([Number.NaN, 1], { device }).all().item())).toBe(1);
    expect(Number(await torch.tensor([Number.NaN, 0], { device }).any().item())).toBe(1);
    expect(await torch.countNonzero(a).item()).toBe(3);
  });

  it('maximum and minimum propagate NaN', async () => {
    const a = torch.tensor([Number.NaN, 1], { device });
    const b = torch.tensor([0, Number.NaN], { device });
    expect(await a.maximum(b).toArray()).toEqual([Number.NaN, Number.NaN]);
    expect(await a.minimum(b).toArray()).toEqual([Number.NaN, Number.NaN]);
  });
});

describe.each(devices)('unary math (%s)', (device) => {
  const xs = [-2.5, -1.5, -0.5, 0, 0.5, 1.5, 2.5, 3.7];
  const pos = [0.25, 0.5, 1, 2, 4, 9];
  const cases: [string, (x: torch.Tensor) => torch.Tensor, (v: number) => number, number[]][] = [
    ['neg', (x) => x.neg(), (v) => -v, xs],
    ['abs', (x) => torch.abs(x), Math.abs, xs],
    ['sign', (x) => x.sign(), Math.sign, xs],
    ['exp', (x) => x.exp(), Math.exp, xs],
    ['log', (x) => torch.log(x), Math.log, pos],
    ['sqrt', (x) => x.sqrt(), Math.sqrt, pos],
    ['rsqrt', (x) => x.rsqrt(), (v) => 1 / Math.sqrt(v), pos],
    ['reciprocal', (x) => x.reciprocal(), (v) => 1 / v, pos],
    ['square', (x) => x.square(), (v) => v * v, xs],
    ['sin', (x) => x.sin(), Math.sin, xs],
    ['cos', (x) => x.cos(), Math.cos, xs],
    ['tanh', (x) => torch.tanh(x), Math.tanh, xs],
    ['sigmoid', (x) => x.sigmoid(), (v) => 1 / (1 + Math.exp(-v)), xs],
    ['relu', (x) => torch.relu(x), (v) => (v > 0 ? v : 0), xs],
    ['floor', (x) => x.floor(), Math.floor, xs],
    ['ceil', (x) => x.ceil(), Math.ceil, xs],
    // torch.round rounds half to even.
    [
      'round',
      (x) => x.round(),
      (v) => ({ [-2.5]: -2, [-1.5]: -2, [-0.5]: -0, [0.5]: 0, [1.5]: 2, [2.5]: 2 })[v] ?? Math.round(v),
      xs,
    ],
    ['clamp', (x) => x.clamp(-1, 2), (v) => Math.min(Math.max(v, -1), 2), xs],
    ['clamp min only', (x) => torch.clamp(x, 0), (v) => Math.max(v, 0), xs],
    ['clamp max only', (x) => x.clamp(null, 0), (v) => Math.min(v, 0), xs],
  ];

  it.each(cases)('%s matches Math', async (_name, op, ref, input) => {
    for (const dtype of floatDtypes(device)) {
      const x = torch.tensor(input, { dtype, device });
      const expected = input.map((v) => ref(dtype === 'float32' ? Math.fround(v) : v));
      await expectTensor(op(x), expected, dtype === 'float64' ? { atol: 1e-12, rtol: 1e-12 } : F32);
      expect(op(x).dtype).toBe(dtype);
    }
  });

  it('works on non-contiguous views', async () => {
    const x = torch
      .tensor(
        [
          [1, 4],
          [9, 16],
        ],
        { dtype: 'float32', device },
      )
      .t();
    await expectExact(x.sqrt(), [
      [1, 3],
      [2, 4],
    ]);
  });

  it('float math on int tensors gives float32', async () => {
    const x = torch.tensor([1, 4], { device });
    expect(x.sqrt().dtype).toBe('float32');
    expect(x.exp().dtype).toBe('float32');
    await expectExact(x.sqrt(), [1, 2]);
  });

  it('sigmoid and exp stay finite where they should; relu keeps NaN', async () => {
    await expectExact(torch.tensor([-1000, 1000], { device }).sigmoid(), [0, 1]);
    expect(await torch.tensor([1000], { device }).exp().item()).toBe(Infinity);
    expect(await torch.tensor([Number.NaN], { device }).relu().item()).toBeNaN();
    expect(await torch.tensor([Number.NaN, -2, 0, 3], { device }).sign().toArray()).toEqual([Number.NaN, -1, 0, 1]);
  });

  it('clamp needs a bound', () => {
    expect(() => torch.zeros(2).clamp()).toThrow("torch.clamp: At least one of 'min' or 'max' must not be None");
  });
});

describe.each(devices)('where and maskedFill (%s)', (device) => {
  it('where picks from a or b and broadcasts all three', async () => {
    const cond = torch.tensor([[true], [false]], { device });
    const a = torch.tensor([1, 2, 3], { dtype: 'float32', device });
    const b = torch.tensor(-1, { dtype: 'float32', device });
    await expectExact(torch.where(cond, a, b), [
      [1, 2, 3],
      [-1, -1, -1],
    ]);
    await expectExact(torch.where(a.gt(1.5), a, 0), [0, 2, 3]);
    await expectExact(a.where(a.lt(2.5), 9), [1, 2, 9]);
    expect(torch.where(cond, 1, 2.5).dtype).toBe('float32');
    expect(() => torch.where(torch.tensor([1, 0]), a, a)).toThrow(
      'where expected condition to be a boolean tensor, but got a tensor with dtype int32',
    );
  });

  it('where matches a reference on random broadcastable shapes', async () => {
    await fc.assert(
      fc.asyncProperty(
        broadcastPairArb({ maxRank: 3 }).chain(([sa, sb]) => fc.tuple(refArb(sa), refArb(sb))),
        async ([ra, rb]) => {
          const a = asFloat32(ra);
          const b = asFloat32(rb);
          const cond = map(a, (v) => Number(v > 0));
          const expected = zip(
            zip(cond, a, (c, x) => (c ? x : Number.NaN)),
            b,
            (x, y) => (Number.isNaN(x) ? y : x),
          );
          const c = tensorOf(cond, { device }).gt(0);
          await expectTensor(torch.where(c, tensorOf(a, { device }), tensorOf(b, { device })), expected);
        },
      ),
      runs(25),
    );
  });

  it('maskedFill fills where the mask is true, broadcasting the mask', async () => {
    const x = torch.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float32', device },
    );
    await expectExact(x.maskedFill(torch.tensor([true, false, true], { device }), -1), [
      [-1, 2, -1],
      [-1, 5, -1],
    ]);
    await expectExact(torch.maskedFill(x, x.gt(4), 0), [
      [1, 2, 3],
      [4, 0, 0],
    ]);
    await expectExact(x.maskedFill(x.gt(4), Number.NEGATIVE_INFINITY).softmax(1).gt(0), [
      [true, true, true],
      [true, false, false],
    ]);
    expect(() => x.maskedFill(torch.tensor([1, 0, 1], { device }), 0)).toThrow(
      'masked_fill only supports boolean masks, but got mask with dtype int32',
    );
  });

  it('comparisons of int tensors with float scalars compare values, not truncations', async () => {
    await expectExact(torch.tensor([0, 1, 2], { device }).gt(0.5), [false, true, true]);
    await expectExact(torch.tensor([1, 2], { device }).eq(torch.tensor([1.0, 2.5], { device })), [true, false]);
  });

  it('reference values of a float32 chain', async () => {
    const a = fromNested([
      [0.5, -1.25],
      [2, 3],
    ]);
    const t = tensorOf(a, { device });
    await expectTensor(
      t.mul(t).sub(t.div(2)).add(1),
      map(a, (v) => v * v - v / 2 + 1),
    );
  });
});
