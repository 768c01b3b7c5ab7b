/** transforms.RandomHorizontalFlip(p): mirrors left–right with probability p (one draw per call). */
import { checkKeys, keys } from '../../args.ts';
import { fromHost } from '../../tensor/create.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { isImageLike, remapImage, type Image, type ImageLike } from '../image.ts';
import { generatorOf, type RandomOptions } from './transform.ts';

export function hflip(x: Tensor): Tensor {
  const w = x.shape[x.ndim - 1]!;
  const reversed = Int32Array.from({ length: w }, (_, i) => w - 1 - i);
  return x.indexSelect(-1, fromHost(reversed, [w], { dtype: 'int32', device: x.device }));
}

export class RandomHorizontalFlip {
  constructor(
    readonly p = 0.5,
    private readonly options: RandomOptions = {},
  ) {
    checkKeys('transforms.RandomHorizontalFlip', options, keys<RandomOptions>({ generator: 1 }));
    if (!(p >= 0 && p <= 1)) throw new RangeError(`RandomHorizontalFlip: p should be in [0, 1], got ${p}`);
  }

  // The tensor overload is last: type inference (e.g. Compose's) reads the last one.
  call(input: ImageLike): Image | ImageLike;
  call(input: Tensor): Tensor;
  call(input: Tensor | ImageLike): Tensor | Image | ImageLike {
    if (!(input instanceof Tensor) && !isImageLike(input))
      throw new TypeError('RandomHorizontalFlip: input should be a Tensor or an image');
    // torch.rand(1) < p: a float32 uniform, drawn on every call whatever the outcome.
    if (!(generatorOf(this.options).uniform24() < this.p)) return input;
    if (input instanceof Tensor) return hflip(input);
    return remapImage(input, input.width, input.height, (y, x) => [y, input.width - 1 - x], 0, 'RandomHorizontalFlip');
  }
}
