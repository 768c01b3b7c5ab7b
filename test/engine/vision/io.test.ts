import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodeJpeg } from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { encodePng } from '#engine/io/png';
import { Image, io } from '#engine/vision';
import { devices } from '../../helpers/devices.ts';
import { chunk, rawPng } from '../../helpers/png-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'vision-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** PIL's convert('L'), written out: ITU-R 601-2 luma in 16-bit fixed point. */
const L = (r: number, g: number, b: number) => Math.floor((19595 * r + 38470 * g + 7471 * b + 32768) / 65536);

// A 2×1 RGBA image: pixel 0 = (200, 100, 50, 128), pixel 1 = (0, 255, 10, 255).
const rgba = Uint8Array.of(200, 100, 50, 128, 0, 255, 10, 255);

describe.each(devices)('io.readImage on %s', (device) => {
  it('reads each PNG kind into a [C, H, W] float32 tensor of the bytes 0…255', async () => {
    const gray = file(
      'gray.png',
      encodePng({ width: 3, height: 2, channels: 1, data: Uint8Array.of(0, 1, 2, 253, 254, 255) }),
    );
    const t = io.readImage(gray, { device });
    expect([t.shape, t.dtype, t.device]).toEqual([[1, 2, 3], 'float32', device]);
    expect(await t.toArray()).toEqual([
      [
        [0, 1, 2],
        [253, 254, 255],
      ],
    ]);
    const color = file('rgba.png', encodePng({ width: 2, height: 1, channels: 4, data: rgba }));
    expect(await io.readImage(color, { device }).toArray()).toEqual([
      [[200, 0]],
      [[100, 255]],
      [[50, 10]],
      [[128, 255]],
    ]);
    // A palette is expanded; 16-bit samples are rounded to 8 bits; gray + alpha keeps its 2 channels.
    const plte = chunk('PLTE', [255, 0, 0, 0, 0, 255]);
    expect(await io.readImage(file('p.png', rawPng(2, 1, 8, 3, [[1, 0]], [plte])), { device }).toArray()).toEqual([
      [[0, 255]],
      [[0, 0]],
      [[255, 0]],
    ]);
    const g16 = rawPng(2, 1, 16, 0, [[0x80, 0x80, 0xff, 0xff]]);
    expect(await io.readImage(file('g16.png', g16), { device }).toArray()).toEqual([[[128, 255]]]);
    expect(await io.readImage(file('ga.png', rawPng(1, 1, 8, 4, [[30, 40]])), { device }).toArray()).toEqual([
      [[30]],
      [[40]],
    ]);
  });

  it('converts with mode, as ImageReadMode does', async () => {
    const color = file('rgba2.png', encodePng({ width: 2, height: 1, channels: 4, data: rgba }));
    const read = (mode: io.ImageReadMode) => io.readImage(color, { mode, device }).toArray();
    expect(await read(io.ImageReadMode.GRAY)).toEqual([[[L(200, 100, 50), L(0, 255, 10)]]]);
    expect(await read('GRAY_ALPHA')).toEqual([[[L(200, 100, 50), L(0, 255, 10)]], [[128, 255]]]);
    expect(await read('RGB')).toEqual([[[200, 0]], [[100, 255]], [[50, 10]]]);
    const gray = file('g1.png', encodePng({ width: 1, height: 1, channels: 1, data: Uint8Array.of(77) }));
    expect(await io.readImage(gray, { mode: 'RGB_ALPHA', device }).toArray()).toEqual([
      [[77]],
      [[77]],
      [[77]],
      [[255]],
    ]);
    // Divided by 255, the values are ToTensor's: what a training pipeline wants.
    expect(await io.readImage(gray, { device }).div(255).toArray()).toEqual([[[Math.fround(77 / 255)]]]);
  });
});

