/**
 * torch.nn.functional.interpolate: resampling [N, C, d1, …] one spatial dim at a time. Each output
 * position's source positions and weights depend on shapes only, so they are worked out on the host
 * (in float32, as PyTorch's CPU kernels do for float32) and applied as index selects and a weighted
 * sum: differentiable, and the same ops on every backend.
 */
import { argTypeError, keys, namedArgs } from '../../args.ts';
import { fromHost } from '../../tensor/create.ts';
import { formatShape } from '../../tensor/shape.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { adaptiveAvgPool2d } from './conv.ts';

export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'trilinear' | 'area';

export interface InterpolateOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
  antialias?: boolean;
}

const MODES = 'nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact';
/** The input rank each interpolating mode needs. */
const RANK: Partial<Record<InterpolateMode, number>> = { linear: 3, bilinear: 4, trilinear: 5 };

/** For one dim: each output position's two source indices and the second one's weight. */
function sourcePositions(
  mode: InterpolateMode,
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  scaleFactor: number | null,
): { lo: Int32Array; hi: Int32Array; weight: Float32Array } {
  const f = Math.fround;
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const weight = new Float32Array(outSize);
  // PyTorch's area_pixel_compute_scale (in float for float32 inputs).
  const scale = alignCorners
    ? outSize > 1
      ? f((inSize - 1) / (outSize - 1))
      : 0
    : scaleFactor !== null
      ? f(1 / scaleFactor)
      : f(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (mode === 'nearest' || mode === 'nearest-exact') {
      const at = mode === 'nearest' ? f(o * scale) : f(f(o + 0.5) * scale);
      lo[o] = hi[o] = Math.min(Math.floor(at), inSize - 1);
      continue;
    }
    let src = alignCorners ? f(scale * o) : f(f(scale * f(o + 0.5)) - 0.5);
    if (src < 0) src = 0;
    const i0 = Math.min(Math.floor(src), inSize - 1);
    lo[o] = i0;
    hi[o] = Math.min(i0 + 1, inSize - 1);
    weight[o] = f(src - i0);
  }
  return { lo, hi, weight };
}

/** x resampled along dim d to outSize. */
function resampleDim(
  x: Tensor,
  d: number,
  mode: InterpolateMode,
  outSize: number,
  alignCorners: boolean,
  scaleFactor: number | null,
): Tensor {
  const inSize = x.shape[d]!;
  const { lo, hi, weight } = sourcePositions(mode, inSize, outSize, alignCorners, scaleFactor);
  const device = x.device;
  const index = (i: Int32Array) => fromHost(i, [outSize], { dtype: 'int32', device });
  const low = x.indexSelect(d, index(lo));
  if (mode === 'nearest' || mode === 'nearest-exact') return low;
  const shape = x.shape.map((_, i) => (i === d ? outSize : 1));
  const w = fromHost(weight, shape, { dtype: 'float32', device }).to(x.dtype);
  // (1 − λ)·x[lo] + λ·x[hi], as PyTorch's kernel weighs the two neighbours.
  return low.mul(w.neg().add(1)).add(x.indexSelect(d, index(hi)).mul(w));
}

/** A size or scale factor: one number for every spatial dim, or one each. */
function perDim(
  value: number | readonly number[],
  dims: number,
  what: 'size' | 'scale_factor',
  spatial: number[],
): number[] {
  if (typeof value === 'number') return Array<number>(dims).fill(value);
  if (!Array.isArray(value))
    throw argTypeError('torch.nn.functional.interpolate', what, 2, 'a number or a list of numbers', value);
  if (value.length !== dims)
    throw new RangeError(
      `Input and ${what === 'size' ? 'output' : 'scale_factor'} must have the same number of spatial dimensions, but got input with spatial dimensions of ${formatShape(spatial)} and ${what === 'size' ? 'output size' : 'scale_factor of shape'} of (${value.join(', ')}). Please provide input tensor in (N, C, d1, d2, ...,dK) format and ${what === 'size' ? 'output size in (o1, o2, ...,oK)' : 'scale_factor in (s1, s2, ...,sK)'} format.`,
    );
  return [...value];
}

/**
 * torch.nn.functional.interpolate(input, size=None, scale_factor=None, mode='nearest',
 * align_corners=None, recompute_scale_factor=None): 'nearest', 'nearest-exact', 'linear' (3-D),
 * 'bilinear' (4-D), 'trilinear' (5-D), 'area' (adaptive average pooling, 3-D or 4-D).
 */
export function interpolate(
  input: Tensor,
  size?: number | readonly number[] | null,
  scaleFactor?: number | readonly number[] | null,
  mode?: InterpolateMode,
  alignCorners?: boolean | null,
  recomputeScaleFactor?: boolean | null,
): Tensor;
export function interpolate(input: Tensor, options: InterpolateOptions): Tensor;
export function interpolate(input: Tensor, ...rest: unknown[]): Tensor {
  const call = 'torch.nn.functional.interpolate';
  const o = namedArgs<InterpolateOptions>(
    call,
    ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor'],
    rest,
    keys<InterpolateOptions>({
      size: 1,
      scaleFactor: 1,
      mode: 1,
      alignCorners: 1,
      recomputeScaleFactor: 1,
      antialias: 1,
    }),
  );
  const mode = o.mode ?? 'nearest';
  const size = o.size ?? null;
  const scaleFactor = o.scaleFactor ?? null;
  const alignCorners = o.alignCorners ?? null;
  const known = ['nearest', 'nearest-exact', 'linear', 'bilinear', 'trilinear', 'area'];
  if (input.ndim < 3 || input.ndim > 5 || !known.includes(mode))
    throw new RangeError(
      `Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.ndim}D) for the modes: ${MODES} (got ${mode})`,
    );
  if (size !== null && scaleFactor !== null) throw new RangeError('only one of size or scale_factor should be defined');
  if (size === null && scaleFactor === null) throw new RangeError('either size or scale_factor should be defined');
  if (alignCorners !== null && !(mode in RANK))
    throw new RangeError(
      'align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear',
    );
  if (o.antialias) throw new RangeError('Anti-alias option is only supported for bilinear and bicubic modes');
  const need = RANK[mode];
  if (need !== undefined && input.ndim !== need)
    throw new RangeError(`Got ${input.ndim}D input, but ${mode} mode needs ${need}D input`);
  const spatial = input.shape.slice(2);
  const dims = spatial.length;
  const scales = scaleFactor === null ? null : perDim(scaleFactor, dims, 'scale_factor', spatial);
  const out = size !== null ? perDim(size, dims, 'size', spatial) : spatial.map((n, i) => Math.floor(n * scales![i]!));
  if (mode === 'area') {
    if (dims === 1) return adaptiveAvgPool2d(input.unsqueeze(2), [1, out[0]!]).squeeze(2);
    if (dims === 2) return adaptiveAvgPool2d(input, out);
    throw new RangeError("mode 'area' is supported here for 3-D and 4-D inputs");
  }
  // With recomputeScaleFactor the given factors only size the output; the mapping then uses in/out.
  const mapping = o.recomputeScaleFactor ? null : scales;
  let y = input;
  for (let i = 0; i < dims; i++) {
    y = resampleDim(y, i + 2, mode, out[i]!, alignCorners ?? false, mapping ? mapping[i]! : null);
  }
  return y;
}
