/** torch.nn.MaxPool2d. */
import type { Tensor } from '../tensor/tensor.ts';
import type { ValuesIndices } from '../tensor/values-indices.ts';
import { namedArgs } from '../args.ts';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, type AvgPool2dOptions, type Pair } from './functional/conv.ts';
import {
  avgPool1d,
  fold,
  maxPool1d,
  single,
  unfold,
  type AvgPool1dOptions,
  type FoldOptions,
  type MaxPool1dOptions,
  type Single,
} from './functional/conv1d.ts';
import { Module, engineLayers } from './module.ts';
import { pyBool, pyTuple } from './repr.ts';

export interface MaxPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}

function show(v: Pair | Single): string {
  return typeof v === 'number' ? String(v) : pyTuple(v);
}

export class MaxPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;

  constructor(
    kernelSize: Pair,
    stride?: Pair | null,
    padding?: Pair,
    dilation?: Pair,
    returnIndices?: false,
    ceilMode?: boolean,
  );
  constructor(kernelSize: Pair, options?: MaxPool2dOptions);
  constructor(kernelSize: Pair, ...rest: unknown[]) {
    super();
    const o = namedArgs<MaxPool2dOptions & { returnIndices: boolean }>(
      'torch.nn.MaxPool2d',
      ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'],
      rest,
    );
    if (o.returnIndices)
      throw new Error(
        'MaxPool2d here returns values only; use F.maxPool2d(x, k, { returnIndices: true }) for the indices',
      );
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.ceilMode = o.ceilMode ?? false;
  }

  /** The pooled values (F.maxPool2d gives the argmax indices too, with returnIndices: true). */
  override forward(input: Tensor): Tensor {
    return maxPool2d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      ceilMode: this.ceilMode,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}, dilation=${show(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

engineLayers(MaxPool2d);

export class AvgPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(
    kernelSize: Pair,
    stride?: Pair | null,
    padding?: Pair,
    ceilMode?: boolean,
    countIncludePad?: boolean,
    divisorOverride?: number | null,
  );
  constructor(kernelSize: Pair, options?: AvgPool2dOptions);
  constructor(kernelSize: Pair, ...rest: unknown[]) {
    super();
    const o = namedArgs<AvgPool2dOptions>(
      'torch.nn.AvgPool2d',
      ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'],
      rest,
    );
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }

  override forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}`;
  }
}

/** Averages each input plane down to `outputSize` (an int, or [h, w] with null keeping the input's size). */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: number | readonly (number | null)[];
  constructor(outputSize: number | readonly (number | null)[] | { outputSize: number | readonly (number | null)[] }) {
    super();
    const o = namedArgs<{ outputSize: number | readonly (number | null)[] }>(
      'torch.nn.AdaptiveAvgPool2d',
      ['outputSize'],
      [outputSize],
    );
    if (o.outputSize === undefined)
      throw new TypeError("torch.nn.AdaptiveAvgPool2d() missing required argument 'outputSize'");
    this.outputSize = o.outputSize;
  }
  override forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(input, this.outputSize);
  }
  override extraRepr(): string {
    const s = this.outputSize;
    return `output_size=${typeof s === 'number' ? s : `(${s.map((v) => v ?? 'None').join(', ')})`}`;
  }
}

engineLayers(AvgPool2d, AdaptiveAvgPool2d);

/** torch.nn.MaxPool1d over [N, C, L] or [C, L]. */
export class MaxPool1d extends Module {
  readonly kernelSize: Single;
  readonly stride: Single;
  readonly padding: Single;
  readonly dilation: Single;
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;

  constructor(
    kernelSize: Single,
    stride?: Single | null,
    padding?: Single,
    dilation?: Single,
    returnIndices?: boolean,
    ceilMode?: boolean,
  );
  constructor(kernelSize: Single, options?: MaxPool1dOptions);
  constructor(kernelSize: Single, ...rest: unknown[]) {
    super();
    const o = namedArgs<MaxPool1dOptions>(
      'torch.nn.MaxPool1d',
      ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'],
      rest,
    );
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.returnIndices = o.returnIndices ?? false;
    this.ceilMode = o.ceilMode ?? false;
  }

  /** The pooled values, or (values, indices) when built with returnIndices. */
  override forward(input: Tensor): Tensor | ValuesIndices {
    const options = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    if (this.returnIndices) return maxPool1d(input, this.kernelSize, { ...options, returnIndices: true });
    return maxPool1d(input, this.kernelSize, options);
  }

  override extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}, dilation=${show(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** torch.nn.AvgPool1d over [N, C, L] or [C, L]. */
export class AvgPool1d extends Module {
  readonly kernelSize: [number];
  readonly stride: [number];
  readonly padding: [number];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(
    kernelSize: Single,
    stride?: Single | null,
    padding?: Single,
    ceilMode?: boolean,
    countIncludePad?: boolean,
  );
  constructor(kernelSize: Single, options?: AvgPool1dOptions);
  constructor(kernelSize: Single, ...rest: unknown[]) {
    super();
    const o = namedArgs<AvgPool1dOptions>(
      'torch.nn.AvgPool1d',
      ['stride', 'padding', 'ceilMode', 'countIncludePad'],
      rest,
    );
    this.kernelSize = [single(kernelSize, 'kernel_size')];
    this.stride = [single(o.stride ?? kernelSize, 'stride')];
    this.padding = [single(o.padding ?? 0, 'padding')];
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
  }

  override forward(input: Tensor): Tensor {
    return avgPool1d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`;
  }
}

