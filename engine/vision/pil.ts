/**
 * PIL's `Image.open(path)` and `img.convert(mode)`, for images as the vision code passes them (see
 * image.ts): `Image.open(path)` reads a PNG or JPEG file into { width, height, channels, data }
 * (gray stays 1 channel, a palette becomes RGB, transparency RGBA: as `datasets.ImageFolder`
 * reads), and `Image.convert(img, 'L' | 'RGB' | 'RGBA')` converts with PIL's formulas.
 */
import { convertPixels } from '../io/pixels.ts';
import type { Image as PngImage } from '../io/png.ts';
import { channelsOf, type ImageLike } from './image.ts';
import { decodePixels } from '../io/jpeg.ts';
import { readFile } from './io.ts';

export type Image = PngImage;

const MODES = { L: 1, RGB: 3, RGBA: 4 } as const;
export type ImageMode = keyof typeof MODES;

/** The mode PIL would name an image of this many channels. */
export function modeOf(image: ImageLike): ImageMode {
  const c = channelsOf(image, 'Image');
  return c === 1 ? 'L' : c === 3 ? 'RGB' : 'RGBA';
}

function convert(image: ImageLike, mode: ImageMode): Image {
  if (!(mode in MODES)) throw new RangeError(`Image.convert: mode should be 'L', 'RGB' or 'RGBA', got ${String(mode)}`);
  const channels = channelsOf(image, 'Image.convert') as Image['channels'];
  const data = image.data instanceof Uint8Array ? image.data : new Uint8Array(image.data);
  return convertPixels({ width: image.width, height: image.height, channels, data }, MODES[mode]) as Image;
}

function open(path: string): Image {
  const pixels = decodePixels(readFile(path), path);
  // PIL's LA mode has no counterpart among images here: gray with alpha is read as RGBA.
  return (pixels.channels === 2 ? convertPixels(pixels, 4) : pixels) as Image;
}

export const Image = { open, convert, modeOf };
