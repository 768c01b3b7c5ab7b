/** transforms.ToTensor: an 8-bit HWC image to a float32 CHW tensor in [0, 1]. */
import { fromHost } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { channelsOf, isImageLike, type ImageLike } from '../image.ts';

export class ToTensor {
  call(pic: ImageLike): Tensor {
    if (!isImageLike(pic)) {
      throw new TypeError(
        'ToTensor: pic should be an image { width, height, channels, data: Uint8Array } (as MNIST, ImageFolder and readPng give)',
      );
    }
    const c = channelsOf(pic, 'ToTensor');
    const plane = pic.width * pic.height;
    const out = new Float32Array(plane * c);
    // v / 255 in float64 rounded once to float32 equals torch's float32 division (53 ≥ 2·24 + 2 bits).
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < c; k++) out[k * plane + p] = pic.data[p * c + k]! / 255;
    }
    return fromHost(out, [c, pic.height, pic.width]);
  }
}
