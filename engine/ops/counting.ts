/**
 * bincount and histc: counts by value, as scatterAdd into a zero tensor (deterministic on both
 * backends: duplicates are summed in index order).
 */
import { keys, optionsOf } from '../args.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { formatShape } from '../tensor/shape.ts';
import { emptyTensor, scalarTensor } from './kernels.ts';

export interface BincountOptions {
  weights?: Tensor | null;
  minlength?: number;
}

/** x's values read back at once, where the device can answer synchronously (the CPU can). */
function readNow(x: Tensor): ArrayLike<number> | null {
  const backend = x.storage.backend;
  return backend.readSync ? backend.readSync(x.strided) : null;
}

/**
 * torch.bincount(x, weights=None, minlength=0): out[v] counts (or sums the weights of) the entries
 * equal to v; length max(x) + 1, at least minlength. Counts are int32 (PyTorch: int64), weighted
 * sums have the weights' dtype. The length depends on the values: a device that cannot read them at
 * once (WebGPU) makes minlength bins, and a value ≥ minlength raises an index error at the next read.
 */
export function bincount(x: Tensor, options?: BincountOptions | null): Tensor {
  const { weights = null, minlength = 0 } = optionsOf<BincountOptions>(
    'torch.bincount',
    options,
    keys<BincountOptions>({ weights: 1, minlength: 1 }),
  );
  if (x.ndim !== 1 || x.dtype !== 'int32') {
    throw new TypeError(
      `bincount only supports 1-d non-negative integral inputs (got ${x.dtype} of shape ${formatShape(x.shape)})`,
    );
  }
  if (!Number.isInteger(minlength) || minlength < 0) throw new RangeError(`minlength should be >= 0, got ${minlength}`);
  if (weights && (weights.ndim !== 1 || weights.shape[0] !== x.shape[0])) {
    throw new RangeError(
      `weights should be 1-d and have the same length as input (input ${formatShape(x.shape)}, weights ${formatShape(weights.shape)})`,
    );
  }
  let length = minlength;
  const values = readNow(x);
  if (values) {
    let max = -1;
    for (let i = 0; i < values.length; i++) {
      if (values[i]! < 0)
        throw new RangeError(`bincount only supports 1-d non-negative integral inputs (got ${values[i]})`);
      max = Math.max(max, values[i]!);
    }
    length = Math.max(minlength, max + 1);
  } else if (minlength === 0 && x.numel() > 0) {
    throw new Error(
      `bincount on ${x.device} needs minlength > the largest value: finding it would wait for the device`,
    );
  }
  const src = weights ?? scalarTensor(1, 'int32', x.device).expand(x.shape);
  const base = emptyTensor([length], src.dtype, x.device);
  return base.scatterAdd(0, x, src);
}

/**
 * torch.histc(x, bins=100, min=0, max=0): a histogram of `bins` equal bins over [min, max] (over
 * x's own min and max when both are 0); values outside are ignored, max itself counts in the last
 * bin. Float, x's dtype; no gradient (as in PyTorch).
 */
export function histc(x: Tensor, bins = 100, min = 0, max = 0): Tensor {
  if (!Number.isInteger(bins) || bins <= 0)
    throw new RangeError(`torch.histogram(): bins must be > 0, but got ${bins}`);
  if (x.dtype === 'int32' || x.dtype === 'bool')
    throw new TypeError(`histc: "histogram_cpu" not implemented for '${x.dtype}'`);
  let lo = min;
  let hi = max;
  if (lo === 0 && hi === 0 && x.numel() > 0) {
    const values = readNow(x.detach().contiguous());
    if (!values) throw new Error(`histc on ${x.device} needs min and max: finding them would wait for the device`);
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      lo = Math.min(lo, values[i]!);
      hi = Math.max(hi, values[i]!);
    }
  }
  if (lo > hi) throw new RangeError(`max must be larger than min (min ${lo}, max ${hi})`);
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const flat = x.detach().reshape([-1]);
  const inside = flat.ge(lo).logicalAnd(flat.le(hi));
  // Bin of v: floor((v − lo)·bins / (hi − lo)), with v = hi in the last bin; outside values weigh 0.
  const bin = flat
    .sub(lo)
    .mul(bins / (hi - lo))
    .floor()
    .clamp(0, bins - 1)
    .to('int32');
  const weight = inside.to(x.dtype);
  return emptyTensor([bins], x.dtype, x.device).scatterAdd(0, bin, weight);
}
