/** Activation layers: each is the function of the same name in torch.nn.functional. */
import type { Tensor } from '../tensor/tensor.ts';
import {
  elu,
  gelu,
  hardtanh,
  leakyRelu,
  logSoftmax,
  logsigmoid,
  relu6,
  silu,
  softmax,
  softmin,
  softplus,
} from './functional/activation.ts';
import { Module, engineLayers } from './module.ts';
import { namedArgs } from '../args.ts';
import { pyFloat } from './repr.ts';

export class ReLU extends Module {
  override forward(input: Tensor): Tensor {
    return input.relu();
  }
}

export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return input.sigmoid();
  }
}

export class Tanh extends Module {
  override forward(input: Tensor): Tensor {
    return input.tanh();
  }
}

type DimArg = number | null | { dim?: number | null };

function dimOf(call: string, dim: DimArg | undefined): number | null {
  return namedArgs<{ dim: number | null }>(call, ['dim'], [dim]).dim ?? null;
}

/** Softmax along `dim` (new Softmax(1) or new Softmax({ dim: 1 })). */
export class Softmax extends Module {
  readonly dim: number | null;
  constructor(dim?: DimArg) {
    super();
    this.dim = dimOf('torch.nn.Softmax', dim);
  }
  override forward(input: Tensor): Tensor {
    return softmax(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

export class LogSoftmax extends Module {
  readonly dim: number | null;
  constructor(dim?: DimArg) {
    super();
    this.dim = dimOf('torch.nn.LogSoftmax', dim);
  }
  override forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** Softmax of −x along `dim`. */
export class Softmin extends Module {
  readonly dim: number | null;
  constructor(dim?: DimArg) {
    super();
    this.dim = dimOf('torch.nn.Softmin', dim);
  }
  override forward(input: Tensor): Tensor {
    return softmin(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** `inplace` is accepted so that PyTorch code runs as written; the result is computed out of place. */
const inplaceRepr = (inplace: boolean): string => (inplace ? 'inplace=True' : '');

export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  readonly inplace: boolean;
  constructor(negativeSlope?: number, inplace?: boolean);
  constructor(options: { negativeSlope?: number; inplace?: boolean });
  constructor(...args: unknown[]) {
    super();
    const o = namedArgs<{ negativeSlope: number; inplace: boolean }>(
      'torch.nn.LeakyReLU',
      ['negativeSlope', 'inplace'],
      args,
    );
    this.negativeSlope = o.negativeSlope ?? 0.01;
    this.inplace = o.inplace ?? false;
  }
  override forward(input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export class ELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  constructor(alpha?: number, inplace?: boolean);
  constructor(options: { alpha?: number; inplace?: boolean });
  constructor(...args: unknown[]) {
    super();
    const o = namedArgs<{ alpha: number; inplace: boolean }>('torch.nn.ELU', ['alpha', 'inplace'], args);
    this.alpha = o.alpha ?? 1;
    this.inplace = o.inplace ?? false;
  }
  override forward(input: Tensor): Tensor {
    return elu(input, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

/** x·Φ(x), exact (erf) or with approximate: 'tanh'. */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(approximate?: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' }) {
    super();
    const o = namedArgs<{ approximate: 'none' | 'tanh' }>('torch.nn.GELU', ['approximate'], [approximate]);
    this.approximate = o.approximate ?? 'none';
    if (this.approximate !== 'none' && this.approximate !== 'tanh')
      throw new RangeError(`approximate argument must be either none or tanh, got ${String(this.approximate)}`);
  }
  override forward(input: Tensor): Tensor {
    return gelu(input, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class SiLU extends Module {
  readonly inplace: boolean;
  constructor(inplace?: boolean | { inplace?: boolean }) {
    super();
    this.inplace = namedArgs<{ inplace: boolean }>('torch.nn.SiLU', ['inplace'], [inplace]).inplace ?? false;
  }
  override forward(input: Tensor): Tensor {
    return silu(input);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(beta?: number, threshold?: number);
  constructor(options: { beta?: number; threshold?: number });
  constructor(...args: unknown[]) {
    super();
    const o = namedArgs<{ beta: number; threshold: number }>('torch.nn.Softplus', ['beta', 'threshold'], args);
    this.beta = o.beta ?? 1;
    this.threshold = o.threshold ?? 20;
  }
  override forward(input: Tensor): Tensor {
    return softplus(input, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  readonly inplace: boolean;
  constructor(minVal?: number, maxVal?: number, inplace?: boolean);
  constructor(options: { minVal?: number; maxVal?: number; inplace?: boolean });
  constructor(...args: unknown[]) {
    super();
    const o = namedArgs<{ minVal: number; maxVal: number; inplace: boolean }>(
      'torch.nn.Hardtanh',
      ['minVal', 'maxVal', 'inplace'],
      args,
    );
    this.minVal = o.minVal ?? -1;
    this.maxVal = o.maxVal ?? 1;
    this.inplace = o.inplace ?? false;
    if (!(this.minVal <= this.maxVal)) throw new RangeError('Hardtanh: min_val cannot be greater than max_val');
  }
  override forward(input: Tensor): Tensor {
    return hardtanh(input, this.minVal, this.maxVal);
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export class ReLU6 extends Module {
  readonly inplace: boolean;
  constructor(inplace?: boolean | { inplace?: boolean }) {
    super();
    this.inplace = namedArgs<{ inplace: boolean }>('torch.nn.ReLU6', ['inplace'], [inplace]).inplace ?? false;
  }
  override forward(input: Tensor): Tensor {
    return relu6(input);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

export class LogSigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return logsigmoid(input);
  }
}

engineLayers(ReLU, Sigmoid, Tanh, LeakyReLU, ELU, GELU, SiLU, Softplus, Hardtanh, ReLU6, LogSigmoid);
