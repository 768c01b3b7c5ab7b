/**
 * conv2d and max_pool2d on every device (they run on each backend's im2col/col2im kernels): the
 * forward and the gradients of input, weight and bias against the CPU in float64, and against
 * central differences on the device itself, for stride, padding, dilation, groups, odd sizes and
 * batch 1. (layers.test.ts checks the CPU against the definition.)
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import type { Device, Tensor } from '#engine';
import { devices, widestFloat } from '../../helpers/devices.ts';
import { expectCloseValues, values } from '../../helpers/assert.ts';

const F = torch.nn.functional;

/** Deterministic values in [−1, 1) that float32 holds exactly. */
function seeded(n: number, seed: number): number[] {
  const g = new torch.Generator(seed);
  return Array.from({ length: n }, () => Math.fround(g.uniform53() * 2 - 1));
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

type Op = (x: Tensor, w: Tensor | null, b: Tensor | null) => Tensor;

interface Case {
  name: string;
  x: number[];
  /** Weight shape; null for pooling. */
  w: number[] | null;
  bias: boolean;
  op: Op;
  /** Distinct inputs a step apart, so that small perturbations never change which element is a window's maximum. */
  distinct?: boolean;
}

const CASES: Case[] = [
  {
    name: 'conv2d batch 1, odd sizes, stride (2, 1), padding (1, 0), dilation (1, 2), bias',
    x: [1, 3, 7, 5],
    w: [4, 3, 3, 2],
    bias: true,
    op: (x, w, b) => F.conv2d(x, w!, { bias: b, stride: [2, 1], padding: [1, 0], dilation: [1, 2] }),
  },
  {
    name: 'conv2d groups 2, padding 1',
    x: [2, 4, 6, 7],
    w: [6, 2, 3, 3],
    bias: false,
    op: (x, w) => F.conv2d(x, w!, { padding: 1, groups: 2 }),
  },
  {
    name: "conv2d padding 'same' with dilation 2",
    x: [1, 2, 5, 6],
    w: [3, 2, 3, 2],
    bias: true,
    op: (x, w, b) => F.conv2d(x, w!, { bias: b, padding: 'same', dilation: 2 }),
  },
  {
    name: 'conv2d 1×1 kernel, stride 3',
    x: [2, 1, 5, 4],
    w: [2, 1, 1, 1],
    bias: false,
    op: (x, w) => F.conv2d(x, w!, { stride: 3 }),
  },
  {
    name: 'max_pool2d 3×3, stride 2, padding 1, odd sizes, batch 1',
    x: [1, 3, 7, 5],
    w: null,
    bias: false,
    op: (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }),
    distinct: true,
  },
  {
    name: 'max_pool2d (2, 3) ceil mode, dilation (2, 1)',
    x: [2, 2, 7, 8],
    w: null,
    bias: false,
    op: (x) => F.maxPool2d(x, [2, 3], { stride: 2, dilation: [2, 1], ceilMode: true }),
    distinct: true,
  },
];

/** The case's inputs and the output's upstream gradient as host values. */
function inputs(c: Case, seed: number) {
  const xn = size(c.x);
  // A shuffled ramp: every value distinct and 1/64 from its neighbours.
  const x = c.distinct
    ? seeded(xn, seed)
        .map((r, i) => [r, i] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, i]) => i)
        .map((rank) => rank / 64 - xn / 128)
    : seeded(xn, seed);
  return {
    x,
    w: c.w ? seeded(size(c.w), seed + 1) : null,
    b: c.bias ? seeded(c.w![0]!, seed + 2) : null,
  };
}

function run(c: Case, data: ReturnType<typeof inputs>, device: Device, dtype: 'float32' | 'float64', grad = true) {
  const make = (v: number[] | null, shape: number[] | null) =>
    v && shape ? torch.tensor(v, { shape, device, dtype, requiresGrad: grad }) : null;
  const x = make(data.x, c.x)!;
  const w = make(data.w, c.w);
  const b = make(data.b, c.w ? [c.w[0]!] : null);
  return { x, w, b, y: c.op(x, w, b) };
}

describe.each(devices)('conv2d and max_pool2d on %s', (device) => {
  const dtype = widestFloat(device);
  // float32 sums of up to 18 products against float64 ones.
  const tol = dtype === 'float32' ? { atol: 1e-5, rtol: 1e-4 } : { atol: 1e-12, rtol: 1e-12 };

  it.each(CASES.map((c, k) => [c.name, c, k] as const))('%s: forward and gradients match the CPU', async (_, c, k) => {
    const data = inputs(c, 100 + 10 * k);
    const ref = run(c, data, 'cpu', 'float64');
    const got = run(c, data, device, dtype);
    expect(got.y.shape).toEqual(ref.y.shape);
    expectCloseValues(await values(got.y), await values(ref.y), tol);
    const g = seeded(size(ref.y.shape), 7 + k);
    ref.y.backward(torch.tensor(g, { shape: ref.y.shape, dtype: 'float64' }));
    got.y.backward(torch.tensor(g, { shape: got.y.shape, device, dtype }));
    for (const name of ['x', 'w', 'b'] as const) {
      if (!ref[name]) continue;
      expectCloseValues(await values(got[name]!.grad!), await values(ref[name].grad!), tol);
    }
  });

  it.each(CASES.map((c, k) => [c.name, c, k] as const))(
    '%s: gradients agree with central differences on the device',
    async (_, c, k) => {
      // f(t) = Σ g·op(x + t·dx, w + t·dw, b + t·db): its slope at 0 is Σ grad·d over the inputs.
      // conv2d is bilinear and max_pool2d linear near distinct inputs, so f is quadratic in t and
      // the central difference is exact but for rounding.
      const data = inputs(c, 200 + 10 * k);
      const dirs = inputs({ ...c, distinct: false }, 300 + 10 * k);
      const { x, w, b, y } = run(c, data, device, dtype);
      const g = seeded(size(y.shape), 9 + k);
      const gt = torch.tensor(g, { shape: y.shape, device, dtype });
      y.backward(gt);
      let slope = 0;
      for (const [t, d] of [
        [x, dirs.x],
        [w, dirs.w],
        [b, dirs.b],
      ] as const) {
        if (t && d) (await values(t.grad!)).forEach((v, i) => (slope += v * d[i]!));
      }
      const h = c.distinct ? 2 ** -9 : 0.5;
      const at = async (s: number) => {
        const shift = (v: number[] | null, d: number[] | null) => v && d && v.map((e, i) => e + s * d[i]!);
        const moved = { x: shift(data.x, dirs.x)!, w: shift(data.w, dirs.w), b: shift(data.b, dirs.b) };
        return (await values(run(c, moved, device, dtype, false).y.mul(gt).sum()))[0]!;
      };
      const numeric = ((await at(h)) - (await at(-h))) / (2 * h);
      expect(Math.abs(numeric - slope)).toBeLessThanOrEqual(
        (dtype === 'float32' ? 2e-3 : 1e-9) * (1 + Math.abs(slope)),
      );
    },
  );
});
