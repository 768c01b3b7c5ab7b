/** torch.nn.MaxPool2d. */
import type { Tensor } from '../tensor/tensor.ts';
import { namedArgs } from '../args.ts';
import { maxPool2d, type Pair } from './functional/conv.ts';
import { Module, engineLayers } from './module.ts';
import { pyBool, pyTuple } from './repr.ts';

export interface MaxPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}

function show(v: Pair): string {
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
