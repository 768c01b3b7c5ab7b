/**
 * The 1-D layers as their 2-D twins over a height of 1 (conv1d, max_pool1d, avg_pool1d), and the
 * public unfold / fold (im2col and col2im: [N, C·kh·kw, L] columns). All go through conv.ts's and
 * unfold.ts's differentiable ops, so both backends and gradients come with them.
 */
import { namedArgs } from '../../args.ts';
import { formatShape } from '../../tensor/shape.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { valuesIndices, type ValuesIndices } from '../../tensor/values-indices.ts';
import { avgPool2d, conv2d, maxPool2d, pair, type Pair } from './conv.ts';
import { fold as foldColumns, unfold as unfoldWindows, type WindowGeometry } from './unfold.ts';

export type Single = number | readonly [number] | readonly number[];

/** One int (or a 1-tuple) as PyTorch's _single. */
export function single(value: Single, name: string): number {
  const v: unknown[] = typeof value === 'number' ? [value] : Array.isArray(value) ? value : [];
  if (v.length !== 1 || !Number.isInteger(v[0]) || (v[0] as number) < 0)
    throw new RangeError(`${name} must be a non-negative integer or a 1-tuple of one, but got ${String(value)}`);
  return v[0] as number;
}

/** [N, C, L] or [C, L] → [N, C, 1, L], checked with PyTorch's message for `what`. */
function asImage(input: Tensor, what: string, message = 'input to'): Tensor {
  if (input.ndim !== 2 && input.ndim !== 3)
    throw new RangeError(
      message === 'input to'
        ? `Expected 2D (unbatched) or 3D (batched) input to ${what}, but got input of size: ${formatShape(input.shape)}`
        : `${what}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:${formatShape(input.shape)}`,
    );
  return (input.ndim === 2 ? input.unsqueeze(0) : input).unsqueeze(2);
}

/** Back from [N, C, 1, L'] to the input's rank. */
const asLine = (y: Tensor, input: Tensor): Tensor => (input.ndim === 2 ? y.squeeze(2).squeeze(0) : y.squeeze(2));

export interface Conv1dOptions {
  bias?: Tensor | null;
  stride?: Single;
  padding?: Single | 'valid' | 'same';
  dilation?: Single;
  groups?: number;
}

/** torch.nn.functional.conv1d: input [N, C, L] (or [C, L]), weight [O, C/groups, k]. */
export function conv1d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  stride?: Single,
  padding?: Single | 'valid' | 'same',
  dilation?: Single,
  groups?: number,
): Tensor;
export function conv1d(input: Tensor, weight: Tensor, options: Conv1dOptions): Tensor;
export function conv1d(input: Tensor, weight: Tensor, ...rest: unknown[]): Tensor {
  const o = namedArgs<Conv1dOptions>(
    'torch.nn.functional.conv1d',
    ['bias', 'stride', 'padding', 'dilation', 'groups'],
    rest,
  );
  const x = asImage(input, 'conv1d');
  if (weight.ndim !== 3)
    throw new RangeError(
      `weight of conv1d must be 3-D [out_channels, in_channels/groups, kW], but got ${formatShape(weight.shape)}`,
    );
  const groups = o.groups ?? 1;
  const channels = x.shape[1]!;
  if (channels !== weight.shape[1]! * groups)
    throw new RangeError(
      `Given groups=${groups}, weight of size ${formatShape(weight.shape)}, expected input${formatShape(input.shape)} to have ${weight.shape[1]! * groups} channels, but got ${channels} channels instead`,
    );
  const kernel = weight.shape[2]!;
  const dilation = single(o.dilation ?? 1, 'dilation');
  const padding = o.padding ?? 0;
  const pads = typeof padding === 'string' ? padding : [0, single(padding, 'padding')];
  const size = x.shape[3]!;
  const padded = size + (typeof pads === 'string' ? 0 : 2 * pads[1]!);
  if (pads !== 'same' && padded < dilation * (kernel - 1) + 1)
    throw new RangeError(
      `Calculated padded input size per channel: (${padded}). Kernel size: (${dilation * (kernel - 1) + 1}). Kernel size can't be greater than actual input size`,
    );
  const y = conv2d(x, weight.unsqueeze(2), {
    bias: o.bias ?? null,
    stride: [1, single(o.stride ?? 1, 'stride')],
    padding: pads,
    dilation: [1, dilation],
    groups,
  });
  return asLine(y, input);
}