describe('io errors name the file', () => {
  const good = encodePng({ width: 4, height: 4, channels: 1, data: new Uint8Array(16) });

  it('for a file that is not an image, a truncated or corrupt one, and a missing one', () => {
    const text = file('notes.png', 'hello, world');
    expect(() => io.readImage(text)).toThrow(`${text}: not a PNG file (expected signature 89 50 4e 47`);
    const cut = file('cut.png', good.subarray(0, good.length - 20));
    expect(() => io.readImage(cut)).toThrow(`${cut}: corrupt PNG`);
    const bad = Uint8Array.from(good);
    bad[40] ^= 0xff;
    const corrupt = file('corrupt.png', bad);
    expect(() => io.readImage(corrupt)).toThrow(`${corrupt}: corrupt PNG`);
    expect(() => io.readImage(join(dir, 'missing.png'))).toThrow(`cannot read ${join(dir, 'missing.png')}`);
    expect(() => Image.open(cut)).toThrow(`${cut}: corrupt PNG`);
  });

  it('for bad arguments', () => {
    expect(() => io.decodePng(good, { mode: 'L' as never })).toThrow(/mode should be one of UNCHANGED, GRAY/);
    expect(() => io.decodePng('x' as never)).toThrow(/expected the file's bytes as a Uint8Array/);
    expect(() => io.decodePng(new Uint8Array(0))).toThrow(/non empty/);
    expect(() => io.decodeJpeg(good)).toThrow(
      'decodeJpeg: not a JPEG file (expected it to start with ff d8 ff, found 89 50 4e)',
    );
  });
});

describe('JPEG (jpeg-js)', () => {
  // A smooth RGB gradient, saved at quality 100: decoding gives it back within a few levels.
  const width = 16;
  const height = 8;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set([x * 16, y * 32, 128, 255], (y * width + x) * 4);
  const jpg = new Uint8Array(encodeJpeg({ width, height, data }, 100).data);

  it('decodes to [3, H, W] near the original, and reads files by their signature', async () => {
    const t = io.decodeJpeg(jpg);
    expect(t.shape).toEqual([3, height, width]);
    const got = await t.data();
    let worst = 0;
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < width * height; p++)
        worst = Math.max(worst, Math.abs(got[c * width * height + p]! - data[p * 4 + c]!));
    expect(worst).toBeLessThanOrEqual(4);
    const path = file('photo.jpg', jpg);
    expect(await io.readImage(path).toArray()).toEqual(await t.toArray());
    expect(await io.decodeImage(jpg, { mode: 'GRAY' }).shape).toEqual([1, height, width]);
    expect(Image.open(path)).toMatchObject({ width, height, channels: 3 });
    expect(() => io.decodeJpeg(jpg.subarray(0, 100))).toThrow('decodeJpeg: corrupt JPEG');
  });
});

describe("Image.open and Image.convert (PIL's)", () => {
  it('reads into an image object for transforms and converts with L = 0.299 R + 0.587 G + 0.114 B', () => {
    const path = file('open.png', encodePng({ width: 2, height: 1, channels: 4, data: rgba }));
    const img = Image.open(path);
    expect(img).toEqual({ width: 2, height: 1, channels: 4, data: rgba });
    expect(Image.modeOf(img)).toBe('RGBA');
    expect(Array.from(Image.convert(img, 'L').data)).toEqual([L(200, 100, 50), L(0, 255, 10)]);
    expect(Array.from(Image.convert(img, 'RGB').data)).toEqual([200, 100, 50, 0, 255, 10]);
    const gray = Image.convert(img, 'L');
    const [a, b] = [L(200, 100, 50), L(0, 255, 10)];
    expect(Array.from(Image.convert(gray, 'RGBA').data)).toEqual([a, a, a, 255, b, b, b, 255]);
    expect(() => Image.convert(img, 'P' as never)).toThrow("mode should be 'L', 'RGB' or 'RGBA'");
  });
});

it('tensors read from images train the same on every device', async () => {
  // One SGD step of a linear model on an image batch: the same parameters on CPU and WebGPU.
  const path = file(
    'train.png',
    encodePng({ width: 4, height: 2, channels: 1, data: Uint8Array.of(0, 30, 60, 90, 120, 150, 180, 255) }),
  );
  const results: number[][] = [];
  for (const device of devices) {
    torch.manualSeed(0);
    const model = new torch.nn.Linear(8, 2).to(device);
    const x = io.readImage(path, { device }).div(255).reshape(1, 8);
    const loss = new torch.nn.CrossEntropyLoss().call(model.call(x), torch.tensor([1], { dtype: 'int32', device }));
    loss.backward();
    new torch.optim.SGD(model.parameters(), { lr: 0.5 }).step();
    results.push(Array.from(await model.weight.data()));
  }
  for (const r of results.slice(1)) r.forEach((v, i) => expect(v).toBeCloseTo(results[0]![i]!, 5));
});
