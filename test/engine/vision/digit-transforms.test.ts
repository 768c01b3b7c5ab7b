import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { transforms, type Image } from '#engine/vision';
import { devices } from '../../helpers/devices.ts';

const { RandomRotation, RandomAffine, CenterCrop, Pad, Grayscale, ColorJitter, RandomErasing } = transforms;

/** A [1, h, w] tensor whose pixel (i, j) holds i·w + j + 1 (0 is left for fill). */
const ramp = (h: number, w: number, device: torch.Device) =>
  torch
    .arange(1, h * w + 1)
    .float()
    .reshape(1, h, w)
    .to(device);
const rampImage = (h: number, w: number): Image => ({
  width: w,
  height: h,
  channels: 1,
  data: Uint8Array.from({ length: h * w }, (_, k) => k + 1),
});
const grid = async (t: torch.Tensor) => (await t.toArray()) as number[][][];
const rows = (img: Image) =>
  Array.from({ length: img.height }, (_, y) => Array.from(img.data.subarray(y * img.width, (y + 1) * img.width)));

/**
 * torchvision's tensor warp, written out in float64 from F.rotate / F.affine and grid_sample
 * (align_corners=False, nearest): source = M·(j − (W−1)/2, i − (H−1)/2) + ((W−1)/2, (H−1)/2), with
 * M the inverse of rotation·scale, and translation subtracted. Pixels whose source lands within
 * 1e-3 of a rounding tie are left out (float32 decides those).
 */
function referenceWarp(src: number[][], angleDeg: number, scale: number, t: [number, number]): (number | null)[][] {
  const h = src.length;
  const w = src[0]!.length;
  const a = (angleDeg * Math.PI) / 180;
  return src.map((_, i) =>
    src[0]!.map((__, j) => {
      const x = j - (w - 1) / 2 - t[0];
      const y = i - (h - 1) / 2 - t[1];
      const sx = (Math.cos(a) * x + Math.sin(a) * y) / scale + (w - 1) / 2;
      const sy = (-Math.sin(a) * x + Math.cos(a) * y) / scale + (h - 1) / 2;
      if ([sx, sy].some((v) => Math.abs(Math.abs(v % 1) - 0.5) < 1e-3)) return null;
      const [ri, rj] = [Math.round(sy), Math.round(sx)];
      return ri >= 0 && ri < h && rj >= 0 && rj < w ? src[ri]![rj]! : 0;
    }),
  );
}