export interface MaxPool1dOptions {
  stride?: Single | null;
  padding?: Single;
  dilation?: Single;
  ceilMode?: boolean;
  returnIndices?: boolean;
}

/** torch.nn.functional.max_pool1d over [N, C, L] or [C, L]; with returnIndices the argmax positions along L. */
export function maxPool1d(
  input: Tensor,
  kernelSize: Single,
  stride?: Single | null,
  padding?: Single,
  dilation?: Single,
  ceilMode?: boolean,
): Tensor;
export function maxPool1d(
  input: Tensor,
  kernelSize: Single,
  options: MaxPool1dOptions & { returnIndices?: false },
): Tensor;
export function maxPool1d(
  input: Tensor,
  kernelSize: Single,
  options: MaxPool1dOptions & { returnIndices: true },
): ValuesIndices;
export function maxPool1d(input: Tensor, kernelSize: Single, ...rest: unknown[]): Tensor | ValuesIndices {
  const o = namedArgs<MaxPool1dOptions>(
    'torch.nn.functional.maxPool1d',
    ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'],
    rest,
  );
  const x = asImage(input, 'max_pool1d', 'tensor');
  const k = single(kernelSize, 'kernel_size');
  const options = {
    stride: [1, single(o.stride ?? k, 'stride')],
    padding: [0, single(o.padding ?? 0, 'padding')],
    dilation: [1, single(o.dilation ?? 1, 'dilation')],
    ceilMode: o.ceilMode ?? false,
  };
  if (!o.returnIndices) return asLine(maxPool2d(x, [1, k], options), input);
  const r = maxPool2d(x, [1, k], { ...options, returnIndices: true });
  return valuesIndices(asLine(r.values, input), asLine(r.indices, input));
}

