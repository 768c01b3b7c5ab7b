/**
 * transforms.Resize with bilinear interpolation, matching torchvision on tensors with
 * antialias=False (torch.nn.functional.interpolate, align_corners=False): output pixel d samples
 * the input at src = (d + 0.5) · in/out − 0.5 (half-pixel centres), clamped below at 0, between
 * its two neighbours. Lambdas are computed in float32, as PyTorch computes them for float input.
 *
 * It is built from indexSelect and elementwise ops, so it runs on any device and is differentiable.
 * An image (HWC bytes) is resized the same way and rounded back to bytes, as torchvision does for
 * uint8 tensors; note that this is not PIL's resize, which antialiases.
 */
import { fromHost } from '../../tensor/create.ts';
import { isFloatingPoint } from '../../dtype.ts';
import { formatShape } from '../../tensor/shape.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { channelsOf, isImageLike, type Image, type ImageLike } from '../image.ts';

interface Axis {
  index0: Tensor;
  index1: Tensor;
  lambda0: Tensor;
  lambda1: Tensor;
}

/** Source indices and weights along one axis of `inSize` resized to `outSize`. */
function axis(inSize: number, outSize: number, shape: number[], device: Tensor['device']): Axis {
  const scale = Math.fround(inSize / outSize);
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const l0 = new Float32Array(outSize);
  const l1 = new Float32Array(outSize);
  for (let d = 0; d < outSize; d++) {
    const src = Math.max(0, Math.fround(Math.fround(scale * (d + 0.5)) - 0.5));
    i0[d] = Math.min(Math.floor(src), inSize - 1);
    i1[d] = i0[d]! + (i0[d]! < inSize - 1 ? 1 : 0);
    l1[d] = Math.min(1, Math.max(0, Math.fround(src - i0[d]!)));
    l0[d] = Math.fround(1 - l1[d]!);
  }
  const indices = (a: Int32Array) => fromHost(a, [outSize], { dtype: 'int32', device });
  const weights = (a: Float32Array) => fromHost(a, shape, { device });
  return { index0: indices(i0), index1: indices(i1), lambda0: weights(l0), lambda1: weights(l1) };
}

/** Bilinear resize of the last two dims of a float tensor to [outH, outW]. */
export function resizeBilinear(x: Tensor, outH: number, outW: number): Tensor {
  const [h, w] = x.shape.slice(-2) as [number, number];
  const ys = axis(h, outH, [outH, 1], x.device);
  const xs = axis(w, outW, [outW], x.device);
  const top = x.indexSelect(-2, ys.index0);
  const bottom = x.indexSelect(-2, ys.index1);
  const row = (r: Tensor) =>
    r.indexSelect(-1, xs.index0).mul(xs.lambda0).add(r.indexSelect(-1, xs.index1).mul(xs.lambda1));
  const out = row(top).mul(ys.lambda0).add(row(bottom).mul(ys.lambda1));
  return out.dtype === x.dtype ? out : out.to(x.dtype);
}

/** torchvision's output size: an int sets the smaller edge, keeping the aspect ratio. */
export function outputSize(size: number | readonly [number, number], h: number, w: number): [number, number] {
  if (typeof size !== 'number') return [size[0], size[1]];
  const [short, long] = h <= w ? [h, w] : [w, h];
  const newLong = Math.floor((size * long) / short);
  return h <= w ? [size, newLong] : [newLong, size];
}

export class Resize {
  constructor(readonly size: number | readonly [number, number]) {
    const sizes = typeof size === 'number' ? [size] : Array.isArray(size) ? size : [];
    if (sizes.length < 1 || sizes.length > 2 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new RangeError(
        `Resize: size should be a positive integer or [height, width] of positive integers, got ${JSON.stringify(size)}`,
      );
    }
  }

  // The tensor overload is last: type inference (e.g. Compose's) reads the last one.
  call(input: ImageLike): Image;
  call(input: Tensor): Tensor;
  call(input: Tensor | ImageLike): Tensor | Image {
    if (input instanceof Tensor) {
      if (input.ndim < 2)
        throw new RangeError(`Resize: expected a tensor of shape [..., H, W], got ${formatShape(input.shape)}`);
      if (!isFloatingPoint(input.dtype))
        throw new TypeError(`Resize: expected a float tensor, got ${input.dtype} (apply ToTensor first)`);
      const [h, w] = input.shape.slice(-2) as [number, number];
      return resizeBilinear(input, ...outputSize(this.size, h, w));
    }
    if (!isImageLike(input))
      throw new TypeError('Resize: input should be a Tensor or an image { width, height, channels, data }');
    return this.resizeImage(input);
  }

  private resizeImage(image: ImageLike): Image {
    const c = channelsOf(image, 'Resize');
    const [outH, outW] = outputSize(this.size, image.height, image.width);
    // HWC bytes as a [C, H, W] float tensor, resized, then rounded (half to even) back to bytes.
    const hwc = fromHost(Float32Array.from(image.data), [image.height, image.width, c]);
    const out = resizeBilinear(hwc.permute(2, 0, 1), outH, outW)
      .permute(1, 2, 0)
      .round()
      .clamp(0, 255);
    // The tensor is on the CPU, which reads back synchronously; transforms stay synchronous as torchvision's.
    const data = Uint8Array.from(out.storage.backend.readSync!(out.strided));
    return { width: outW, height: outH, channels: c as Image['channels'], data };
  }
}
