/** torch.nn.Conv2d and torch.nn.Conv1d. */
import { empty } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { keys, namedArgs } from '../args.ts';
import { conv2d, pair, type Pair } from './functional/conv.ts';
import { conv1d, single, type Single } from './functional/conv1d.ts';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from './init.ts';
import type { FactoryOptions } from './linear.ts';
import { Module, engineLayers } from './module.ts';
import { Parameter } from './parameter.ts';
import { pyTuple } from './repr.ts';

export interface Conv2dOptions extends FactoryOptions {
  stride?: Pair;
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  paddingMode?: 'zeros';
}

/** groups and padding_mode as PyTorch's _ConvNd checks them. */
function checkGroups(inChannels: number, outChannels: number, groups: number, paddingMode: string): void {
  if (!Number.isInteger(groups) || groups <= 0) throw new RangeError('groups must be a positive integer');
  if (inChannels % groups !== 0) throw new RangeError('in_channels must be divisible by groups');
  if (outChannels % groups !== 0) throw new RangeError('out_channels must be divisible by groups');
  if (paddingMode !== 'zeros')
    throw new RangeError(`padding_mode '${paddingMode}' is not supported here; only 'zeros' is`);
}

const CONV_KEYS = keys<Conv2dOptions>({
  stride: 1,
  padding: 1,
  dilation: 1,
  groups: 1,
  bias: 1,
  paddingMode: 1,
  device: 1,
  dtype: 1,
});

type Tuple = [number] | [number, number];

/** What Conv1d and Conv2d share, as PyTorch's _ConvNd: arguments and their checks, parameters, init, repr. */
abstract class ConvNd<T extends Tuple> extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: T;
  readonly stride: T;
  readonly padding: T | 'valid' | 'same';
  readonly dilation: T;
  readonly groups: number;
  weight: Parameter;
  bias: Parameter | null;

  /** `tuple` reads a size argument as this many dimensions (`what` names it in errors). */
  protected constructor(
    name: string,
    tuple: (value: Pair, what: string) => T,
    inChannels: number,
    outChannels: number,
    kernelSize: Pair,
    rest: unknown[],
  ) {
    super();
    const o = namedArgs<Conv2dOptions>(name, ['stride', 'padding', 'dilation', 'groups', 'bias'], rest, CONV_KEYS);
    const groups = o.groups ?? 1;
    checkGroups(inChannels, outChannels, groups, o.paddingMode ?? 'zeros');
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = tuple(kernelSize, 'kernel_size');
    this.stride = tuple(o.stride ?? 1, 'stride');
    const padding = o.padding ?? 0;
    this.padding = typeof padding === 'string' ? padding : tuple(padding, 'padding');
    this.dilation = tuple(o.dilation ?? 1, 'dilation');
    this.groups = groups;
    const options = { device: o.device, dtype: o.dtype };
    this.weight = new Parameter(empty([outChannels, inChannels / groups, ...this.kernelSize], options));
    this.bias = (o.bias ?? true) ? new Parameter(empty([outChannels], options)) : null;
    this.resetParameters();
  }

  /** As Linear's: kaiming_uniform_(a = √5) on the weight, bias from U(−1/√fan_in, 1/√fan_in). */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const { fanIn } = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }
}

export class Conv2d extends ConvNd<[number, number]> {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: Pair,
    stride?: Pair,
    padding?: Pair | 'valid' | 'same',
    dilation?: Pair,
    groups?: number,
    bias?: boolean,
    options?: FactoryOptions,
  );
  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options?: Conv2dOptions);
  constructor(inChannels: number, outChannels: number, kernelSize: Pair, ...rest: unknown[]) {
    super('torch.nn.Conv2d', pair, inChannels, outChannels, kernelSize, rest);
  }

  override forward(input: Tensor): Tensor {
    return conv2d(input, this.weight, {
      bias: this.bias,
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

engineLayers(Conv2d);

export interface Conv1dOptions extends FactoryOptions {
  stride?: Single;
  padding?: Single | 'valid' | 'same';
  dilation?: Single;
  groups?: number;
  bias?: boolean;
  paddingMode?: 'zeros';
}

/** torch.nn.Conv1d: weight [out, in/groups, k], PyTorch's init (as Conv2d's). */
export class Conv1d extends ConvNd<[number]> {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: Single,
    stride?: Single,
    padding?: Single | 'valid' | 'same',
    dilation?: Single,
    groups?: number,
    bias?: boolean,
    options?: FactoryOptions,
  );
  constructor(inChannels: number, outChannels: number, kernelSize: Single, options?: Conv1dOptions);
  constructor(inChannels: number, outChannels: number, kernelSize: Single, ...rest: unknown[]) {
    super('torch.nn.Conv1d', (value, what) => [single(value, what)], inChannels, outChannels, kernelSize, rest);
  }

  override forward(input: Tensor): Tensor {
    return conv1d(input, this.weight, {
      bias: this.bias,
      stride: this.stride,
      padding: typeof this.padding === 'string' ? this.padding : this.padding[0],
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

engineLayers(Conv1d);
