import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePng, encodePng, readPng, type Image } from '#engine/io/png';
import { chunk, rawPng } from '../../helpers/png-files.ts';

const be16 = (...vs: number[]): number[] => vs.flatMap((v) => [v >> 8, v & 0xff]);
const to8 = (v: number): number => Math.floor((v * 255) / 65535 + 0.5);

describe('PNG round trip', () => {
  it.each([1, 3, 4] as const)('keeps %i-channel images exactly', (channels) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), (width, height) => {
        const data = Uint8Array.from(
          { length: width * height * channels },
          (_, i) => (i * 37 + width * 11 + height) & 0xff,
        );
        const png = encodePng({ width, height, channels, data });
        expect(png[25]).toBe({ 1: 0, 3: 2, 4: 6 }[channels]); // IHDR colour type
        expect(png[24]).toBe(8); // bit depth
        expect(decodePng(png, 'x')).toEqual({ width, height, channels, data });
      }),
      { numRuns: 20 },
    );
  });

  it('encodes from a view with a byte offset', () => {
    const backing = Uint8Array.from([99, 1, 2, 3, 4]);
    const image: Image = { width: 2, height: 2, channels: 1, data: backing.subarray(1) };
    expect(Array.from(decodePng(encodePng(image), 'x').data)).toEqual([1, 2, 3, 4]);
  });

  it('rejects malformed images', () => {
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) })).toThrow(
      'encodePng: 2×2×3 image needs 12 bytes, data has 11',
    );
    expect(() => encodePng({ width: 0, height: 2, channels: 1, data: new Uint8Array(0) })).toThrow('got 0×2');
    expect(() => encodePng({ width: 1, height: 1, channels: 2 as 1, data: new Uint8Array(2) })).toThrow(
      'channels must be 1, 3 or 4, got 2',
    );
  });
});

describe('decodePng of other formats', () => {
  it('reduces 16-bit grayscale to 8 bits, one channel', () => {
    const img = decodePng(rawPng(3, 1, 16, 0, [be16(0, 0x8080, 65535)]), 'g16');
    expect(img).toMatchObject({ width: 3, height: 1, channels: 1 });
    expect(Array.from(img.data)).toEqual([0, to8(0x8080), 255]);
  });

  it('reduces 16-bit RGB and RGBA', () => {
    const rgb = decodePng(rawPng(1, 1, 16, 2, [be16(1000, 30000, 65535)]), 'rgb16');
    expect(rgb.channels).toBe(3);
    expect(Array.from(rgb.data)).toEqual([to8(1000), to8(30000), 255]);
    const rgba = decodePng(rawPng(1, 1, 16, 6, [be16(0, 65535, 257, 32896)]), 'rgba16');
    expect(rgba.channels).toBe(4);
    expect(Array.from(rgba.data)).toEqual([0, 255, 1, 128]);
  });

  it('scales 1-, 2- and 4-bit grayscale to 0..255', () => {
    expect(Array.from(decodePng(rawPng(8, 1, 1, 0, [[0b10110000]]), 'g1').data)).toEqual([
      255, 0, 255, 255, 0, 0, 0, 0,
    ]);
    expect(Array.from(decodePng(rawPng(4, 1, 2, 0, [[0b00011011]]), 'g2').data)).toEqual([0, 85, 170, 255]);
    const g4 = decodePng(
      rawPng(3, 2, 4, 0, [
        [0x0f, 0x70],
        [0x8f, 0x00],
      ]),
      'g4',
    );
    expect(g4).toMatchObject({ width: 3, height: 2, channels: 1 });
    expect(Array.from(g4.data)).toEqual([0, 255, 119, 136, 255, 0]);
  });

  it('expands palettes to RGB, or RGBA with a tRNS chunk', () => {
    const plte = chunk('PLTE', [255, 0, 0, 0, 255, 0, 0, 0, 255]);
    const rgb = decodePng(rawPng(3, 1, 4, 3, [[0x01, 0x20]], [plte]), 'p4');
    expect(rgb.channels).toBe(3);
    expect(Array.from(rgb.data)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    const rgba = decodePng(rawPng(3, 1, 8, 3, [[0, 1, 2]], [plte, chunk('tRNS', [0, 128])]), 'p8t');
    expect(rgba.channels).toBe(4);
    expect(Array.from(rgba.data)).toEqual([255, 0, 0, 0, 0, 255, 0, 128, 0, 0, 255, 255]);
  });

  it('gives grayscale with alpha or tRNS four channels', () => {
    const ga = decodePng(rawPng(2, 1, 8, 4, [[10, 20, 30, 40]]), 'ga');
    expect(ga.channels).toBe(4);
    expect(Array.from(ga.data)).toEqual([10, 10, 10, 20, 30, 30, 30, 40]);
    const gt = decodePng(rawPng(2, 1, 8, 0, [[7, 9]], [chunk('tRNS', [0, 7])]), 'gt');
    expect(gt.channels).toBe(4);
    expect(Array.from(gt.data)).toEqual([0, 0, 0, 0, 9, 9, 9, 255]);
  });
});

describe('PNG errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'png-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names a file that is not a PNG', () => {
    const path = join(dir, 'notes.png');
    writeFileSync(path, 'hello, world');
    expect(() => readPng(path)).toThrow(
      `${path}: not a PNG file (expected signature 89 50 4e 47 0d 0a 1a 0a, found 68 65 6c 6c 6f 2c 20 77)`,
    );
    const empty = join(dir, 'empty.png');
    writeFileSync(empty, '');
    expect(() => readPng(empty)).toThrow(
      `${empty}: not a PNG file (expected signature 89 50 4e 47 0d 0a 1a 0a, found empty file)`,
    );
  });

  it('names a corrupt PNG and a missing file', () => {
    const bytes = rawPng(1, 1, 8, 0, [[5]]);
    bytes[30] ^= 0xff; // inside the IHDR CRC
    const path = join(dir, 'corrupt.png');
    writeFileSync(path, bytes);
    expect(() => readPng(path)).toThrow(`${path}: corrupt PNG: `);
    expect(() => decodePng(bytes.subarray(0, 20), 'cut.png')).toThrow('cut.png: corrupt PNG: ');
    expect(() => readPng(join(dir, 'missing.png'))).toThrow(`cannot read PNG ${join(dir, 'missing.png')}`);
  });

  it('reads a PNG file from disk', () => {
    const path = join(dir, 'ok.png');
    writeFileSync(path, encodePng({ width: 1, height: 2, channels: 3, data: Uint8Array.of(1, 2, 3, 4, 5, 6) }));
    expect(readPng(path)).toEqual({ width: 1, height: 2, channels: 3, data: Uint8Array.of(1, 2, 3, 4, 5, 6) });
  });
});
