/**
 * Images as the vision code passes them around before ToTensor: 8-bit pixels, row-major, channels
 * interleaved (HWC), the shape of what a PNG decodes to, of a PIL image's bytes and of a browser's
 * ImageData (whose `channels` is implied: 4). Transforms given an image return an image, as
 * torchvision's transforms return a PIL image for a PIL image.
 */
import type { Image } from '../io/png.ts';

export type { Image };

export interface ImageLike {
  width: number;
  height: number;
  channels?: number;
  data: Uint8Array | Uint8ClampedArray;
}

export function isImageLike(x: unknown): x is ImageLike {
  if (typeof x !== 'object' || x === null) return false;
  const { width, height, data } = x as Record<string, unknown>;
  return (
    typeof width === 'number' &&
    typeof height === 'number' &&
    (data instanceof Uint8Array || data instanceof Uint8ClampedArray)
  );
}

/** The image's channel count, checked against its byte length. */
export function channelsOf(image: ImageLike, what: string): number {
  const pixels = image.width * image.height;
  const channels = image.channels ?? image.data.length / pixels;
  if (!Number.isInteger(channels) || channels < 1 || image.data.length !== pixels * channels) {
    throw new RangeError(
      `${what}: a ${image.width}×${image.height} image with ${image.channels ?? '?'} channels cannot hold ${image.data.length} bytes`,
    );
  }
  return channels;
}

/** A new image: output pixel (y, x) is input pixel source(y, x), or `fill` where source is null. */
export function remapImage(
  image: ImageLike,
  width: number,
  height: number,
  source: (y: number, x: number) => [number, number] | null,
  fill: number,
  what: string,
): Image {
  const c = channelsOf(image, what);
  const data = new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = source(y, x);
      const o = (y * width + x) * c;
      if (from === null) data.fill(fill, o, o + c);
      else
        data.set(
          image.data.subarray((from[0] * image.width + from[1]) * c, (from[0] * image.width + from[1] + 1) * c),
          o,
        );
    }
  }
  return { width, height, channels: c as Image['channels'], data };
}
