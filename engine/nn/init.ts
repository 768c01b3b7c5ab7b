/**
 * torch.nn.init: fills a tensor in place (under noGrad) with PyTorch's gain and fan rules. Random
 * values come from the default generator (torch.manualSeed), or from `generator` when given.
 */
import { freeingTemporaries } from '../autograd/function.ts';
import { noGrad } from '../autograd/grad-mode.ts';
import { rand, randn } from '../tensor/create.ts';
import type { Generator } from '../tensor/random.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { argTypeError, namedArgs, tensorArg } from '../args.ts';

export type FanMode = 'fan_in' | 'fan_out' | 'fanIn' | 'fanOut';
export interface RandomInitOptions {
  generator?: Generator;
}

/** PyTorch's names are snake_case strings; their camelCase spellings are accepted too. */
function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const UNIT_GAIN = [
  'linear',
  'conv1d',
  'conv2d',
  'conv3d',
  'conv_transpose1d',
  'conv_transpose2d',
  'conv_transpose3d',
  'sigmoid',
];

/** The gain that keeps activations' variance steady through a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: string, param?: number | null): number {
  if (typeof nonlinearity !== 'string')
    throw argTypeError('torch.nn.init.calculateGain', 'nonlinearity', 1, "a string such as 'relu'", nonlinearity);
  const name = snake(nonlinearity);
  if (UNIT_GAIN.includes(name)) return 1;
  if (name === 'tanh') return 5 / 3;
  if (name === 'relu') return Math.SQRT2;
  if (name === 'selu') return 3 / 4;
  if (name === 'leaky_relu') {
    if (param !== undefined && param !== null && typeof param !== 'number') {
      throw new TypeError(`negative_slope ${String(param)} not a valid number`);
    }
    const slope = param ?? 0.01;
    return Math.sqrt(2 / (1 + slope * slope));
  }
  throw new RangeError(`Unsupported nonlinearity ${nonlinearity}`);
}

/** fan_in = size(1)·receptive field, fan_out = size(0)·receptive field. */
export function calculateFanInAndFanOut(tensor: Tensor): { fanIn: number; fanOut: number } {
  tensorArg('torch.nn.init.calculateFanInAndFanOut', 'tensor', 1, tensor);
  if (tensor.ndim < 2) {
    throw new RangeError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  }
  const receptive = tensor.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: tensor.shape[1]! * receptive, fanOut: tensor.shape[0]! * receptive };
}

