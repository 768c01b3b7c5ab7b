/**
 * conv2d and max_pool2d as im2col: every window of the input (padding included) becomes a column
 * of a matrix [C·kh·kw, Ho·Wo] per image (unfold.ts), then a convolution is one batched matmul and
 * a max pool one max over each window. Both are built from differentiable ops, so their
 * gradients (and gradients of gradients) come from autograd and run on any backend.
 */
import { toAutocastDtype } from '../../amp/autocast.ts';
import { namedArgs } from '../../args.ts';
import { valuesIndices, type ValuesIndices } from '../../tensor/values-indices.ts';
import { cat } from '../../ops/indexing.ts';
import { fromHost } from '../../tensor/create.ts';
import { formatShape } from '../../tensor/shape.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { unfold, windowPositions, type WindowGeometry } from './unfold.ts';

export type Pair = number | readonly [number, number] | readonly number[];

export function pair(value: Pair, name: string): [number, number] {
  const v = typeof value === 'number' ? [value, value] : Array.isArray(value) ? [...(value as number[])] : [];
  if (v.length !== 2 || v.some((x) => !Number.isInteger(x) || x < 0)) {
    throw new RangeError(`${name} must be a non-negative integer or a pair of them, but got ${String(value)}`);
  }
  return v as [number, number];
}

function batched(input: Tensor, what: string): Tensor {
  if (input.ndim === 4) return input;
  if (input.ndim === 3) return input.unsqueeze(0);
  throw new RangeError(
    `Expected 3D (unbatched) or 4D (batched) input to ${what}, but got input of size: ${formatShape(input.shape)}`,
  );
}

function outputSize(size: number, pads: number, dilation: number, kernel: number, stride: number): number {
  return Math.floor((size + pads - dilation * (kernel - 1) - 1) / stride) + 1;
}

export interface Conv2dOptions {
  bias?: Tensor | null;
  stride?: Pair;
  /** Zero padding on each side, or 'valid' (none) or 'same' (output as large as the input; stride 1). */
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
}

/** torch.nn.functional.conv2d: input [N, C, H, W] (or [C, H, W]), weight [O, C/groups, kh, kw]. */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  stride?: Pair,
  padding?: Pair | 'valid' | 'same',
  dilation?: Pair,
  groups?: number,
): Tensor;
export function conv2d(input: Tensor, weight: Tensor, options: Conv2dOptions): Tensor;
export function conv2d(input: Tensor, weight: Tensor, ...rest: unknown[]): Tensor {
  const o = namedArgs<Conv2dOptions>(
    'torch.nn.functional.conv2d',
    ['bias', 'stride', 'padding', 'dilation', 'groups'],
    rest,
  );
  const groups = o.groups ?? 1;
  const x = batched(input, 'conv2d');
  if (weight.ndim !== 4)
    throw new RangeError(
      `weight of conv2d must be 4-D [out_channels, in_channels/groups, kH, kW], but got ${formatShape(weight.shape)}`,
    );
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [outC, groupC, kh, kw] = weight.shape as [number, number, number, number];
  if (!Number.isInteger(groups) || groups < 1 || outC % groups !== 0)
    throw new RangeError(`groups must be a positive integer dividing out_channels (${outC}), got ${groups}`);
  if (c !== groupC * groups) {
    throw new RangeError(
      `Given groups=${groups}, weight of size ${formatShape(weight.shape)}, expected input${formatShape(x.shape)} to have ${groupC * groups} channels, but got ${c} channels instead`,
    );
  }
  const stride = pair(o.stride ?? 1, 'stride');
  const dilation = pair(o.dilation ?? 1, 'dilation');
  const [padTop, padBottom, padLeft, padRight] = convPadding(o.padding ?? 0, stride, dilation, [kh, kw]);
  const out: [number, number] = [
    outputSize(h, padTop + padBottom, dilation[0], kh, stride[0]),
    outputSize(wd, padLeft + padRight, dilation[1], kw, stride[1]),
  ];
  if (out[0] <= 0 || out[1] <= 0) {
    throw new RangeError(
      `Calculated padded input size per channel: (${h + padTop + padBottom} x ${wd + padLeft + padRight}). ` +
        `Kernel size: (${dilation[0] * (kh - 1) + 1} x ${dilation[1] * (kw - 1) + 1}). Kernel size can't be greater than actual input size`,
    );
  }
  const windows: WindowGeometry = { kernel: [kh, kw], stride, dilation, padding: [padTop, padLeft], out };
  const K = kh * kw;
  const L = out[0] * out[1];
  // Per image, weight [O, C·K] × columns [C·K, L] (per group: a block of rows of each).
  const cols = unfold(x, windows, 0).reshape([n, c * K, L]);
  const outPerGroup = outC / groups;
  const perGroup = Array.from({ length: groups }, (_, g) => {
    const colsG = groups === 1 ? cols : cols.slice(1, g * groupC * K, (g + 1) * groupC * K);
    const weightG = groups === 1 ? weight : weight.slice(0, g * outPerGroup, (g + 1) * outPerGroup);
    return weightG.reshape([outPerGroup, groupC * K]).matmul(colsG);
  });
  let y = groups === 1 ? perGroup[0]! : cat(perGroup, 1);
  if (o.bias) y = y.add(toAutocastDtype(o.bias).reshape([1, outC, 1])); // autocast: the bias joins the product's dtype
  y = y.reshape([n, outC, out[0], out[1]]);
  return input.ndim === 3 ? y.squeeze(0) : y;
}

