/**
 * transforms.RandomCrop(size, { padding, padIfNeeded, fill }): optional constant padding, then a
 * crop at a random position. The draws follow torchvision: row offset i, then column offset j,
 * each uniform over the valid range; none when the crop is the whole image.
 */
import { full } from '../../tensor/create.ts';
import { cat } from '../../ops/indexing.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { isImageLike, remapImage, type Image, type ImageLike } from '../image.ts';
import { generatorOf, type RandomOptions } from './transform.ts';

export interface RandomCropOptions extends RandomOptions {
  /** One number for every side, [leftRight, topBottom], or [left, top, right, bottom]. */
  padding?: number | readonly number[];
  /** Pad an image smaller than the crop up to its size (default false). */
  padIfNeeded?: boolean;
  /** The padding value (default 0). */
  fill?: number;
}

type Sides = [left: number, top: number, right: number, bottom: number];

function sides(padding: number | readonly number[]): Sides {
  const p = typeof padding === 'number' ? [padding] : [...padding];
  if (p.some((v) => !Number.isInteger(v) || v < 0))
    throw new RangeError(`RandomCrop: padding must be non-negative integers, got ${JSON.stringify(padding)}`);
  if (p.length === 1) return [p[0]!, p[0]!, p[0]!, p[0]!];
  if (p.length === 2) return [p[0]!, p[1]!, p[0]!, p[1]!];
  if (p.length === 4) return p as Sides;
  throw new RangeError(`RandomCrop: padding must have 1, 2 or 4 values, got ${p.length}`);
}

function padTensor(x: Tensor, [l, t, r, b]: Sides, fill: number): Tensor {
  const block = (shape: number[]) => full(shape, fill, { dtype: x.dtype, device: x.device });
  const lead = x.shape.slice(0, -2);
  const [h, w] = x.shape.slice(-2) as [number, number];
  const wide = cat([block([...lead, h, l]), x, block([...lead, h, r])], -1);
  return cat([block([...lead, t, w + l + r]), wide, block([...lead, b, w + l + r])], -2);
}

function padImage(image: ImageLike, [l, t, r, b]: Sides, fill: number): Image {
  const inside = (y: number, x: number): [number, number] | null =>
    y >= t && y < t + image.height && x >= l && x < l + image.width ? [y - t, x - l] : null;
  return remapImage(image, image.width + l + r, image.height + t + b, inside, fill, 'RandomCrop');
}

export class RandomCrop {
  readonly size: [number, number];
  private readonly padding: Sides;

  constructor(
    size: number | readonly [number, number],
    private readonly options: RandomCropOptions = {},
  ) {
    this.size = typeof size === 'number' ? [size, size] : [size[0], size[1]];
    if (this.size.some((s) => !Number.isInteger(s) || s <= 0))
      throw new RangeError(`RandomCrop: size must be positive integers, got ${JSON.stringify(size)}`);
    this.padding = sides(options.padding ?? 0);
  }

  // The tensor overload is last: type inference (e.g. Compose's) reads the last one.
  call(input: ImageLike): Image;
  call(input: Tensor): Tensor;
  call(input: Tensor | ImageLike): Tensor | Image {
    const fill = this.options.fill ?? 0;
    const isTensor = input instanceof Tensor;
    if (!isTensor && !isImageLike(input))
      throw new TypeError('RandomCrop: input should be a Tensor [..., H, W] or an image');
    const pad = (x: Tensor | ImageLike, s: Sides) =>
      x instanceof Tensor ? padTensor(x, s, fill) : padImage(x, s, fill);
    const dims = (x: Tensor | ImageLike): [number, number] =>
      x instanceof Tensor ? (x.shape.slice(-2) as [number, number]) : [x.height, x.width];

    let x: Tensor | ImageLike = this.padding.some((p) => p > 0) ? pad(input, this.padding) : input;
    const [th, tw] = this.size;
    if (this.options.padIfNeeded) {
      const [h, w] = dims(x);
      if (w < tw) x = pad(x, [tw - w, 0, tw - w, 0]);
      if (h < th) x = pad(x, [0, th - h, 0, th - h]);
    }
    const [h, w] = dims(x);
    if (h < th || w < tw)
      throw new RangeError(`Required crop size [${th}, ${tw}] is larger than input image size [${h}, ${w}]`);
    const g = generatorOf(this.options);
    const [i, j] = h === th && w === tw ? [0, 0] : [g.integer(0, h - th + 1), g.integer(0, w - tw + 1)];
    if (x instanceof Tensor) return x.slice(-2, i, i + th).slice(-1, j, j + tw);
    return remapImage(x, tw, th, (y, xx) => [y + i, xx + j], fill, 'RandomCrop');
  }
}
