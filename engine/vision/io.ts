/**
 * torchvision.io: reading images into `[C, H, W]` tensors. torchvision returns uint8 tensors; the
 * engine has no uint8 dtype, so these are float32 tensors holding the same integers 0…255 (exactly:
 * float32 holds every integer below 2^24), as `datasets.MNIST.data` does. `img.div(255)` then equals
 * torchvision's `img.float() / 255` and ToTensor's values. 16-bit PNGs are reduced to 8 bits.
 */
import { checkKeys } from '../args.ts';
import { readFileSync } from 'node:fs';
import type { Device } from '../dtype.ts';
import { decodeJpegPixels, decodePixels } from '../io/jpeg.ts';
import { convertPixels } from '../io/pixels.ts';
import { decodePngPixels, type Pixels } from '../io/png.ts';
import { fromHost } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** torchvision.io.ImageReadMode: what channels to decode to. */
export const ImageReadMode = {
  /** The channels the file has. */
  UNCHANGED: 'UNCHANGED',
  GRAY: 'GRAY',
  GRAY_ALPHA: 'GRAY_ALPHA',
  RGB: 'RGB',
  RGB_ALPHA: 'RGB_ALPHA',
} as const;
export type ImageReadMode = (typeof ImageReadMode)[keyof typeof ImageReadMode];

export interface ReadImageOptions {
  /** Default 'UNCHANGED'. Colour to gray uses ITU-R 601-2 luma (PIL's convert('L')). */
  mode?: ImageReadMode;
  device?: Device;
}

const CHANNELS: Record<Exclude<ImageReadMode, 'UNCHANGED'>, Pixels['channels']> = {
  GRAY: 1,
  GRAY_ALPHA: 2,
  RGB: 3,
  RGB_ALPHA: 4,
};

function checkMode(mode: unknown, what: string): ImageReadMode {
  if (typeof mode === 'string' && mode in ImageReadMode) return mode as ImageReadMode;
  throw new TypeError(
    `${what}: mode should be one of ${Object.keys(ImageReadMode).join(', ')} (io.ImageReadMode), got ${String(mode)}`,
  );
}

function checkBytes(input: unknown, what: string): Uint8Array {
  if (!(input instanceof Uint8Array)) {
    throw new TypeError(
      `${what}: expected the file's bytes as a Uint8Array (e.g. from io.readFile), got ${typeof input}`,
    );
  }
  if (input.length === 0) throw new RangeError(`${what}: expected a non empty array of bytes`);
  return input;
}

/** [C, H, W] float32 with the pixel values 0…255. */
function pixelsToTensor(p: Pixels, options: ReadImageOptions, what: string): Tensor {
  checkKeys(`io.${what.replace(/\(.*/, '')}`, options, ['mode', 'device']);
  const mode = checkMode(options.mode ?? 'UNCHANGED', what);
  const q = mode === 'UNCHANGED' ? p : convertPixels(p, CHANNELS[mode]);
  const plane = q.width * q.height;
  const out = new Float32Array(plane * q.channels);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < q.channels; c++) out[c * plane + i] = q.data[i * q.channels + c]!;
  }
  return fromHost(out, [q.channels, q.height, q.width], { device: options.device ?? 'cpu' });
}

/** torchvision.io.read_file: the file's bytes. */
export function readFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
}

/** torchvision.io.decode_png(input, mode): PNG bytes to a [C, H, W] tensor of values 0…255. */
export function decodePng(input: Uint8Array, options: ReadImageOptions = {}): Tensor {
  return pixelsToTensor(decodePngPixels(checkBytes(input, 'decodePng'), 'decodePng'), options, 'decodePng');
}

/** torchvision.io.decode_jpeg(input, mode). */
export function decodeJpeg(input: Uint8Array, options: ReadImageOptions = {}): Tensor {
  return pixelsToTensor(decodeJpegPixels(checkBytes(input, 'decodeJpeg'), 'decodeJpeg'), options, 'decodeJpeg');
}

/** torchvision.io.decode_image(input, mode): PNG or JPEG, told apart by their first bytes. */
export function decodeImage(input: Uint8Array, options: ReadImageOptions = {}): Tensor {
  return pixelsToTensor(decodePixels(checkBytes(input, 'decodeImage'), 'decodeImage'), options, 'decodeImage');
}

/** torchvision.io.read_image(path, mode): a PNG or JPEG file as a [C, H, W] tensor of values 0…255. */
export function readImage(path: string, options: ReadImageOptions = {}): Tensor {
  return pixelsToTensor(decodePixels(readFile(path), path), options, `readImage(${path})`);
}
