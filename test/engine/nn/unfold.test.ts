/**
 * unfold/fold (im2col and its adjoint, behind conv2d and max_pool2d): the backend kernels and the
 * gather/scatter fallback a backend without them runs, against the definition, on every device.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import type { Device } from '#engine';
import { backendFor } from '../../../engine/backend/registry.ts';
import type { Backend } from '../../../engine/backend/types.ts';
import { unfold, type WindowGeometry } from '../../../engine/nn/functional/unfold.ts';
import { devices } from '../../helpers/devices.ts';
import { values } from '../../helpers/assert.ts';

/** Odd geometries: stride, dilation, padding on one side only, windows reaching past the bottom/right. */
const CASES: { shape: [number, number, number, number]; w: WindowGeometry }[] = [
  { shape: [2, 3, 5, 4], w: { kernel: [3, 3], stride: [1, 1], dilation: [1, 1], padding: [1, 1], out: [5, 4] } },
  { shape: [1, 2, 7, 6], w: { kernel: [2, 3], stride: [2, 1], dilation: [1, 2], padding: [0, 1], out: [4, 3] } },
  { shape: [3, 1, 4, 5], w: { kernel: [1, 2], stride: [3, 2], dilation: [1, 1], padding: [2, 0], out: [3, 3] } },
];

function seeded(n: number, seed: number): Float32Array {
  const g = new torch.Generator(seed);
  return Float32Array.from({ length: n }, () => Math.fround(g.uniform53() * 2 - 1));
}

/** out[n][c][i][j][y][x] by the definition; −1 where the window position is outside the input. */
function positions([N, C, H, W]: readonly number[], w: WindowGeometry): number[] {
  const out: number[] = [];
  for (let n = 0; n < N!; n++)
    for (let c = 0; c < C!; c++)
      for (let i = 0; i < w.kernel[0]; i++)
        for (let j = 0; j < w.kernel[1]; j++)
          for (let y = 0; y < w.out[0]; y++)
            for (let x = 0; x < w.out[1]; x++) {
              const r = y * w.stride[0] + i * w.dilation[0] - w.padding[0];
              const q = x * w.stride[1] + j * w.dilation[1] - w.padding[1];
              out.push(r < 0 || r >= H! || q < 0 || q >= W! ? -1 : ((n * C! + c) * H! + r) * W! + q);
            }
  return out;
}

/** Runs f with the device's im2col/col2im kernels hidden, so the op layer's fallback runs instead. */
function withoutKernels<T>(device: Device, f: () => T): T {
  const backend = backendFor(device) as { -readonly [K in keyof Backend]: Backend[K] };
  const saved = [backend.im2col, backend.col2im] as const;
  backend.im2col = undefined;
  backend.col2im = undefined;
  try {
    return f();
  } finally {
    [backend.im2col, backend.col2im] = saved;
  }
}

describe.each(devices)('unfold and fold (%s)', (device) => {
  for (const path of ['kernels', 'fallback'] as const) {
    const run = <T>(f: () => T): T => (path === 'kernels' ? f() : withoutKernels(device, f));

    it(`unfold reads each window by the definition, the pad value outside (${path})`, async () => {
      for (const [k, { shape, w }] of CASES.entries()) {
        const xs = seeded(
          shape.reduce((a, b) => a * b),
          k,
        );
        // A transposed input (the kernel reads strides, not a contiguous layout: the CPU's
        // JavaScript loops) and a contiguous one (the CPU's WebAssembly loops).
        const [n, c, h, wd] = shape;
        const transposed = torch.tensor(xs, { shape: [n, c, wd, h], device }).transpose(2, 3);
        const plain = Array.from({ length: xs.length }, (_, p) => {
          const [row, col] = [Math.floor(p / wd) % h, p % wd];
          return xs[(Math.floor(p / (h * wd)) * wd + col) * h + row]!;
        });
        for (const x of [transposed, torch.tensor(plain, { shape, device })]) {
          for (const pad of [0, -Infinity]) {
            const got = await values(run(() => unfold(x, w, pad)));
            expect(got).toEqual(positions(shape, w).map((p) => (p < 0 ? pad : plain[p]!)));
          }
        }
      }
    });

    it(`fold is unfold's adjoint: the gradient sums each input element's windows (${path})`, async () => {
      for (const [k, { shape, w }] of CASES.entries()) {
        const x = torch.zeros(shape, { device, requiresGrad: true });
        const cols = seeded(shape[0] * shape[1] * w.kernel[0] * w.kernel[1] * w.out[0] * w.out[1], 10 + k);
        const g = torch.tensor(cols, { shape: [cols.length], device });
        run(() => unfold(x, w, 0).reshape([-1]).mul(g).sum().backward());
        const want = new Array<number>(shape.reduce((a, b) => a * b)).fill(0);
        positions(shape, w).forEach((p, i) => {
          if (p >= 0) want[p] = Math.fround(want[p]! + cols[i]!);
        });
        expect(await values(x.grad!)).toEqual(want);
      }
    });
  }

  it('conv2d has second derivatives (fold’s backward is unfold)', async () => {
    const dtype = device === 'webgpu' ? 'float32' : 'float64';
    const x = torch.tensor(seeded(2 * 2 * 4 * 4, 20), { shape: [2, 2, 4, 4], dtype, device, requiresGrad: true });
    const w = torch.tensor(seeded(3 * 2 * 2 * 2, 21), { shape: [3, 2, 2, 2], dtype, device, requiresGrad: true });
    const y = torch.nn.functional.conv2d(x, w, { padding: 1, stride: 2 });
    const [gx] = torch.autograd.grad(y.pow(2).sum(), [x], { createGraph: true });
    // d/dw Σ gx² with gx = convᵀ(2y, w): checked against central differences in w. Σ gx² is a
    // quartic in each weight, which the five-point stencil differentiates exactly (the two-point one
    // leaves an h² error above float32's tolerance), so only rounding remains.
    const [gw] = torch.autograd.grad(gx!.pow(2).sum(), [w]);
    const f = async (wv: torch.Tensor) => {
      const xv = x.detach().requiresGrad_();
      const [g] = torch.autograd.grad(torch.nn.functional.conv2d(xv, wv, { padding: 1, stride: 2 }).pow(2).sum(), [xv]);
      return (await values(g!.pow(2).sum()))[0]!;
    };
    const base = await values(w);
    const h = dtype === 'float64' ? 1e-3 : 0.1;
    const numeric: number[] = [];
    for (let i = 0; i < base.length; i++) {
      const at = (d: number) =>
        torch.tensor(
          base.map((v, j) => (j === i ? v + d : v)),
          { shape: w.shape, dtype, device },
        );
      const [p2, p1, m1, m2] = [await f(at(2 * h)), await f(at(h)), await f(at(-h)), await f(at(-2 * h))];
      numeric.push((8 * (p1 - m1) - (p2 - m2)) / (12 * h));
    }
    const got = await values(gw!);
    got.forEach((v, i) => expect(Math.abs(v - numeric[i]!)).toBeLessThanOrEqual(1e-3 * (1 + Math.abs(numeric[i]!))));
  });
});
