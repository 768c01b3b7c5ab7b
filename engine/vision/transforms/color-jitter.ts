/**
 * transforms.ColorJitter({ brightness, contrast, saturation, hue }): each factor is drawn
 * uniformly from its range, and the adjustments are applied in a random order, as torchvision
 * draws them: first a permutation of the four, then brightness, contrast, saturation and hue
 * factors (each only when it is set). A number b means [max(0, 1 − b), 1 + b]; [min, max] is used
 * as it is.
 *
 * Tensors (float, values in [0, 1]) blend as torchvision's functional_tensor does:
 * clamp(f·x + (1 − f)·other, 0, 1), where other is 0 (brightness), the mean of the grayscale
 * image (contrast) or the grayscale image (saturation). Images blend as PIL's ImageEnhance does,
 * in float32 and truncated to bytes (contrast's mean rounded to an integer first); alpha is kept.
 * Hue leaves gray images unchanged, as torchvision does; a hue shift of colour images is not
 * supported yet and says so.
 */
import { checkKeys, keys } from '../../args.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { channelsOf, isImageLike, type Image, type ImageLike } from '../image.ts';
import { luma } from '../../io/pixels.ts';
import { isNumber, uniform } from './args.ts';
import { rgbToGrayscale } from './grayscale.ts';
import { generatorOf, type RandomOptions } from './transform.ts';

type Range = [number, number];

export interface ColorJitterOptions extends RandomOptions {
  brightness?: number | Range;
  contrast?: number | Range;
  saturation?: number | Range;
  hue?: number | Range;
}

/** torchvision's _check_input; null when the range is the identity. */
function checkRange(
  value: unknown,
  name: string,
  center: number,
  bound: Range,
  clipFirstOnZero: boolean,
): Range | null {
  let range: number[];
  if (isNumber(value)) {
    if (value < 0) throw new RangeError(`If ${name} is a single number, it must be non negative.`);
    range = [center - value, center + value];
    if (clipFirstOnZero) range[0] = Math.max(range[0]!, 0);
  } else if (Array.isArray(value) && value.length === 2 && value.every(isNumber)) {
    range = [...(value as number[])];
    if (!(bound[0] <= range[0]! && range[0]! <= range[1]! && range[1]! <= bound[1]))
      throw new RangeError(
        `${name} values should be between (${bound[0]}, ${bound[1]}), but got [${range.join(', ')}].`,
      );
  } else {
    throw new TypeError(`${name} should be a single number or a list/tuple with length 2.`);
  }
  return range[0] === center && range[1] === center ? null : (range as Range);
}

const f = Math.fround;

/** PIL's Image.blend(degenerate, image, factor) on 8-bit bands, alpha (if any) kept. */
function blendImage(image: ImageLike, degenerate: (p: number, k: number) => number, factor: number): Image {
  const c = channelsOf(image, 'ColorJitter');
  const colour = c === 4 ? 3 : c;
  const alpha = f(factor);
  const data = new Uint8Array(image.data);
  for (let p = 0; p < image.width * image.height; p++) {
    for (let k = 0; k < colour; k++) {
      const d = degenerate(p, k);
      const v = f(d + f(alpha * (image.data[p * c + k]! - d)));
      data[p * c + k] = v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v);
    }
  }
  return { width: image.width, height: image.height, channels: c as Image['channels'], data };
}

function grayOf(image: ImageLike): (p: number) => number {
  const c = channelsOf(image, 'ColorJitter');
  return c === 1
    ? (p) => image.data[p]!
    : (p) => luma(image.data[p * c]!, image.data[p * c + 1]!, image.data[p * c + 2]!);
}

function blendTensor(x: Tensor, other: Tensor | number, factor: number): Tensor {
  const mixed = x.mul(factor).add(typeof other === 'number' ? other * (1 - factor) : other.mul(1 - factor));
  return mixed.clamp(0, 1);
}

function channelsOfTensor(x: Tensor): number {
  if (x.ndim < 3) throw new RangeError('ColorJitter: expected a tensor image [..., C, H, W]');
  return x.shape[x.ndim - 3]!;
}

const adjust = {
  brightness: {
    tensor: (x: Tensor, factor: number) => blendTensor(x, 0, factor),
    image: (img: ImageLike, factor: number) => blendImage(img, () => 0, factor),
  },
  contrast: {
    tensor: (x: Tensor, factor: number) =>
      blendTensor(x, rgbToGrayscale(x, 'ColorJitter').mean({ dim: [-3, -2, -1], keepdim: true }), factor),
    image: (img: ImageLike, factor: number) => {
      const gray = grayOf(img);
      let sum = 0;
      for (let p = 0; p < img.width * img.height; p++) sum += gray(p);
      const mean = Math.trunc(sum / (img.width * img.height) + 0.5);
      return blendImage(img, () => mean, factor);
    },
  },
  saturation: {
    tensor: (x: Tensor, factor: number) =>
      channelsOfTensor(x) === 1 ? x : blendTensor(x, rgbToGrayscale(x, 'ColorJitter'), factor),
    image: (img: ImageLike, factor: number) => {
      const gray = grayOf(img);
      return blendImage(img, (p) => gray(p), factor);
    },
  },
  hue: {
    tensor: (x: Tensor) => {
      if (channelsOfTensor(x) === 1) return x;
      throw new RangeError('ColorJitter: a hue shift of colour images is not supported yet');
    },
    image: (img: ImageLike) => {
      if (channelsOf(img, 'ColorJitter') === 1) return img;
      throw new RangeError('ColorJitter: a hue shift of colour images is not supported yet');
    },
  },
};

const ORDER = ['brightness', 'contrast', 'saturation', 'hue'] as const;

export class ColorJitter {
  readonly brightness: Range | null;
  readonly contrast: Range | null;
  readonly saturation: Range | null;
  readonly hue: Range | null;

  constructor(private readonly options: ColorJitterOptions = {}) {
    checkKeys(
      'transforms.ColorJitter',
      options,
      keys<ColorJitterOptions>({ brightness: 1, contrast: 1, saturation: 1, hue: 1, generator: 1 }),
    );
    this.brightness = checkRange(options.brightness ?? 0, 'brightness', 1, [0, Infinity], true);
    this.contrast = checkRange(options.contrast ?? 0, 'contrast', 1, [0, Infinity], true);
    this.saturation = checkRange(options.saturation ?? 0, 'saturation', 1, [0, Infinity], true);
    this.hue = checkRange(options.hue ?? 0, 'hue', 0, [-0.5, 0.5], false);
  }

  /** torchvision's get_params: the order, then each set factor. */
  getParams(): { order: number[]; factors: (number | null)[] } {
    const g = generatorOf(this.options);
    const order = Array.from(g.permutation(4));
    const factors = ORDER.map((name) => {
      const r = this[name];
      return r ? uniform(g, r[0], r[1]) : null;
    });
    return { order, factors };
  }

  // The tensor overload is last: type inference (e.g. Compose's) reads the last one.
  call(input: ImageLike): Image | ImageLike;
  call(input: Tensor): Tensor;
  call(input: Tensor | ImageLike): Tensor | Image | ImageLike {
    if (!(input instanceof Tensor) && !isImageLike(input))
      throw new TypeError('ColorJitter: input should be a Tensor [..., C, H, W] or an image');
    const { order, factors } = this.getParams();
    let out: Tensor | ImageLike = input;
    for (const k of order) {
      const factor = factors[k];
      if (factor === null || factor === undefined) continue;
      const fn = adjust[ORDER[k]!];
      out = out instanceof Tensor ? fn.tensor(out, factor) : fn.image(out, factor);
    }
    return out;
  }
}
