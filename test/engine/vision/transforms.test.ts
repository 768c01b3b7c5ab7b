import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { transforms } from '#engine/vision';

const { Compose, ToTensor, Normalize, Resize, RandomCrop, RandomHorizontalFlip, Lambda } = transforms;

async function close(t: torch.Tensor, expected: unknown, tol = 1e-5) {
  const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
  const got = flat(await t.toArray());
  const want = flat(expected);
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(tol));
}

const rgb = { width: 2, height: 1, channels: 3 as const, data: Uint8Array.of(0, 51, 255, 102, 153, 204) };

describe('ToTensor and Normalize', () => {
  it('turns HWC bytes into a CHW float32 tensor in [0, 1]', async () => {
    const t = new ToTensor().call(rgb);
    expect([t.dtype, t.shape]).toEqual(['float32', [3, 1, 2]]);
    expect(await t.toArray()).toEqual(
      [[[0, Math.fround(102 / 255)]], [[0.2, 0.6]], [[1, 0.8]]].map((c) => c.map((r) => r.map(Math.fround))),
    );
    // ImageData has no `channels`: it is implied by the byte count.
    expect(new ToTensor().call({ width: 1, height: 1, data: new Uint8ClampedArray([1, 2, 3, 4]) }).shape).toEqual([
      4, 1, 1,
    ]);
    expect(() => new ToTensor().call(Uint8Array.of(1) as never)).toThrow(/pic should be an image/);
  });

  it('normalises each channel with its own mean and std', async () => {
    const x = new ToTensor().call(rgb);
    await close(new Normalize([0.5, 0.25, 0], [0.5, 0.25, 2]).call(x), [
      [[-1, 102 / 255 / 0.5 - 1]],
      [[-0.2, 1.4]],
      [[0.5, 0.4]],
    ]);
    // A batch [N, C, H, W] broadcasts the same way.
    expect(new Normalize([0.1307], [0.3081]).call(torch.zeros(4, 1, 2, 2)).shape).toEqual([4, 1, 2, 2]);
    expect(() => new Normalize([0, 0], [1, 1]).call(x)).toThrow(
      'Normalize: mean has 2 values but the image has 3 channels',
    );
    expect(() => new Normalize(0, 0)).toThrow(/std\[0\] evaluated to zero/);
  });
});

describe('Resize (bilinear, half-pixel centres, no antialiasing)', () => {
  it('matches hand-computed values when downsampling 4×4 to 3×3', async () => {
    // Bilinear interpolation is exact on a linear ramp, so out = 4·src_y + src_x with
    // src = (d + 0.5)·4/3 − 0.5 = 1/6, 3/2, 17/6.
    const x = torch.arange(0, 16).float().reshape(1, 4, 4);
    const s = [1 / 6, 1.5, 17 / 6];
    await close(new Resize([3, 3]).call(x), [s.map((y) => s.map((xx) => 4 * y + xx))]);
  });

  it('clamps at the borders when upsampling, as torch.nn.functional.interpolate does', async () => {
    // [0, 10] to 4 samples at src −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last pixel).
    await close(new Resize([1, 4]).call(torch.tensor([[[0, 10]]], { dtype: 'float32' })), [[[0, 2.5, 7.5, 10]]]);
    await close(new Resize([3, 1]).call(torch.tensor([[[2], [4]]], { dtype: 'float32' })), [[[2], [3], [4]]]);
  });

  it('sets the smaller edge for an int size and resizes images (rounded bytes)', () => {
    expect(new Resize(4).call(torch.zeros(3, 8, 16)).shape).toEqual([3, 4, 8]);
    expect(new Resize(4).call(torch.zeros(2, 10, 6)).shape).toEqual([2, 6, 4]);
    const img = new Resize([1, 4]).call({ width: 2, height: 1, channels: 1, data: Uint8Array.of(0, 10) });
    expect([img.width, img.height, [...img.data]]).toEqual([4, 1, [0, 2, 8, 10]]); // 2.5 → 2 and 7.5 → 8: half to even
  });
});