export interface AvgPool1dOptions {
  stride?: Single | null;
  padding?: Single;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/** torch.nn.functional.avg_pool1d over [N, C, L] or [C, L]. */
export function avgPool1d(
  input: Tensor,
  kernelSize: Single,
  stride?: Single | null,
  padding?: Single,
  ceilMode?: boolean,
  countIncludePad?: boolean,
): Tensor;
export function avgPool1d(input: Tensor, kernelSize: Single, options: AvgPool1dOptions): Tensor;
export function avgPool1d(input: Tensor, kernelSize: Single, ...rest: unknown[]): Tensor {
  const o = namedArgs<AvgPool1dOptions>(
    'torch.nn.functional.avgPool1d',
    ['stride', 'padding', 'ceilMode', 'countIncludePad'],
    rest,
  );
  const x = asImage(input, 'avg_pool1d', 'tensor');
  const k = single(kernelSize, 'kernel_size');
  const y = avgPool2d(x, [1, k], {
    stride: [1, single(o.stride ?? k, 'stride')],
    padding: [0, single(o.padding ?? 0, 'padding')],
    ceilMode: o.ceilMode ?? false,
    countIncludePad: o.countIncludePad ?? true,
  });
  return asLine(y, input);
}

export interface FoldOptions {
  dilation?: Pair;
  padding?: Pair;
  stride?: Pair;
}

/** The sliding-window geometry of unfold / fold over an image of `size`. */
function geometry(size: readonly number[], kernelSize: Pair, o: FoldOptions): WindowGeometry {
  const kernel = pair(kernelSize, 'kernel_size');
  const dilation = pair(o.dilation ?? 1, 'dilation');
  const padding = pair(o.padding ?? 0, 'padding');
  const stride = pair(o.stride ?? 1, 'stride');
  const out = [0, 1].map(
    (d) => Math.floor((size[d]! + 2 * padding[d]! - dilation[d]! * (kernel[d]! - 1) - 1) / stride[d]!) + 1,
  ) as [number, number];
  return { kernel, stride, dilation, padding, out };
}

/**
 * torch.nn.functional.unfold(input, kernel_size, dilation=1, padding=0, stride=1): each sliding
 * window of [N, C, H, W] (or [C, H, W]) as a column of [N, C·kh·kw, L] (or [C·kh·kw, L]).
 */
export function unfold(input: Tensor, kernelSize: Pair, dilation?: Pair, padding?: Pair, stride?: Pair): Tensor;
export function unfold(input: Tensor, kernelSize: Pair, options: FoldOptions): Tensor;
export function unfold(input: Tensor, kernelSize: Pair, ...rest: unknown[]): Tensor {
  const o = namedArgs<FoldOptions>('torch.nn.functional.unfold', ['dilation', 'padding', 'stride'], rest);
  if (input.ndim !== 3 && input.ndim !== 4)
    throw new RangeError(
      `Input Error: Only 3D or 4D input Tensors are supported (got ${input.ndim}D) of size ${formatShape(input.shape)}`,
    );
  const x = input.ndim === 3 ? input.unsqueeze(0) : input;
  const w = geometry(x.shape.slice(2), kernelSize, o);
  if (w.out[0] <= 0 || w.out[1] <= 0)
    throw new RangeError(
      `Given input with spatial size (${x.shape[2]}, ${x.shape[3]}), kernel_size=(${w.kernel.join(', ')}), dilation=(${w.dilation.join(', ')}), padding=(${w.padding.join(', ')}), calculated shape of the array of sliding blocks as (${w.out.join(', ')}), but its components must be at least one.`,
    );
  const [n, c] = x.shape as [number, number];
  const cols = unfoldWindows(x, w, 0).reshape([n, c * w.kernel[0] * w.kernel[1], w.out[0] * w.out[1]]);
  return input.ndim === 3 ? cols.squeeze(0) : cols;
}

/**
 * torch.nn.functional.fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
 * unfold's adjoint, columns [N, C·kh·kw, L] (or [C·kh·kw, L]) summed back into [N, C, H, W].
 */
export function fold(
  input: Tensor,
  outputSize: Pair,
  kernelSize: Pair,
  dilation?: Pair,
  padding?: Pair,
  stride?: Pair,
): Tensor;
export function fold(input: Tensor, outputSize: Pair, kernelSize: Pair, options: FoldOptions): Tensor;
export function fold(input: Tensor, outputSize: Pair, kernelSize: Pair, ...rest: unknown[]): Tensor {
  const o = namedArgs<FoldOptions>('torch.nn.functional.fold', ['dilation', 'padding', 'stride'], rest);
  if (input.ndim !== 2 && input.ndim !== 3)
    throw new RangeError(
      `Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for input, but got: ${formatShape(input.shape)}`,
    );
  const cols = input.ndim === 2 ? input.unsqueeze(0) : input;
  const size = pair(outputSize, 'output_size');
  const w = geometry(size, kernelSize, o);
  const k = w.kernel[0] * w.kernel[1];
  const [n, ck, l] = cols.shape as [number, number, number];
  if (ck % k !== 0)
    throw new RangeError(
      `Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${ck} and kernel_size=(${w.kernel.join(', ')}).`,
    );
  if (l !== w.out[0] * w.out[1])
    throw new RangeError(
      `Given output_size=(${size.join(', ')}), kernel_size=(${w.kernel.join(', ')}), dilation=(${w.dilation.join(', ')}), padding=(${w.padding.join(', ')}), stride=(${w.stride.join(', ')}), expected size of input's dimension 2 to match the calculated number of sliding blocks ${w.out[0]} * ${w.out[1]} = ${w.out[0] * w.out[1]}, but got input.size(2)=${l}.`,
    );
  const c = ck / k;
  const image = foldColumns(cols.reshape([n, c, w.kernel[0], w.kernel[1], w.out[0], w.out[1]]).contiguous(), w, [
    n,
    c,
    ...size,
  ]);
  return input.ndim === 2 ? image.squeeze(0) : image;
}
