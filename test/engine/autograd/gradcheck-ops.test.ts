/**
 * Every differentiable op against finite differences (torch.autograd.gradcheck), in float64 on the
 * CPU, on random small shapes, with inputs kept away from kinks: relu/abs/clamp inputs shifted off
 * 0 and the clamp bounds, log/sqrt inputs positive, maximum/minimum/max operands distinct.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { broadcastPairArb, shapeArb, type ShapeOptions } from '../../helpers/arbitraries.ts';
import { broadcastShape, seeded, size } from '../../helpers/reference.ts';

type T = torch.Tensor;

/** Values in [lo, hi) that stay at least `gap` away from every point in `avoid`. */
function valuesAway(next: () => number, n: number, lo: number, hi: number, avoid: number[] = [], gap = 0.05): number[] {
  return Array.from({ length: n }, () => {
    for (;;) {
      const v = lo + (hi - lo) * next();
      if (avoid.every((a) => Math.abs(v - a) > gap)) return v;
    }
  });
}

/** Distinct values: a shuffled spread of well-separated numbers (no ties for max/min/maximum). */
function distinct(next: () => number, n: number, offset = 0): number[] {
  const vals = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.37 + offset + 0.013 * next());
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [vals[i], vals[j]] = [vals[j]!, vals[i]!];
  }
  return vals;
}

function f64(shape: readonly number[], data: number[], requiresGrad = true): T {
  return torch.tensor(Float64Array.from(data), { shape, dtype: 'float64', requiresGrad });
}

interface Case {
  name: string;
  /** Input shapes for one run. */
  shapes: fc.Arbitrary<number[][]>;
  /** Values for an input of n elements. */
  values?: (next: () => number, n: number, i: number) => number[];
  fn: (...xs: T[]) => T | T[];
  /** Inputs that are not differentiated (indices, masks) are built here from the shapes. */
  extra?: (next: () => number, shapes: number[][]) => T[];
  runs?: number;
}

const one = (o: ShapeOptions = {}) => shapeArb({ maxRank: 3, maxSide: 3, ...o }).map((s) => [s]);
const pair = (o: ShapeOptions = {}) => broadcastPairArb({ maxRank: 3, maxSide: 3, ...o }).map(([a, b]) => [a, b]);
const same = (o: ShapeOptions = {}) => shapeArb({ maxRank: 3, maxSide: 3, ...o }).map((s) => [s, s]);
const positive = (next: () => number, n: number) => valuesAway(next, n, 0.3, 2.5);
const offZero = (next: () => number, n: number) => valuesAway(next, n, -2, 2, [0], 0.1);

