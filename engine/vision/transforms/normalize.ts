/** transforms.Normalize: (x − mean[c]) / std[c] for each channel c of a [..., C, H, W] tensor. */
import { fromHost } from '../../tensor/create.ts';
import { isFloatingPoint, hostArray } from '../../dtype.ts';
import { formatShape } from '../../tensor/shape.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { isNumber, sequence } from './args.ts';

export class Normalize {
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** The [C, 1, 1] mean and std tensors last used, by dtype, device and C: a per-image pipeline reuses them. */
  private cached: { key: string; mean: Tensor; std: Tensor } | null = null;

  constructor(mean: number | readonly number[], std: number | readonly number[]) {
    if (mean === undefined || std === undefined)
      throw new TypeError(
        "Normalize needs 'mean' and 'std', one number per channel: new Normalize([0.1307], [0.3081]) for MNIST",
      );
    this.mean = perChannelValues(mean, 'mean');
    this.std = perChannelValues(std, 'std');
    const zero = this.std.findIndex((s) => Math.fround(s) === 0);
    if (zero >= 0)
      throw new RangeError(
        `Normalize: std[${zero}] evaluated to zero after conversion to float32, leading to division by zero`,
      );
  }

  call(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new TypeError('Normalize: input should be a Tensor (apply ToTensor first)');
    if (!isFloatingPoint(x.dtype))
      throw new TypeError(`Normalize: input tensor should be a float tensor, got ${x.dtype}`);
    if (x.ndim < 3)
      throw new RangeError(`Normalize: expected a tensor image of size (..., C, H, W), got ${formatShape(x.shape)}`);
    const c = x.shape[x.ndim - 3]!;
    const key = `${x.dtype} ${x.device} ${c}`;
    if (this.cached?.key !== key) {
      this.cached = {
        key,
        mean: this.perChannel(this.mean, c, x, 'mean'),
        std: this.perChannel(this.std, c, x, 'std'),
      };
    }
    return x.sub(this.cached.mean).div(this.cached.std);
  }

  /** A [C, 1, 1] (or [1, 1, 1]) tensor of x's dtype and device, broadcasting over H and W. */
  private perChannel(values: readonly number[], c: number, x: Tensor, what: string): Tensor {
    if (values.length !== 1 && values.length !== c) {
      throw new RangeError(`Normalize: ${what} has ${values.length} values but the image has ${c} channels`);
    }
    const host = hostArray(x.dtype, values.length);
    host.set(values);
    return fromHost(host, [values.length, 1, 1], { dtype: x.dtype, device: x.device });
  }
}

/** A number or a non-empty sequence of numbers, as a list. */
function perChannelValues(x: unknown, name: string): number[] {
  if (isNumber(x)) return [x];
  if (Array.isArray(x) && x.length > 0) return sequence(x, `Normalize: ${name}`, [x.length]);
  throw new TypeError(`Normalize: ${name} should be a number or a sequence of numbers, got ${JSON.stringify(x)}`);
}