/** torch.nn.Unfold: F.unfold as a layer. */
export class Unfold extends Module {
  readonly kernelSize: Pair;
  readonly dilation: Pair;
  readonly padding: Pair;
  readonly stride: Pair;

  constructor(kernelSize: Pair, dilation?: Pair, padding?: Pair, stride?: Pair);
  constructor(kernelSize: Pair, options?: FoldOptions);
  constructor(kernelSize: Pair, ...rest: unknown[]) {
    super();
    const o = namedArgs<FoldOptions>('torch.nn.Unfold', ['dilation', 'padding', 'stride'], rest);
    this.kernelSize = kernelSize;
    this.dilation = o.dilation ?? 1;
    this.padding = o.padding ?? 0;
    this.stride = o.stride ?? 1;
  }

  override forward(input: Tensor): Tensor {
    return unfold(input, this.kernelSize, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }

  override extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, dilation=${show(this.dilation)}, padding=${show(this.padding)}, stride=${show(this.stride)}`;
  }
}

/** torch.nn.Fold: F.fold as a layer. */
export class Fold extends Module {
  readonly outputSize: Pair;
  readonly kernelSize: Pair;
  readonly dilation: Pair;
  readonly padding: Pair;
  readonly stride: Pair;

  constructor(outputSize: Pair, kernelSize: Pair, dilation?: Pair, padding?: Pair, stride?: Pair);
  constructor(outputSize: Pair, kernelSize: Pair, options?: FoldOptions);
  constructor(outputSize: Pair, kernelSize: Pair, ...rest: unknown[]) {
    super();
    const o = namedArgs<FoldOptions>('torch.nn.Fold', ['dilation', 'padding', 'stride'], rest);
    this.outputSize = outputSize;
    this.kernelSize = kernelSize;
    this.dilation = o.dilation ?? 1;
    this.padding = o.padding ?? 0;
    this.stride = o.stride ?? 1;
  }

  override forward(input: Tensor): Tensor {
    return fold(input, this.outputSize, this.kernelSize, {
      dilation: this.dilation,
      padding: this.padding,
      stride: this.stride,
    });
  }

  override extraRepr(): string {
    return `output_size=${show(this.outputSize)}, kernel_size=${show(this.kernelSize)}, dilation=${show(this.dilation)}, padding=${show(this.padding)}, stride=${show(this.stride)}`;
  }
}

engineLayers(MaxPool1d, AvgPool1d, Unfold, Fold);
