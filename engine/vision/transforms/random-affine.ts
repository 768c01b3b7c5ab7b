/**
 * transforms.RandomAffine(degrees, { translate, scale, shear, interpolation = 'nearest', fill = 0,
 * center }): a random rotation (clockwise by the drawn angle, as F.affine), translation, scale and
 * shear about the centre. The draws follow torchvision's get_params: angle, then (with translate)
 * tx and ty rounded half to even, then (with scale) the scale, then (with shear) shear x and, for
 * four shear values, shear y. Tensors and images are warped as torchvision warps them (affine.ts).
 */
import { checkKeys, keys } from '../../args.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { isImageLike, type Image, type ImageLike } from '../image.ts';
import { affineImage, affineTensor, inverseAffineMatrix } from './affine.ts';
import {
  angleRange,
  checkFill,
  checkInterpolation,
  fillPerChannel,
  roundHalfEven,
  sequence,
  uniform,
  type InterpolationMode,
} from './args.ts';
import { imageFill } from './random-rotation.ts';
import { generatorOf, type RandomOptions } from './transform.ts';

export interface RandomAffineOptions extends RandomOptions {
  /** Largest shift as fractions [a, b] of the width and height: tx in ±a·W, ty in ±b·H. */
  translate?: readonly [number, number];
  /** Scale factor range [min, max]. */
  scale?: readonly [number, number];
  /** Shear in degrees: s (x in ±s), [min, max] (x), or [xMin, xMax, yMin, yMax]. */
  shear?: number | readonly number[];
  interpolation?: InterpolationMode;
  fill?: number | readonly number[];
  /** Centre [x, y] in pixels (default: the image's centre). */
  center?: readonly [number, number];
}

export interface AffineParams {
  angle: number;
  translate: [number, number];
  scale: number;
  shear: [number, number];
}

export class RandomAffine {
  readonly degrees: number[];
  readonly translate: [number, number] | undefined;
  readonly scale: [number, number] | undefined;
  readonly shear: number[] | undefined;
  readonly interpolation: InterpolationMode;
  readonly fill: number | number[];
  readonly center: [number, number] | undefined;

  constructor(
    degrees: number | readonly number[],
    private readonly options: RandomAffineOptions = {},
  ) {
    checkKeys(
      'transforms.RandomAffine',
      options,
      keys<RandomAffineOptions>({
        translate: 1,
        scale: 1,
        shear: 1,
        interpolation: 1,
        fill: 1,
        center: 1,
        generator: 1,
      }),
    );
    this.degrees = angleRange(degrees, 'degrees');
    if (options.translate !== undefined) {
      const t = sequence(options.translate, 'translate', [2]);
      if (t.some((v) => v < 0 || v > 1)) throw new RangeError('translation values should be between 0 and 1');
      this.translate = t as [number, number];
    }
    if (options.scale !== undefined) {
      const s = sequence(options.scale, 'scale', [2]);
      if (s.some((v) => v <= 0)) throw new RangeError('scale values should be positive');
      this.scale = s as [number, number];
    }
    if (options.shear !== undefined) this.shear = angleRange(options.shear, 'shear', [2, 4]);
    this.interpolation = checkInterpolation(options.interpolation ?? 'nearest', 'RandomAffine');
    this.fill = checkFill(options.fill ?? 0, 'RandomAffine');
    this.center =
      options.center === undefined ? undefined : (sequence(options.center, 'center', [2]) as [number, number]);
  }

  /** One call's parameters for an image of `width` × `height` (torchvision's get_params, same draw order). */
  getParams(width: number, height: number): AffineParams {
    const g = generatorOf(this.options);
    const angle = uniform(g, this.degrees[0]!, this.degrees[1]!);
    let translate: [number, number] = [0, 0];
    if (this.translate) {
      const maxDx = this.translate[0] * width;
      const maxDy = this.translate[1] * height;
      translate = [roundHalfEven(uniform(g, -maxDx, maxDx)), roundHalfEven(uniform(g, -maxDy, maxDy))];
    }
    const scale = this.scale ? uniform(g, this.scale[0], this.scale[1]) : 1;
    const shear: [number, number] = [0, 0];
    if (this.shear) {
      shear[0] = uniform(g, this.shear[0]!, this.shear[1]!);
      if (this.shear.length === 4) shear[1] = uniform(g, this.shear[2]!, this.shear[3]!);
    }
    return { angle, translate, scale, shear };
  }

  // The tensor overload is last: type inference (e.g. Compose's) reads the last one.
  call(input: ImageLike): Image;
  call(input: Tensor): Tensor;
  call(input: Tensor | ImageLike): Tensor | Image {
    if (!(input instanceof Tensor) && !isImageLike(input))
      throw new TypeError('RandomAffine: input should be a Tensor [..., H, W] or an image');
    if (input instanceof Tensor) {
      const [h, w] = input.shape.slice(-2) as [number, number];
      const p = this.getParams(w, h);
      const center: [number, number] = this.center ? [this.center[0] - w * 0.5, this.center[1] - h * 0.5] : [0, 0];
      const c = input.ndim >= 3 ? input.shape[input.ndim - 3]! : 1;
      const m = inverseAffineMatrix(center, p.angle, p.translate, p.scale, p.shear);
      return affineTensor(input, m, this.interpolation, fillPerChannel(this.fill, c, 'RandomAffine'));
    }
    if (this.interpolation !== 'nearest')
      throw new RangeError("RandomAffine: images are warped with 'nearest' only; use bilinear after ToTensor");
    const p = this.getParams(input.width, input.height);
    const center = this.center ?? [input.width * 0.5, input.height * 0.5];
    const m = inverseAffineMatrix(center, p.angle, p.translate, p.scale, p.shear);
    return affineImage(input, m, imageFill(this.fill, input, 'RandomAffine'));
  }
}