function fanOf(tensor: Tensor, mode: FanMode): number {
  const m = snake(mode);
  if (m !== 'fan_in' && m !== 'fan_out')
    throw new RangeError(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  return m === 'fan_in' ? fanIn : fanOut;
}

/** Copies values made by `make` into tensor; they are dead then and stop counting in torch.memory. */
function fill(tensor: Tensor, make: () => Tensor): Tensor {
  return freeingTemporaries(() => noGrad(() => tensor.copy_(make())));
}

/** U(a, b). */
export function uniform_(tensor: Tensor, a?: number, b?: number, options?: RandomInitOptions): Tensor;
export function uniform_(tensor: Tensor, options: RandomInitOptions & { a?: number; b?: number }): Tensor;
export function uniform_(tensor: Tensor, ...rest: unknown[]): Tensor {
  tensorArg('torch.nn.init.uniform_', 'tensor', 1, tensor);
  const {
    a = 0,
    b = 1,
    generator,
  } = namedArgs<{ a: number; b: number } & RandomInitOptions>('torch.nn.init.uniform_', ['a', 'b'], rest, [
    'a',
    'b',
    'generator',
  ]);
  const like = { dtype: tensor.dtype, device: tensor.device, generator };
  return fill(tensor, () =>
    rand(tensor.shape, like)
      .mul(b - a)
      .add(a),
  );
}

/** N(mean, std²). */
export function normal_(tensor: Tensor, mean?: number, std?: number, options?: RandomInitOptions): Tensor;
export function normal_(tensor: Tensor, options: RandomInitOptions & { mean?: number; std?: number }): Tensor;
export function normal_(tensor: Tensor, ...rest: unknown[]): Tensor {
  tensorArg('torch.nn.init.normal_', 'tensor', 1, tensor);
  const {
    mean = 0,
    std = 1,
    generator,
  } = namedArgs<{ mean: number; std: number } & RandomInitOptions>('torch.nn.init.normal_', ['mean', 'std'], rest, [
    'mean',
    'std',
    'generator',
  ]);
  const like = { dtype: tensor.dtype, device: tensor.device, generator };
  return fill(tensor, () => randn(tensor.shape, like).mul(std).add(mean));
}

export function constant_(tensor: Tensor, val: number): Tensor {
  tensorArg('torch.nn.init.constant_', 'tensor', 1, tensor);
  return noGrad(() => tensor.fill_(val));
}

export function zeros_(tensor: Tensor): Tensor {
  tensorArg('torch.nn.init.zeros_', 'tensor', 1, tensor);
  return constant_(tensor, 0);
}

export function ones_(tensor: Tensor): Tensor {
  tensorArg('torch.nn.init.ones_', 'tensor', 1, tensor);
  return constant_(tensor, 1);
}

interface KaimingOptions extends RandomInitOptions {
  a?: number;
  mode?: FanMode;
  nonlinearity?: string;
}

function kaimingStd(call: string, tensor: Tensor, rest: unknown[]): { std: number; generator?: Generator } {
  const {
    a = 0,
    mode = 'fan_in',
    nonlinearity = 'leaky_relu',
    generator,
  } = namedArgs<KaimingOptions>(call, ['a', 'mode', 'nonlinearity'], rest, ['a', 'mode', 'nonlinearity', 'generator']);
  const gain = calculateGain(nonlinearity, a);
  return { std: gain / Math.sqrt(fanOf(tensor, mode)), generator };
}

/** He et al.'s uniform init: U(−bound, bound) with bound = gain·√(3 / fan). */
export function kaimingUniform_(
  tensor: Tensor,
  a?: number,
  mode?: FanMode,
  nonlinearity?: string,
  options?: RandomInitOptions,
): Tensor;
export function kaimingUniform_(tensor: Tensor, options: KaimingOptions): Tensor;
export function kaimingUniform_(tensor: Tensor, ...rest: unknown[]): Tensor {
  tensorArg('torch.nn.init.kaimingUniform_', 'tensor', 1, tensor);
  if (tensor.numel() === 0) return tensor;
  const { std, generator } = kaimingStd('torch.nn.init.kaimingUniform_', tensor, rest);
  const bound = Math.sqrt(3) * std;
  return uniform_(tensor, -bound, bound, { generator });
}

/** He et al.'s normal init: N(0, std²) with std = gain / √fan. */
export function kaimingNormal_(
  tensor: Tensor,
  a?: number,
  mode?: FanMode,
  nonlinearity?: string,
  options?: RandomInitOptions,
): Tensor;
export function kaimingNormal_(tensor: Tensor, options: KaimingOptions): Tensor;
export function kaimingNormal_(tensor: Tensor, ...rest: unknown[]): Tensor {
  tensorArg('torch.nn.init.kaimingNormal_', 'tensor', 1, tensor);
  if (tensor.numel() === 0) return tensor;
  const { std, generator } = kaimingStd('torch.nn.init.kaimingNormal_', tensor, rest);
  return normal_(tensor, 0, std, { generator });
}

function xavierStd(tensor: Tensor, gain: number): number {
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  return gain * Math.sqrt(2 / (fanIn + fanOut));
}

/** Glorot's uniform init: U(−a, a) with a = gain·√(6 / (fan_in + fan_out)). */
export function xavierUniform_(tensor: Tensor, gain?: number, options?: RandomInitOptions): Tensor;
export function xavierUniform_(tensor: Tensor, options: RandomInitOptions & { gain?: number }): Tensor;
export function xavierUniform_(tensor: Tensor, ...rest: unknown[]): Tensor {
  tensorArg('torch.nn.init.xavierUniform_', 'tensor', 1, tensor);
  const { gain = 1, generator } = namedArgs<{ gain: number } & RandomInitOptions>(
    'torch.nn.init.xavierUniform_',
    ['gain'],
    rest,
    ['gain', 'generator'],
  );
  const a = Math.sqrt(3) * xavierStd(tensor, gain);
  return uniform_(tensor, -a, a, { generator });
}

/** Glorot's normal init: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)). */
export function xavierNormal_(tensor: Tensor, gain?: number, options?: RandomInitOptions): Tensor;
export function xavierNormal_(tensor: Tensor, options: RandomInitOptions & { gain?: number }): Tensor;
export function xavierNormal_(tensor: Tensor, ...rest: unknown[]): Tensor {
  tensorArg('torch.nn.init.xavierNormal_', 'tensor', 1, tensor);
  const { gain = 1, generator } = namedArgs<{ gain: number } & RandomInitOptions>(
    'torch.nn.init.xavierNormal_',
    ['gain'],
    rest,
    ['gain', 'generator'],
  );
  return normal_(tensor, 0, xavierStd(tensor, gain), { generator });
}
