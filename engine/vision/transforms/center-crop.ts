/**
 * transforms.CenterCrop(size): the central [h, w] of the image; offsets round((H − h) / 2) and
 * round((W − w) / 2), half to even as Python rounds. An image smaller than the crop is first padded
 * with zeros, (h − H) // 2 above and the rest below (likewise left and right), as torchvision does.
 */
import { Tensor } from '../../tensor/tensor.ts';
import { channelsOf, isImageLike, remapImage, type Image, type ImageLike } from '../image.ts';
import { roundHalfEven, size2 } from './args.ts';
import { padImage, padTensor, type Sides } from './pad.ts';

export class CenterCrop {
  readonly size: [number, number];

  constructor(size: number | readonly number[]) {
    this.size = size2(size, 'CenterCrop');
  }

  // The tensor overload is last: type inference (e.g. Compose's) reads the last one.
  call(input: ImageLike): Image;
  call(input: Tensor): Tensor;
  call(input: Tensor | ImageLike): Tensor | Image {
    const isTensor = input instanceof Tensor;
    if (!isTensor && !isImageLike(input))
      throw new TypeError('CenterCrop: input should be a Tensor [..., H, W] or an image');
    if (isTensor && input.ndim < 2) throw new RangeError('CenterCrop: expected a tensor of shape [..., H, W]');
    const [th, tw] = this.size;
    const dims = (x: Tensor | ImageLike): [number, number] =>
      x instanceof Tensor ? (x.shape.slice(-2) as [number, number]) : [x.height, x.width];
    let x: Tensor | ImageLike = input;
    let [h, w] = dims(x);
    if (th > h || tw > w) {
      const pad: Sides = [
        tw > w ? Math.floor((tw - w) / 2) : 0,
        th > h ? Math.floor((th - h) / 2) : 0,
        tw > w ? Math.floor((tw - w + 1) / 2) : 0,
        th > h ? Math.floor((th - h + 1) / 2) : 0,
      ];
      x =
        x instanceof Tensor
          ? padTensor(x, pad, 0, 'constant', 'CenterCrop')
          : padImage(x, pad, Array(channelsOf(x, 'CenterCrop')).fill(0), 'constant', 'CenterCrop');
      [h, w] = dims(x);
      if (h === th && w === tw) return x as Tensor | Image;
    }
    const top = roundHalfEven((h - th) / 2);
    const left = roundHalfEven((w - tw) / 2);
    if (x instanceof Tensor) return x.slice(-2, top, top + th).slice(-1, left, left + tw);
    return remapImage(x, tw, th, (y, xx) => [y + top, xx + left], 0, 'CenterCrop');
  }
}