describe('random transforms', () => {
  const img = torch
    .arange(0, 2 * 5 * 6)
    .float()
    .reshape(2, 5, 6);

  it('RandomCrop picks the offsets torchvision would from the given generator', async () => {
    const crop = new RandomCrop([3, 4], { generator: new torch.Generator(5) });
    const twin = new torch.Generator(5);
    for (let k = 0; k < 5; k++) {
      const i = twin.integer(0, 3);
      const j = twin.integer(0, 3);
      expect(await crop.call(img).toArray()).toEqual(
        await img
          .slice(1, i, i + 3)
          .slice(2, j, j + 4)
          .toArray(),
      );
    }
  });

  it('RandomCrop pads with fill first, and is deterministic under manualSeed', async () => {
    const padded = new RandomCrop(7, { padding: [1, 0, 0, 2], fill: -1 });
    const run = async () => {
      torch.manualSeed(11);
      return Promise.all([0, 1, 2].map(() => padded.call(img).toArray()));
    };
    const first = await run();
    expect(await run()).toEqual(first);
    const whole = new RandomCrop([7, 7], { padding: [1, 0, 0, 2], fill: -1 }).call(torch.zeros(1, 5, 6));
    expect((await whole.toArray()) as number[][][]).toEqual([
      [...Array(5).fill([-1, 0, 0, 0, 0, 0, 0]), Array(7).fill(-1), Array(7).fill(-1)],
    ]);
    expect(() => new RandomCrop(9).call(img)).toThrow(
      'Required crop size [9, 9] is larger than input image size [5, 6]',
    );
  });

  it('RandomHorizontalFlip flips with probability p, one draw per call', async () => {
    expect(await new RandomHorizontalFlip(1).call(torch.tensor([[[1, 2, 3]]])).toArray()).toEqual([[[3, 2, 1]]]);
    expect(await new RandomHorizontalFlip(0).call(torch.tensor([[[1, 2, 3]]])).toArray()).toEqual([[[1, 2, 3]]]);
    const flips = (seed: number) => {
      const g = new torch.Generator(seed);
      const twin = new torch.Generator(seed);
      const flip = new RandomHorizontalFlip(0.5, { generator: g });
      return Array.from({ length: 20 }, () => {
        const out = flip.call({ width: 2, height: 1, channels: 1, data: Uint8Array.of(1, 2) });
        expect(out.data[0] === 2).toBe(twin.uniform24() < 0.5);
        return out.data[0];
      });
    };
    expect(flips(3)).toEqual(flips(3));
    expect(new Set(flips(3)).size).toBe(2);
  });

  it('Compose chains transforms and functions; Lambda wraps a function', async () => {
    const t = new Compose([new ToTensor(), new Lambda((x: torch.Tensor) => x.mul(2)), (x: torch.Tensor) => x.sum()]);
    expect(await t.call({ width: 1, height: 1, channels: 1, data: Uint8Array.of(255) }).item()).toBe(2);
  });
});

describe('constructor arguments a learner gets wrong, named (the guide writes Normalize() and RandomCrop() bare)', () => {
  it('a missing or mistyped mean/std, size or list of transforms', () => {
    const bare = Normalize as unknown as new () => unknown;
    expect(() => new bare()).toThrow(/Normalize needs 'mean' and 'std'.*new Normalize\(\[0\.1307\], \[0\.3081\]\)/);
    expect(() => new Normalize([0.5], 'x' as never)).toThrow(
      /std should be a number or a sequence of numbers, got "x"/,
    );
    expect(() => new Normalize([0.5, 'a' as never], [1, 1])).toThrow(/mean should be a sequence of numbers/);
    expect(() => new (RandomCrop as unknown as new () => unknown)()).toThrow(/RandomCrop: size is required/);
    expect(() => new (Compose as unknown as new () => unknown)()).toThrow(/Compose takes a list of transforms/);
    expect(() => new Compose([ToTensor as never])).toThrow(/transforms\[0\] is the class ToTensor.*new ToTensor/);
    expect(() => new Compose([new ToTensor(), 3 as never])).toThrow(/transforms\[1\] is number, not a transform/);
  });
});
