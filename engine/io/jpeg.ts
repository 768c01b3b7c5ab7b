/**
 * JPEG decoding on top of jpeg-js (pure JavaScript, baseline and progressive, with limits on the
 * memory and resolution an untrusted file may claim). jpeg-js always hands back RGB; the channel
 * count the file really has (1 for grayscale, 3 for colour) is read from its frame header, so that
 * a grayscale JPEG stays one channel as torchvision's decoder keeps it. jpeg-js's inverse DCT and
 * chroma upsampling are not libjpeg-turbo's: pixel values may differ from torchvision's by a few levels.
 */
import { decode as decodeJpegBytes } from 'jpeg-js';
import { decodePngPixels, type Pixels } from './png.ts';

/** The number of components in the file's first frame header (SOF0…SOF15), or undefined if none is found. */
function frameComponents(bytes: Uint8Array): number | undefined {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    // SOFn, except DHT (c4), JPG (c8) and DAC (cc), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return bytes[i + 9];
    i += 2 + length;
  }
  return undefined;
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

export function decodeJpegPixels(bytes: Uint8Array, what: string): Pixels {
  if (!isJpeg(bytes)) {
    const head = Array.from(bytes.subarray(0, 3), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${what}: not a JPEG file (expected it to start with ff d8 ff, found ${head || 'empty file'})`);
  }
  let image;
  try {
    image = decodeJpegBytes(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxMemoryUsageInMB: 1024,
    });
  } catch (e) {
    throw new Error(`${what}: corrupt JPEG: ${(e as Error).message}`);
  }
  const { width, height, data } = image;
  if (frameComponents(bytes) !== 1) return { width, height, channels: 3, data };
  const gray = new Uint8Array(width * height);
  for (let p = 0; p < gray.length; p++) gray[p] = data[3 * p]!;
  return { width, height, channels: 1, data: gray };
}

/** Decodes PNG or JPEG bytes, told apart by their signature; `what` names them in errors. */
export function decodePixels(bytes: Uint8Array, what: string): Pixels {
  return isJpeg(bytes) ? decodeJpegPixels(bytes, what) : decodePngPixels(bytes, what);
}
