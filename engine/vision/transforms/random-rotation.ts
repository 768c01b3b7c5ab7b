/**
 * transforms.RandomRotation(degrees, { interpolation = 'nearest', expand = false, center, fill = 0 }):
 * rotates by an angle drawn uniformly from [−degrees, degrees] (or [min, max]), counter-clockwise,
 * about the image centre. A tensor is warped as torchvision's F.rotate warps tensors; an image as
 * PIL's Image.rotate does (its matrix rounded to 15 decimals, as PIL rounds it). See affine.ts.
 */
import { checkKeys, keys } from '../../args.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { channelsOf, isImageLike, type Image, type ImageLike } from '../image.ts';
import { affineImage, affineTensor, inverseAffineMatrix, type Matrix } from './affine.ts';
import {
  angleRange,
  checkFill,
  checkInterpolation,
  fillPerChannel,
  sequence,
  uniform,
  type InterpolationMode,
} from './args.ts';
import { generatorOf, type RandomOptions } from './transform.ts';

export interface RandomRotationOptions extends RandomOptions {
  interpolation?: InterpolationMode;
  /** Grow the output to hold the whole rotated image (default false). */
  expand?: boolean;
  /** The centre of rotation [x, y] in pixels (default: the image's centre). */
  center?: readonly [number, number];
  /** The value of pixels from outside the image: one number, or one per channel (default 0). */
  fill?: number | readonly number[];
}

/** Python's round(x, 15), as PIL rounds the rotation matrix. */
const round15 = (x: number) => Number(x.toFixed(15));

/** PIL's Image.rotate(angle, center=…) matrix (without expand). */
export function pilRotationMatrix(angle: number, center: readonly [number, number]): Matrix {
  const a = -((angle % 360) * Math.PI) / 180;
  const m: Matrix = [round15(Math.cos(a)), round15(Math.sin(a)), 0, round15(-Math.sin(a)), round15(Math.cos(a)), 0];
  const [cx, cy] = center;
  m[2] = m[0] * -cx + m[1] * -cy + cx;
  m[5] = m[3] * -cx + m[4] * -cy + cy;
  return m;
}

/** Integer image fill values, as torchvision's _parse_fill makes them for PIL. */
export function imageFill(fill: number | number[], image: ImageLike, what: string): number[] {
  return fillPerChannel(fill, channelsOf(image, what), what).map((v) => Math.min(255, Math.max(0, Math.trunc(v))));
}

export class RandomRotation {
  readonly degrees: number[];
  readonly interpolation: InterpolationMode;
  readonly expand: boolean;
  readonly center: [number, number] | undefined;
  readonly fill: number | number[];

  constructor(
    degrees: number | readonly number[],
    private readonly options: RandomRotationOptions = {},
  ) {
    checkKeys(
      'transforms.RandomRotation',
      options,
      keys<RandomRotationOptions>({ interpolation: 1, expand: 1, center: 1, fill: 1, generator: 1 }),
    );
    this.degrees = angleRange(degrees, 'degrees');
    this.interpolation = checkInterpolation(options.interpolation ?? 'nearest', 'RandomRotation');
    this.expand = options.expand ?? false;
    if (this.expand) throw new RangeError('RandomRotation: expand=true is not supported yet; crop or pad instead');
    this.center =
      options.center === undefined ? undefined : (sequence(options.center, 'center', [2]) as [number, number]);
    this.fill = checkFill(options.fill ?? 0, 'RandomRotation');
  }

  /** The angle for one call (torchvision's get_params): uniform in [degrees[0], degrees[1]). */
  getParams(): number {
    return uniform(generatorOf(this.options), this.degrees[0]!, this.degrees[1]!);
  }

  // The tensor overload is last: type inference (e.g. Compose's) reads the last one.
  call(input: ImageLike): Image;
  call(input: Tensor): Tensor;
  call(input: Tensor | ImageLike): Tensor | Image {
    const isTensor = input instanceof Tensor;
    if (!isTensor && !isImageLike(input))
      throw new TypeError('RandomRotation: input should be a Tensor [..., H, W] or an image');
    const angle = this.getParams();
    if (input instanceof Tensor) {
      const [h, w] = input.shape.slice(-2) as [number, number];
      const center: [number, number] = this.center ? [this.center[0] - w * 0.5, this.center[1] - h * 0.5] : [0, 0];
      const c = input.ndim >= 3 ? input.shape[input.ndim - 3]! : 1;
      const m = inverseAffineMatrix(center, -angle, [0, 0], 1, [0, 0]);
      return affineTensor(input, m, this.interpolation, fillPerChannel(this.fill, c, 'RandomRotation'));
    }
    if (this.interpolation !== 'nearest')
      throw new RangeError("RandomRotation: images are rotated with 'nearest' only; use bilinear after ToTensor");
    const center = this.center ?? [input.width / 2, input.height / 2];
    return affineImage(input, pilRotationMatrix(angle, center), imageFill(this.fill, input, 'RandomRotation'));
  }
}
