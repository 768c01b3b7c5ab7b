/**
 * transforms.RandomErasing({ p = 0.5, scale = [0.02, 0.33], ratio = [0.3, 3.3], value = 0,
 * inplace = false }): with probability p, erases a random rectangle of a tensor image [..., C, H, W]
 * (torchvision erases tensors only). The draws follow torchvision's get_params: up to 10 tries of
 * an area fraction in `scale` and a log-uniform aspect ratio in `ratio`, h = round(√(area·ratio)),
 * w = round(√(area / ratio)) (half to even); the first that fits is placed at a uniform row, then
 * column. value: a number, one per channel, or 'random' (standard normal noise).
 */
import { checkKeys, keys } from '../../args.ts';
import { fromHost, randn } from '../../tensor/create.ts';
import { where } from '../../ops/elementwise.ts';
import { formatShape } from '../../tensor/shape.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { isNumber, roundHalfEven, uniform } from './args.ts';
import { generatorOf, type RandomOptions } from './transform.ts';

export interface RandomErasingOptions extends RandomOptions {
  p?: number;
  scale?: readonly [number, number];
  ratio?: readonly [number, number];
  value?: number | readonly number[] | 'random';
  inplace?: boolean;
}

export interface ErasingParams {
  i: number;
  j: number;
  h: number;
  w: number;
  /** The fill: [C or 1] values, or a [C, h, w] CPU noise tensor; null when nothing is erased. */
  v: number[] | Tensor | null;
}

export class RandomErasing {
  readonly p: number;
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly value: number[] | 'random';
  readonly inplace: boolean;

  constructor(private readonly options: RandomErasingOptions = {}) {
    checkKeys(
      'transforms.RandomErasing',
      options,
      keys<RandomErasingOptions>({ p: 1, scale: 1, ratio: 1, value: 1, inplace: 1, generator: 1 }),
    );
    const { p = 0.5, scale = [0.02, 0.33], ratio = [0.3, 3.3], value = 0, inplace = false } = options;
    if (!(isNumber(value) || value === 'random' || (Array.isArray(value) && value.every(isNumber)))) {
      throw new TypeError(
        typeof value === 'string'
          ? "If value is str, it should be 'random'"
          : 'Argument value should be either a number or str or a sequence',
      );
    }
    if (!Array.isArray(scale) || scale.length !== 2) throw new TypeError('Scale should be a sequence');
    if (!Array.isArray(ratio) || ratio.length !== 2) throw new TypeError('Ratio should be a sequence');
    if (scale[0] > scale[1] || ratio[0] > ratio[1])
      throw new RangeError('Scale and ratio should be of kind (min, max)');
    if (scale[0] < 0 || scale[1] > 1) throw new RangeError('Scale should be between 0 and 1');
    if (!(p >= 0 && p <= 1)) throw new RangeError('Random erasing probability should be between 0 and 1');
    this.p = p;
    this.scale = [scale[0], scale[1]];
    this.ratio = [ratio[0], ratio[1]];
    this.value = value === 'random' ? 'random' : isNumber(value) ? [value] : [...value];
    this.inplace = inplace;
  }

  /** torchvision's get_params for an image [..., C, H, W]. */
  getParams(x: Tensor): ErasingParams {
    const g = generatorOf(this.options);
    const [c, imgH, imgW] = x.shape.slice(-3) as [number, number, number];
    const area = imgH * imgW;
    const logRatio = [Math.fround(Math.log(this.ratio[0])), Math.fround(Math.log(this.ratio[1]))] as const;
    for (let attempt = 0; attempt < 10; attempt++) {
      const eraseArea = area * uniform(g, this.scale[0], this.scale[1]);
      const aspect = Math.fround(Math.exp(uniform(g, logRatio[0], logRatio[1])));
      const h = roundHalfEven(Math.sqrt(eraseArea * aspect));
      const w = roundHalfEven(Math.sqrt(eraseArea / aspect));
      if (!(h < imgH && w < imgW)) continue;
      const v = this.value === 'random' ? randn([c, h, w], { generator: g }) : this.value;
      const i = g.integer(0, imgH - h + 1);
      const j = g.integer(0, imgW - w + 1);
      return { i, j, h, w, v };
    }
    return { i: 0, j: 0, h: imgH, w: imgW, v: null };
  }

  call(x: Tensor): Tensor {
    if (!(x instanceof Tensor))
      throw new TypeError('RandomErasing: img should be a Tensor image [..., C, H, W] (apply ToTensor first)');
    if (x.ndim < 3)
      throw new RangeError(`RandomErasing: expected a tensor image [..., C, H, W], got ${formatShape(x.shape)}`);
    const c = x.shape[x.ndim - 3]!;
    if (Array.isArray(this.value) && this.value.length !== 1 && this.value.length !== c) {
      throw new RangeError(
        `If value is a sequence, it should have either a single value or ${c} (number of input channels)`,
      );
    }
    if (!(generatorOf(this.options).uniform24() < this.p)) return x;
    const { i, j, h, w, v } = this.getParams(x);
    if (v === null) return x;
    const [imgH, imgW] = x.shape.slice(-2) as [number, number];
    const inside = new Uint8Array(imgH * imgW);
    for (let y = i; y < i + h; y++) inside.fill(1, y * imgW + j, y * imgW + j + w);
    const mask = fromHost(inside, [imgH, imgW], { dtype: 'bool', device: x.device });
    let fill: Tensor;
    if (v instanceof Tensor) {
      // The noise patch placed at (i, j) of a full-size plane.
      const plane = new Float32Array(c * imgH * imgW);
      // Made on the CPU, which reads back synchronously: transforms stay synchronous, as torchvision's.
      const values = v.storage.backend.readSync!(v.strided) as Float32Array;
      for (let k = 0; k < c; k++)
        for (let y = 0; y < h; y++)
          for (let xx = 0; xx < w; xx++) plane[(k * imgH + i + y) * imgW + j + xx] = values[(k * h + y) * w + xx]!;
      fill = fromHost(plane, [c, imgH, imgW], { dtype: x.dtype, device: x.device });
    } else {
      fill = fromHost(Float32Array.from(v.length === 1 ? Array(c).fill(v[0]) : v), [c, 1, 1], {
        dtype: x.dtype,
        device: x.device,
      });
    }
    const erased = where(mask, fill, x);
    return this.inplace ? x.copy_(erased) : erased;
  }
}