const cases: Case[] = [
  { name: 'add', shapes: pair(), fn: (a, b) => a!.add(b!) },
  { name: 'add alpha', shapes: pair(), fn: (a, b) => a!.add(b!, { alpha: -2.5 }) },
  { name: 'sub', shapes: pair(), fn: (a, b) => a!.sub(b!) },
  { name: 'mul', shapes: pair(), fn: (a, b) => a!.mul(b!) },
  {
    name: 'div',
    shapes: pair(),
    values: (n, k, i) => (i === 1 ? positive(n, k) : offZero(n, k)),
    fn: (a, b) => a!.div(b!),
  },
  { name: 'mul by a scalar', shapes: one(), fn: (a) => a!.mul(-1.5).add(2).div(3).sub(1) },
  { name: 'pow (scalar exponent)', shapes: one(), values: positive, fn: (a) => [a!.pow(3), a!.pow(-1.5), a!.pow(0.5)] },
  { name: 'pow (tensor exponent)', shapes: pair(), values: positive, fn: (a, b) => a!.pow(b!) },
  { name: 'pow (scalar base)', shapes: one(), fn: (a) => torch.pow(2, a!) },
  { name: 'neg', shapes: one(), fn: (a) => a!.neg() },
  { name: 'abs', shapes: one(), values: offZero, fn: (a) => a!.abs() },
  { name: 'exp', shapes: one(), fn: (a) => a!.exp() },
  { name: 'log', shapes: one(), values: positive, fn: (a) => a!.log() },
  { name: 'sqrt', shapes: one(), values: positive, fn: (a) => a!.sqrt() },
  { name: 'rsqrt', shapes: one(), values: positive, fn: (a) => a!.rsqrt() },
  { name: 'reciprocal', shapes: one(), values: positive, fn: (a) => a!.reciprocal() },
  { name: 'square', shapes: one(), fn: (a) => a!.square() },
  { name: 'sin', shapes: one(), fn: (a) => a!.sin() },
  { name: 'cos', shapes: one(), fn: (a) => a!.cos() },
  { name: 'tanh', shapes: one(), fn: (a) => a!.tanh() },
  { name: 'sigmoid', shapes: one(), fn: (a) => a!.sigmoid() },
  { name: 'relu', shapes: one(), values: offZero, fn: (a) => a!.relu() },
  {
    name: 'clamp',
    shapes: one(),
    values: (n, k) => valuesAway(n, k, -2, 2, [-1, 0.5], 0.1),
    fn: (a) => [a!.clamp(-1, 0.5), a!.clamp(null, 0.5), a!.clamp(-1)],
  },
  { name: 'maximum', shapes: same(), values: (n, k, i) => distinct(n, k, i * 0.1), fn: (a, b) => a!.maximum(b!) },
  {
    name: 'minimum',
    shapes: same(),
    values: (n, k, i) => distinct(n, k, i * 0.1),
    fn: (a, b) => torch.minimum(a!, b!),
  },
  {
    name: 'where',
    shapes: pair(),
    extra: (next, [sa, sb]) => [
      torch
        .tensor(Array.from({ length: size(broadcastShape(sa!, sb!)) }, () => next() > 0.5))
        .reshape(broadcastShape(sa!, sb!)),
    ],
    fn: (a, b, c) => torch.where(c!, a!, b!),
  },
  {
    name: 'maskedFill',
    shapes: one({ minRank: 1 }),
    extra: (next, [s]) => [torch.tensor(Array.from({ length: s![s!.length - 1]! }, () => next() > 0.5))],
    fn: (a, m) => a!.maskedFill(m!, -3),
  },
  { name: 'sum', shapes: one({ minRank: 1 }), fn: (a) => [a!.sum(), a!.sum(0), a!.sum(-1, true)] },
  { name: 'mean', shapes: one({ minRank: 1 }), fn: (a) => [a!.mean(), a!.mean({ dim: 0, keepdim: true })] },
  {
    name: 'var',
    shapes: one({ minRank: 1, minSide: 2 }),
    fn: (a) => [a!.var(), a!.var(0), a!.var({ dim: -1, unbiased: false })],
  },
  {
    name: 'std',
    shapes: one({ minRank: 1, minSide: 2 }),
    fn: (a) => [a!.std(), a!.std({ dim: 0, keepdim: true, correction: 0 })],
  },
  { name: 'prod', shapes: one({ minRank: 1 }), values: offZero, fn: (a) => [a!.prod(), a!.prod(0), a!.prod(-1, true)] },
  { name: 'max (all)', shapes: one(), values: (n, k) => distinct(n, k), fn: (a) => a!.max() },
  {
    name: 'max (all, with ties split evenly)',
    shapes: one({ minRank: 1 }).map(() => [[3]]),
    values: () => [0.5, 2, 2],
    fn: (a) => a!.max().mul(a!.sum()),
  },
  {
    name: 'max (dim)',
    shapes: one({ minRank: 1 }),
    values: (n, k) => distinct(n, k),
    fn: (a) => [a!.max(0).values, a!.max(-1, true).values],
  },
  {
    name: 'min',
    shapes: one({ minRank: 1 }),
    values: (n, k) => distinct(n, k),
    fn: (a) => [a!.min(), a!.min(0).values],
  },
  { name: 'logsumexp', shapes: one({ minRank: 1 }), fn: (a) => [a!.logsumexp(0), a!.logsumexp(-1, true)] },
  { name: 'softmax', shapes: one({ minRank: 1 }), fn: (a) => [a!.softmax(0), a!.softmax(-1)] },
  { name: 'logSoftmax', shapes: one({ minRank: 1 }), fn: (a) => [a!.logSoftmax(0), a!.logSoftmax(-1)] },
  {
    name: 'matmul 1-D and 2-D',
    shapes: fc
      .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
      .map(([m, k, n]) => [[m, k], [k, n], [k]]),
    fn: (a, b, v) => [a!.matmul(b!), a!.matmul(v!), v!.matmul(b!), v!.matmul(v!), torch.mm(a!, b!)],
  },
  {
    name: 'matmul batched with broadcasting',
    shapes: fc
      .tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
      .map(([b, m, k]) => [[b, 1, m, k], [3, k, 2], [k]]),
    fn: (a, b, v) => [a!.matmul(b!), a!.matmul(v!), v!.matmul(b!)],
  },
  {
    name: 'bmm',
    shapes: fc.constant([
      [2, 2, 3],
      [2, 3, 2],
    ]),
    fn: (a, b) => torch.bmm(a!, b!),
  },
  {
    name: 'transpose and t',
    shapes: one({ minRank: 2 }),
    fn: (a) => [a!.transpose(0, -1).mul(a!.transpose(0, -1)), a!.flatten(1).t()],
  },
  {
    name: 'permute',
    shapes: one({ minRank: 3 }),
    fn: (a) =>
      a!
        .permute(2, 0, 1)
        .mul(torch.arange(size(a!.shape), { dtype: 'float64' }).reshape(a!.shape[2]!, a!.shape[0]!, a!.shape[1]!)),
  },
  {
    name: 'view and reshape',
    shapes: one({ minRank: 1 }),
    fn: (a) => [a!.view(-1), a!.reshape(1, -1), a!.transpose(0, -1).reshape(-1)],
  },
  {
    name: 'expand',
    shapes: one().map(([s]) => [[...s!.slice(0, -1), 1]]),
    fn: (a) => a!.expand(2, ...a!.shape.slice(0, -1), 3).mul(torch.arange(3, { dtype: 'float64' })),
  },
  {
    name: 'squeeze, unsqueeze, flatten',
    shapes: one(),
    fn: (a) => [a!.unsqueeze(0), a!.unsqueeze(-1).squeeze(-1), a!.flatten(), a!.unsqueeze(0).squeeze()],
  },
  {
    name: 'slice',
    shapes: one({ minRank: 1, minSide: 2, maxSide: 5 }),
    fn: (a) => [a!.slice(0, 1), a!.slice(-1, null, -1, 2), a!.slice(0, -2, null, 2)],
  },
  { name: 'select and index', shapes: one({ minRank: 1 }), fn: (a) => [a!.index(-1), a!.select(0, 0).mul(2)] },
  {
    name: 'cat',
    shapes: one({ minRank: 1 }).map(([s]) => [s!, [2, ...s!.slice(1)]]),
    fn: (a, b) => [torch.cat([a!, b!]), torch.cat([a!, a!.mul(2)], -1)],
  },
  { name: 'stack', shapes: same(), fn: (a, b) => [torch.stack([a!, b!]), torch.stack([a!, b!], -1)] },
  {
    name: 'gather',
    shapes: one({ minRank: 1 }),
    extra: (next, [s]) => [
      torch
        .tensor(
          Array.from({ length: size(s!) * 2 }, () => Math.floor(next() * s![0]!)),
          { dtype: 'int32' },
        )
        .reshape([s![0]! * 2, ...s!.slice(1)]),
    ],
    fn: (a, idx) => a!.gather(0, idx!),
  },
  {
    name: 'indexSelect',
    shapes: one({ minRank: 1 }),
    extra: (next, [s]) => [
      torch.tensor([0, s![s!.length - 1]! - 1, 0, Math.floor(next() * s![s!.length - 1]!)], { dtype: 'int32' }),
    ],
    fn: (a, idx) => [a!.indexSelect(-1, idx!), a!.indexSelect(0, torch.tensor([0], { dtype: 'int32' }))],
  },
  {
    name: 'scatterAdd',
    shapes: fc.constant([
      [2, 3],
      [2, 4],
    ]),
    extra: (next) => [
      torch
        .tensor(
          Array.from({ length: 8 }, () => Math.floor(next() * 3)),
          { dtype: 'int32' },
        )
        .reshape(2, 4),
    ],
    fn: (base, src, idx) => base!.scatterAdd(1, idx!, src!),
  },
  {
    name: 'norm',
    shapes: one({ minRank: 1 }),
    values: (n, k) => distinct(n, k, 0.05),
    fn: (a) => [a!.norm(), a!.norm(1), a!.norm(3), a!.norm(2, 0), a!.norm(Infinity)],
  },
  {
    name: 'to(float64 → float64), clone, contiguous',
    shapes: one({ minRank: 2, maxRank: 2 }),
    fn: (a) => [a!.to('float64').mul(2), a!.clone(), a!.t().contiguous()],
  },
  {
    name: 'a composite: linear + logSoftmax + gather (cross entropy)',
    shapes: fc.constant([[3, 4], [4, 5], [5]]),
    extra: () => [torch.tensor([[1], [4], [0]], { dtype: 'int32' })],
    fn: (x, w, b, y) => x!.matmul(w!).add(b!).logSoftmax(1).gather(1, y!).mean().neg(),
  },
];

describe('gradcheck of every differentiable op (cpu, float64)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await fc.assert(
      fc.asyncProperty(c.shapes, fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (shapes, seed) => {
        const next = seeded(seed);
        const inputs = shapes.map((s, i) =>
          f64(s, (c.values ?? ((nx, n) => valuesAway(nx, n, -2, 2)))(next, size(s), i)),
        );
        const extra = c.extra?.(next, shapes) ?? [];
        expect(await torch.autograd.gradcheck((...xs) => c.fn(...xs), [...inputs, ...extra])).toBe(true);
      }),
      { numRuns: c.runs ?? 8 },
    );
  });
});
