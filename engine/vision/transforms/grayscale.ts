/**
 * transforms.Grayscale(numOutputChannels = 1). An image is converted as PIL's convert('L') does
 * (ITU-R 601-2 luma in fixed point, see engine/io/pixels.ts; alpha dropped); a tensor [..., 3, H, W]
 * as torchvision's rgb_to_grayscale: 0.2989·R + 0.587·G + 0.114·B, in the tensor's dtype. A
 * 1-channel input is already gray. With 3 output channels the gray plane is repeated.
 */
import { convertPixels } from '../../io/pixels.ts';
import { cat } from '../../ops/indexing.ts';
import { formatShape } from '../../tensor/shape.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { channelsOf, isImageLike, type Image, type ImageLike } from '../image.ts';

/** torchvision's rgb_to_grayscale for a float tensor [..., 1 or 3, H, W], keeping one channel. */
export function rgbToGrayscale(x: Tensor, what: string): Tensor {
  if (x.ndim < 3)
    throw new TypeError(`${what}: Input image tensor should have at least 3 dimensions, but found ${x.ndim}`);
  const c = x.shape[x.ndim - 3]!;
  if (c === 1) return x.clone();
  if (c !== 3)
    throw new RangeError(
      `${what}: Input image tensor permitted channel values are [1, 3], but found ${c} (shape ${formatShape(x.shape)})`,
    );
  const [r, g, b] = [0, 1, 2].map((k) => x.slice(-3, k, k + 1)) as [Tensor, Tensor, Tensor];
  return r.mul(0.2989).add(g.mul(0.587)).add(b.mul(0.114));
}

/** PIL's convert('L') of an image. */
export function imageToGrayscale(image: ImageLike, what: string): Image {
  const c = channelsOf(image, what) as 1 | 3 | 4;
  const data = image.data instanceof Uint8Array ? image.data : new Uint8Array(image.data);
  return convertPixels({ width: image.width, height: image.height, channels: c, data }, 1) as Image;
}

export class Grayscale {
  constructor(readonly numOutputChannels: 1 | 3 = 1) {
    if (numOutputChannels !== 1 && numOutputChannels !== 3)
      throw new RangeError('num_output_channels should be either 1 or 3');
  }

  // The tensor overload is last: type inference (e.g. Compose's) reads the last one.
  call(input: ImageLike): Image;
  call(input: Tensor): Tensor;
  call(input: Tensor | ImageLike): Tensor | Image {
    if (input instanceof Tensor) {
      const gray = rgbToGrayscale(input, 'Grayscale');
      return this.numOutputChannels === 3 ? cat([gray, gray, gray], -3) : gray;
    }
    if (!isImageLike(input)) throw new TypeError('Grayscale: input should be a Tensor [..., C, H, W] or an image');
    const gray = imageToGrayscale(input, 'Grayscale');
    return this.numOutputChannels === 3 ? (convertPixels(gray, 3) as Image) : gray;
  }
}