describe.each(devices)('geometric transforms on %s', (device) => {
  it('RandomRotation by 90° and 180° is a permutation (tensor as torchvision, image as PIL)', async () => {
    const x = ramp(4, 4, device);
    const src = (await grid(x))[0]!;
    const rot90 = await grid(new RandomRotation([90, 90]).call(x));
    expect(rot90[0]).toEqual(src.map((_, i) => src.map((__, j) => src[j]![3 - i]!)));
    const rot180 = await grid(new RandomRotation([180, 180]).call(x));
    expect(rot180[0]).toEqual(src.map((_, i) => src.map((__, j) => src[3 - i]![3 - j]!)));
    expect(rows(new RandomRotation([90, 90]).call(rampImage(4, 4)))).toEqual(rot90[0]);
    expect(rows(new RandomRotation([180, 180]).call(rampImage(4, 4)))).toEqual(rot180[0]);
  });

  it('RandomAffine matches the written-out formula for any angle and scale, and shifts by whole pixels', async () => {
    const src = (await grid(ramp(7, 6, 'cpu')))[0]!;
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: 0.6, max: 1.6, noNaN: true }),
        async (angle, scale) => {
          // The draw is rounded to float32, as torch's uniform_ rounds it: the reference takes the drawn values.
          const t = new RandomAffine([angle, angle], { scale: [scale, scale] });
          const p = t.getParams(6, 7);
          const out = await grid(t.call(ramp(7, 6, device)));
          referenceWarp(src, p.angle, p.scale, [0, 0]).forEach((r, i) =>
            r.forEach((v, j) => v === null || expect(out[0]![i]![j]).toBe(v)),
          );
        },
      ),
      { numRuns: 15 },
    );
    // A pure shift: pixel (i, j) comes from (i − ty, j − tx); the rest is the fill.
    const shift = (seed: number) =>
      new RandomAffine(0, { translate: [0.5, 0.5], fill: 99, generator: new torch.Generator(seed) });
    for (const seed of [1, 2, 3]) {
      const { translate } = shift(seed).getParams(6, 7);
      expect(translate.every(Number.isInteger)).toBe(true);
      const moved = await grid(shift(seed).call(ramp(7, 6, device)));
      moved[0]!.forEach((r, i) =>
        r.forEach((v, j) => {
          const [si, sj] = [i - translate[1], j - translate[0]];
          expect(v).toBe(si >= 0 && si < 7 && sj >= 0 && sj < 6 ? src[si]![sj]! : 99);
        }),
      );
    }
  });

  it('CenterCrop rounds the offset half to even and pads a small image', async () => {
    const x = ramp(3, 3, device);
    // round((3 − 2) / 2) = round(0.5) = 0: the top-left 2×2, as Python rounds.
    expect(await grid(new CenterCrop(2).call(x))).toEqual([
      [
        [1, 2],
        [4, 5],
      ],
    ]);
    expect(rows(new CenterCrop([2, 2]).call(rampImage(3, 3)))).toEqual([
      [1, 2],
      [4, 5],
    ]);
    // 2×2 into 5×4: (5 − 2) // 2 = 1 row above, 2 below; 1 column each side.
    const padded = await grid(new CenterCrop([5, 4]).call(ramp(2, 2, device)));
    expect(padded[0]).toEqual([
      [0, 0, 0, 0],
      [0, 1, 2, 0],
      [0, 3, 4, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('Pad in each mode, on tensors and images', async () => {
    const x = torch.tensor([[[1, 2, 3]]], { dtype: 'float32', device });
    const row = async (mode: 'constant' | 'edge' | 'reflect' | 'symmetric') =>
      (await grid(new Pad([2, 0], { paddingMode: mode, fill: 9 }).call(x)))[0]![0];
    expect(await row('constant')).toEqual([9, 9, 1, 2, 3, 9, 9]);
    expect(await row('edge')).toEqual([1, 1, 1, 2, 3, 3, 3]);
    expect(await row('reflect')).toEqual([3, 2, 1, 2, 3, 2, 1]);
    expect(await row('symmetric')).toEqual([2, 1, 1, 2, 3, 3, 2]);
    const img = new Pad([1, 1, 0, 0], { paddingMode: 'reflect' }).call(rampImage(2, 2));
    expect(rows(img)).toEqual([
      [4, 3, 4],
      [2, 1, 2],
      [4, 3, 4],
    ]);
    expect(() => new Pad([1, 2, 3])).toThrow(
      'Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element tuple',
    );
    expect(() => new Pad(1, { paddingMode: 'wrap' as never })).toThrow(
      'Padding mode should be either constant, edge, reflect or symmetric',
    );
    expect(() => new Pad(3, { paddingMode: 'reflect' }).call(x)).toThrow(/too large for reflect mode/);
  });
});

describe.each(devices)('colour transforms on %s', (device) => {
  const rgb = (device: torch.Device) =>
    torch.tensor([[[0.2, 0.9]], [[0.5, 0.1]], [[0.8, 0.3]]], { dtype: 'float32', device });

  it('Grayscale: 0.2989 R + 0.587 G + 0.114 B on tensors, PIL luma on images', async () => {
    const g = await grid(new Grayscale().call(rgb(device)));
    const want = [0.2989 * 0.2 + 0.587 * 0.5 + 0.114 * 0.8, 0.2989 * 0.9 + 0.587 * 0.1 + 0.114 * 0.3];
    g[0]![0]!.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    expect((await grid(new Grayscale(3).call(rgb(device)))).length).toBe(3);
    const img = new Grayscale().call({ width: 1, height: 1, channels: 3, data: Uint8Array.of(200, 100, 50) });
    expect(Array.from(img.data)).toEqual([Math.floor((19595 * 200 + 38470 * 100 + 7471 * 50 + 32768) / 65536)]);
    expect(() => new Grayscale(2 as 1)).toThrow('num_output_channels should be either 1 or 3');
    expect(() => new Grayscale().call(torch.zeros([4, 2, 2], { device }))).toThrow(
      /permitted channel values are \[1, 3\], but found 4/,
    );
  });

  it('ColorJitter: brightness and contrast blend as torchvision does, in a seeded random order', async () => {
    const x = rgb(device);
    const bright = await grid(new ColorJitter({ brightness: [1.5, 1.5] }).call(x));
    const src = await grid(x);
    bright.forEach((c, k) => c[0]!.forEach((v, j) => expect(v).toBeCloseTo(Math.min(1, 1.5 * src[k]![0]![j]!), 6)));
    const gray = [0.2, 0.9].map((_, j) => 0.2989 * src[0]![0]![j]! + 0.587 * src[1]![0]![j]! + 0.114 * src[2]![0]![j]!);
    const mean = (gray[0]! + gray[1]!) / 2;
    const contrast = await grid(new ColorJitter({ contrast: [0.5, 0.5] }).call(x));
    contrast.forEach((c, k) => c[0]!.forEach((v, j) => expect(v).toBeCloseTo(0.5 * src[k]![0]![j]! + 0.5 * mean, 6)));
    // Images: PIL's blend in float32, truncated to bytes.
    const img = new ColorJitter({ brightness: [0.5, 0.5] }).call({
      width: 2,
      height: 1,
      channels: 1,
      data: Uint8Array.of(101, 255),
    });
    expect(Array.from(img.data)).toEqual([50, 127]);
    // Random factors and order: reproducible under a seed, different across seeds.
    const jitter = new ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4 });
    const at = async (seed: number) => {
      torch.manualSeed(seed);
      return grid(jitter.call(x));
    };
    expect(await at(3)).toEqual(await at(3));
    expect(await at(4)).not.toEqual(await at(3));
    expect(() => new ColorJitter({ brightness: -1 })).toThrow(
      'If brightness is a single number, it must be non negative.',
    );
    expect(() => new ColorJitter({ hue: [0, 0.7] })).toThrow(
      'hue values should be between (-0.5, 0.5), but got [0, 0.7].',
    );
    expect(() => new ColorJitter({ contrast: [1, 2, 3] as never })).toThrow(
      'contrast should be a single number or a list/tuple with length 2.',
    );
  });

  it('RandomErasing erases one rectangle of the drawn size, with the given value', async () => {
    const x = torch.ones([2, 10, 10], { device });
    // scale 0.16 and ratio 1: h = w = round(√(100 · 0.16)) = 4.
    const erase = new RandomErasing({ p: 1, scale: [0.16, 0.16], ratio: [1, 1], value: [3, 5] });
    torch.manualSeed(0);
    const out = await grid(erase.call(x));
    out.forEach((c, k) => {
      const hits = c.flatMap((r, i) => r.flatMap((v, j) => (v === 1 ? [] : [[i, j, v]])));
      expect(hits.length).toBe(16);
      expect(new Set(hits.map(([, , v]) => v))).toEqual(new Set([[3, 5][k]]));
      const [is, js] = [hits.map(([i]) => i!), hits.map(([, j]) => j!)];
      expect([Math.max(...is) - Math.min(...is), Math.max(...js) - Math.min(...js)]).toEqual([3, 3]);
    });
    expect(await grid(new RandomErasing({ p: 0 }).call(x))).toEqual(await grid(x));
    expect(() => new RandomErasing({ p: 2 })).toThrow('Random erasing probability should be between 0 and 1');
    expect(() => new RandomErasing({ scale: [0.5, 2] })).toThrow('Scale should be between 0 and 1');
    expect(() => new RandomErasing({ value: 'noise' as never })).toThrow("If value is str, it should be 'random'");
    expect(() => new RandomErasing({ value: [1, 2, 3] }).call(x)).toThrow(
      /single value or 2 \(number of input channels\)/,
    );
    expect(() => new RandomErasing().call({ width: 1, height: 1, data: new Uint8Array(1) } as never)).toThrow(
      /should be a Tensor/,
    );
  });
});

describe('argument errors as torchvision words them', () => {
  it('for rotations and affine warps', () => {
    expect(() => new RandomRotation(-5)).toThrow('If degrees is a single number, it must be positive.');
    expect(() => new RandomRotation([1, 2, 3])).toThrow('degrees should be a sequence of length 2.');
    expect(() => new RandomAffine(10, { translate: [0.5, 1.5] })).toThrow(
      'translation values should be between 0 and 1',
    );
    expect(() => new RandomAffine(10, { scale: [0, 1] })).toThrow('scale values should be positive');
    expect(() => new RandomAffine(10, { shear: [1, 2, 3] })).toThrow('shear should be a sequence of length 2 or 4.');
    expect(() => new RandomAffine(10, { interpolation: 'bicubic' as never })).toThrow(/interpolation should be/);
    expect(() => new CenterCrop([1, 2, 3])).toThrow('Please provide only two dimensions (h, w) for size.');
  });

  it('draws in torchvision order from the given generator, reproducibly', () => {
    const params = (seed: number) =>
      new RandomAffine([-10, 10], {
        translate: [0.1, 0.1],
        scale: [0.9, 1.1],
        shear: [-5, 5, -3, 3],
        generator: new torch.Generator(seed),
      }).getParams(28, 28);
    const p = params(7);
    expect(params(7)).toEqual(p);
    expect(p.translate.every((t) => Number.isInteger(t) && Math.abs(t) <= 2.8)).toBe(true);
    expect(p.scale).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(p.shear[1])).toBeLessThanOrEqual(3);
  });
});