/** [top, bottom, left, right]; 'same' puts the odd extra row or column at the end, as PyTorch does. */
function convPadding(
  padding: Pair | 'valid' | 'same',
  stride: [number, number],
  dilation: [number, number],
  kernel: [number, number],
): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1)
      throw new RangeError("padding='same' is not supported for strided convolutions");
    return [0, 1].flatMap((d) => {
      const total = dilation[d]! * (kernel[d]! - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  }
  const [ph, pw] = pair(padding, 'padding');
  return [ph, ph, pw, pw];
}

export interface MaxPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
  returnIndices?: boolean;
}

/** PyTorch's pooling_output_shape, with ceil mode's rule that the last window must start inside the input. */
function poolOutputSize(
  size: number,
  kernel: number,
  pad: number,
  stride: number,
  dilation: number,
  ceilMode: boolean,
): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

/**
 * torch.nn.functional.max_pool2d. The padding is −∞, so it never wins; the gradient goes to the
 * first maximum of each window in row-major order, as PyTorch's kernel sends it.
 */
export function maxPool2d(
  input: Tensor,
  kernelSize: Pair,
  stride?: Pair | null,
  padding?: Pair,
  dilation?: Pair,
  ceilMode?: boolean,
): Tensor;
export function maxPool2d(
  input: Tensor,
  kernelSize: Pair,
  options: MaxPool2dOptions & { returnIndices?: false },
): Tensor;
export function maxPool2d(
  input: Tensor,
  kernelSize: Pair,
  options: MaxPool2dOptions & { returnIndices: true },
): ValuesIndices;
export function maxPool2d(input: Tensor, kernelSize: Pair, ...rest: unknown[]): Tensor | ValuesIndices {
  const o = namedArgs<MaxPool2dOptions>(
    'torch.nn.functional.maxPool2d',
    ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'],
    rest,
  );
  const x = batched(input, 'max_pool2d');
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const kernel = pair(kernelSize, 'kernel_size');
  const stride = pair(o.stride ?? kernel, 'stride');
  const padding = pair(o.padding ?? 0, 'padding');
  const dilation = pair(o.dilation ?? 1, 'dilation');
  if (stride[0] === 0 || stride[1] === 0) throw new RangeError('stride should be greater than zero');
  [0, 1].forEach((d) => {
    if (padding[d]! > (dilation[d]! * (kernel[d]! - 1) + 1) / 2) {
      throw new RangeError(
        `pad should be at most half of effective kernel size, but got pad=${padding[d]}, kernel_size=${kernel[d]} and dilation=${dilation[d]}`,
      );
    }
  });
  const sizes = [h, wd];
  const out = [0, 1].map((d) =>
    poolOutputSize(sizes[d]!, kernel[d]!, padding[d]!, stride[d]!, dilation[d]!, o.ceilMode ?? false),
  ) as [number, number];
  if (out[0] <= 0 || out[1] <= 0) {
    throw new RangeError(
      `Given input size: (${c}x${h}x${wd}). Calculated output size: (${c}x${out[0]}x${out[1]}). Output size is too small`,
    );
  }
  // Ceil mode's last window may run past the input: unfold reads −∞ there as in the padding.
  const windows: WindowGeometry = { kernel, stride, dilation, padding, out };
  const K = kernel[0] * kernel[1];
  const L = out[0] * out[1];
  const best = unfold(x, windows, -Infinity).reshape([n, c, K, L]).max(2);
  const shape = [n, c, out[0], out[1]];
  const values = best.values.reshape(shape);
  const unbatch = (t: Tensor) => (input.ndim === 3 ? t.squeeze(0) : t);
  if (!o.returnIndices) return unbatch(values);
  // PyTorch's indices are flat positions in each unpadded H×W plane.
  const table = fromHost(windowPositions(wd, windows, padding), [1, 1, K, L], { dtype: 'int32', device: x.device });
  const indices = table.expand([n, c, K, L]).gather(2, best.indices.unsqueeze(2)).reshape(shape);
  return valuesIndices(unbatch(values), unbatch(indices));
}

export interface AvgPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/**
 * torch.nn.functional.avg_pool2d: each window's sum (zero padding) over PyTorch's divisor: the
 * window's size clipped to the padded input (countIncludePad, the default), or to the input
 * itself, or divisorOverride.
 */
