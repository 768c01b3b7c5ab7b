/**
 * PNG decode (on top of pngjs) and encode, reduced to the shapes the engine uses: 8-bit samples,
 * 1 (gray), 3 (RGB) or 4 (RGBA) channels, row-major, channels interleaved.
 */
import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';

export interface Image {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
// PNG colour types: 0 gray, 2 RGB, 6 RGBA.
const COLOR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;

/** Decoded pixels as the file holds them: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA) channels. */
export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

/**
 * Decodes any PNG pngjs reads (1/2/4/8/16-bit, gray, gray+alpha, RGB, RGBA, palette, tRNS) into
 * the channels it has: a palette becomes RGB, a tRNS chunk an alpha channel. 16-bit samples are
 * rounded to 8 bits (v · 255 / 65535). `what` names the file in errors.
 */
export function decodePngPixels(bytes: Uint8Array, what: string): Pixels {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(
      `${what}: not a PNG file (expected signature 89 50 4e 47 0d 0a 1a 0a, found ${head || 'empty file'})`,
    );
  }
  let png;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new Error(`${what}: corrupt PNG: ${(e as Error).message}`);
  }
  const { width, height, color, alpha } = png;
  // pngjs always hands back 8-bit RGBA; keep only the channels the file really has.
  const rgba = png.data;
  const channels: Pixels['channels'] = color ? (alpha ? 4 : 3) : alpha ? 2 : 1;
  if (channels === 4) return { width, height, channels, data: new Uint8Array(rgba) };
  const from = channels === 2 ? [0, 3] : [0, 1, 2].slice(0, channels);
  const data = new Uint8Array(width * height * channels);
  for (let p = 0, q = 0; p < rgba.length; p += 4) {
    for (const c of from) data[q++] = rgba[p + c]!;
  }
  return { width, height, channels, data };
}

/**
 * decodePngPixels as an image: grayscale stays 1 channel; anything with transparency (an alpha
 * channel or a tRNS chunk) becomes RGBA, everything else RGB.
 */
export function decodePng(bytes: Uint8Array, what: string): Image {
  const pixels = decodePngPixels(bytes, what);
  if (pixels.channels !== 2) return pixels as Image;
  const data = new Uint8Array(pixels.width * pixels.height * 4);
  for (let p = 0; p < pixels.width * pixels.height; p++) {
    const g = pixels.data[2 * p]!;
    data.set([g, g, g, pixels.data[2 * p + 1]!], 4 * p);
  }
  return { width: pixels.width, height: pixels.height, channels: 4, data };
}

export function readPng(path: string): Image {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read PNG ${path}: ${(e as Error).message}`);
  }
  return decodePng(bytes, path);
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/**
 * Encodes an 8-bit image as PNG, keeping its channel count (gray stays gray). Written directly
 * (every scanline with filter type 0, deflated by zlib) rather than through pngjs: a dataset of
 * thousands of small images is written in a fraction of the time.
 */
export function encodePng(image: Image): Uint8Array {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`encodePng: width and height must be positive integers, got ${width}×${height}`);
  }
  if (!(channels in COLOR_TYPE)) throw new Error(`encodePng: channels must be 1, 3 or 4, got ${channels}`);
  if (data.length !== width * height * channels) {
    throw new Error(
      `encodePng: ${width}×${height}×${channels} image needs ${width * height * channels} bytes, data has ${data.length}`,
    );
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = COLOR_TYPE[channels];
  const row = width * channels;
  const scanlines = new Uint8Array(height * (row + 1));
  for (let y = 0; y < height; y++) scanlines.set(data.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  const out = Buffer.concat([
    Buffer.from(SIGNATURE),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(scanlines)),
    chunk('IEND', new Uint8Array(0)),
  ]);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
