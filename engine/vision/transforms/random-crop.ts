/**
 * transforms.RandomCrop(size, { padding, padIfNeeded, fill, paddingMode }): optional padding, then a
 * crop at a random position. The draws follow torchvision: row offset i, then column offset j,
 * each uniform over the valid range; none when the crop is the whole image.
 */
import { checkKeys, keys } from '../../args.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { channelsOf, isImageLike, remapImage, type Image, type ImageLike } from '../image.ts';
import { size2 } from './args.ts';
import { padImage, padTensor, sides, type PaddingMode, type Sides } from './pad.ts';
import { generatorOf, type RandomOptions } from './transform.ts';

export interface RandomCropOptions extends RandomOptions {
  /** One number for every side, [leftRight, topBottom], or [left, top, right, bottom]. */
  padding?: number | readonly number[];
  /** Pad an image smaller than the crop up to its size (default false). */
  padIfNeeded?: boolean;
  /** The padding value (default 0). */
  fill?: number;
  /** How to pad (default 'constant'; see Pad). */
  paddingMode?: PaddingMode;
}

export class RandomCrop {
  readonly size: [number, number];
  private readonly padding: Sides;

  constructor(
    size: number | readonly [number, number],
    private readonly options: RandomCropOptions = {},
  ) {
    checkKeys(
      'transforms.RandomCrop',
      options,
      keys<RandomCropOptions>({ padding: 1, padIfNeeded: 1, fill: 1, paddingMode: 1, generator: 1 }),
    );
    this.size = size2(size, 'RandomCrop');
    this.padding = sides(options.padding ?? 0, 'RandomCrop');
  }

  // The tensor overload is last: type inference (e.g. Compose's) reads the last one.
  call(input: ImageLike): Image;
  call(input: Tensor): Tensor;
  call(input: Tensor | ImageLike): Tensor | Image {
    const fill = this.options.fill ?? 0;
    const isTensor = input instanceof Tensor;
    if (!isTensor && !isImageLike(input))
      throw new TypeError('RandomCrop: input should be a Tensor [..., H, W] or an image');
    const mode = this.options.paddingMode ?? 'constant';
    const pad = (x: Tensor | ImageLike, s: Sides) =>
      x instanceof Tensor
        ? padTensor(x, s, fill, mode, 'RandomCrop')
        : padImage(x, s, Array(channelsOf(x, 'RandomCrop')).fill(fill), mode, 'RandomCrop');
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