export function avgPool2d(
  input: Tensor,
  kernelSize: Pair,
  stride?: Pair | null,
  padding?: Pair,
  ceilMode?: boolean,
  countIncludePad?: boolean,
  divisorOverride?: number | null,
): Tensor;
export function avgPool2d(input: Tensor, kernelSize: Pair, options: AvgPool2dOptions): Tensor;
export function avgPool2d(input: Tensor, kernelSize: Pair, ...rest: unknown[]): Tensor {
  const o = namedArgs<AvgPool2dOptions>(
    'torch.nn.functional.avgPool2d',
    ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'],
    rest,
  );
  const x = batched(input, 'avg_pool2d');
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const kernel = pair(kernelSize, 'kernel_size');
  const stride = pair(o.stride ?? kernel, 'stride');
  const padding = pair(o.padding ?? 0, 'padding');
  if (stride[0] === 0 || stride[1] === 0) throw new RangeError('stride should be greater than zero');
  if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2)
    throw new RangeError('pad should be smaller than or equal to half of kernel size');
  const divisorOverride = o.divisorOverride ?? null;
  if (divisorOverride !== null && !(divisorOverride !== 0)) throw new RangeError('divisor must be not zero');
  const sizes = [h, wd];
  const out = [0, 1].map((d) =>
    poolOutputSize(sizes[d]!, kernel[d]!, padding[d]!, stride[d]!, 1, o.ceilMode ?? false),
  ) as [number, number];
  if (out[0] <= 0 || out[1] <= 0)
    throw new RangeError(
      `Given input size: (${c}x${h}x${wd}). Calculated output size: (${c}x${out[0]}x${out[1]}). Output size is too small`,
    );
  const windows: WindowGeometry = { kernel, stride, dilation: [1, 1], padding, out };
  const L = out[0] * out[1];
  const sums = unfold(x, windows, 0)
    .reshape([n, c, kernel[0] * kernel[1], L])
    .sum(2);
  const divisors = new Float32Array(L);
  // PyTorch's avg_pool2d kernel: a window is clipped to the padded input, then (without countIncludePad) to the input.
  const span = (i: number, d: number, clipToInput: boolean): number => {
    let start = i * stride[d]! - padding[d]!;
    let end = Math.min(start + kernel[d]!, sizes[d]! + padding[d]!);
    if (clipToInput) [start, end] = [Math.max(start, 0), Math.min(end, sizes[d]!)];
    return end - start;
  };
  const include = o.countIncludePad ?? true;
  for (let i = 0; i < out[0]; i++)
    for (let j = 0; j < out[1]; j++)
      divisors[i * out[1] + j] = divisorOverride ?? span(i, 0, !include) * span(j, 1, !include);
  const y = sums.div(fromHost(divisors, [1, 1, L], { dtype: 'float32', device: x.device }).to(sums.dtype));
  const shaped = y.reshape([n, c, out[0], out[1]]);
  return input.ndim === 3 ? shaped.squeeze(0) : shaped;
}

/**
 * torch.nn.functional.adaptive_avg_pool2d: output cell (i, j) averages rows ⌊iH/h⌋ … ⌈(i+1)H/h⌉ − 1
 * and the likewise columns. A size that divides the input is one avg_pool2d; otherwise the mean is
 * taken along H, then along W (the windows are rectangles).
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  const x = batched(input, 'adaptive_avg_pool2d');
  const sizes = x.shape.slice(2) as [number, number];
  const given = typeof outputSize === 'number' ? [outputSize, outputSize] : Array.isArray(outputSize) ? outputSize : [];
  if (given.length !== 2 || given.some((s) => s !== null && !(Number.isInteger(s) && s > 0)))
    throw new TypeError(
      `torch.nn.functional.adaptiveAvgPool2d(): output_size must be a positive int or a pair of them (null keeps the input's), not ${String(outputSize)}`,
    );
  const target = given.map((s, d) => s ?? sizes[d]!) as [number, number];
  let y: Tensor;
  if (sizes[0] % target[0] === 0 && sizes[1] % target[1] === 0) {
    const k: [number, number] = [sizes[0] / target[0], sizes[1] / target[1]];
    y = avgPool2d(x, k, { stride: k });
  } else {
    y = x;
    for (const d of [0, 1]) {
      const size = sizes[d]!;
      const parts = Array.from({ length: target[d]! }, (_, i) => {
        const start = Math.floor((i * size) / target[d]!);
        const end = Math.ceil(((i + 1) * size) / target[d]!);
        return y.narrow(2 + d, start, end - start).mean(2 + d, true);
      });
      y = parts.length === 1 ? parts[0]! : cat(parts, 2 + d);
    }
  }
  return input.ndim === 3 ? y.squeeze(0) : y;
}
