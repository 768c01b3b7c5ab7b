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
  selu,
  celu,
  mish,
  hardswish,
  hardsigmoid,
  softsign,
  tanhshrink,
  softshrink,
  hardshrink,
  threshold,
  glu,
  prelu,
} from './functional/activation.ts';
import { full } from '../tensor/create.ts';
import { Parameter } from './parameter.ts';
import type { FactoryOptions } from './linear.ts';
import { Module, engineLayers } from './module.ts';
import { keys, namedArgs } from '../args.ts';
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
    const o = namedArgs<{ alpha: number; inplace: boolean }>(`torch.nn.${new.target.name}`, ['alpha', 'inplace'], args);
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

/** A layer whose only setting is PyTorch's `inplace` flag (accepted; computed out of place). */
function inplaceLayer(name: string, fn: (input: Tensor) => Tensor, showInplace: boolean) {
  return class extends Module {
    readonly inplace: boolean;
    constructor(inplace?: boolean | { inplace?: boolean }) {
      super();
      this.inplace = namedArgs<{ inplace: boolean }>(`torch.nn.${name}`, ['inplace'], [inplace]).inplace ?? false;
    }
    override forward(input: Tensor): Tensor {
      return fn(input);
    }
    override extraRepr(): string {
      return showInplace ? inplaceRepr(this.inplace) : '';
    }
  };
}

/** scale·ELU(x, α) with the self-normalising constants. */
export class SELU extends inplaceLayer('SELU', selu, true) {}
/** x·tanh(softplus(x)). */
export class Mish extends inplaceLayer('Mish', mish, true) {}
/** x·relu6(x + 3)/6. */
export class Hardswish extends inplaceLayer('Hardswish', hardswish, false) {}
/** relu6(x + 3)/6. */
export class Hardsigmoid extends inplaceLayer('Hardsigmoid', hardsigmoid, false) {}

export class Softsign extends Module {
  override forward(input: Tensor): Tensor {
    return softsign(input);
  }
}

export class Tanhshrink extends Module {
  override forward(input: Tensor): Tensor {
    return tanhshrink(input);
  }
}

/** ELU's parameters and repr; PyTorch's CELU is max(0, x) + min(0, α·(exp(x/α) − 1)). */
export class CELU extends ELU {
  override forward(input: Tensor): Tensor {
    return celu(input, this.alpha);
  }
}

function shrinkLayer(name: string, fn: (input: Tensor, lambd: number) => Tensor) {
  return class extends Module {
    readonly lambd: number;
    constructor(lambd?: number | { lambd?: number }) {
      super();
      this.lambd = namedArgs<{ lambd: number }>(`torch.nn.${name}`, ['lambd'], [lambd]).lambd ?? 0.5;
    }
    override forward(input: Tensor): Tensor {
      return fn(input, this.lambd);
    }
    override extraRepr(): string {
      return String(this.lambd);
    }
  };
}

/** x − λ above λ, x + λ below −λ, 0 between. */
export class Softshrink extends shrinkLayer('Softshrink', softshrink) {}
/** x where |x| > λ, else 0. */
export class Hardshrink extends shrinkLayer('Hardshrink', hardshrink) {}

/** x where x > threshold, else value. */
export class Threshold extends Module {
  readonly threshold: number;
  readonly value: number;
  readonly inplace: boolean;
  constructor(threshold: number, value: number, inplace?: boolean);
  constructor(options: { threshold: number; value: number; inplace?: boolean });
  constructor(...args: unknown[]) {
    super();
    const o = namedArgs<{ threshold: number; value: number; inplace: boolean }>(
      'torch.nn.Threshold',
      ['threshold', 'value', 'inplace'],
      args,
    );
    if (o.threshold === undefined || o.value === undefined)
      throw new TypeError("torch.nn.Threshold: missing required arguments 'threshold' and 'value'");
    this.threshold = o.threshold;
    this.value = o.value;
    this.inplace = o.inplace ?? false;
  }
  override forward(input: Tensor): Tensor {
    return threshold(input, this.threshold, this.value);
  }
  override extraRepr(): string {
    return `threshold=${this.threshold}, value=${this.value}${this.inplace ? ', inplace=True' : ''}`;
  }
}

/** a·σ(b), a and b the halves of the input along dim. */
export class GLU extends Module {
  readonly dim: number;
  constructor(dim?: number | { dim?: number }) {
    super();
    this.dim = namedArgs<{ dim: number }>('torch.nn.GLU', ['dim'], [dim]).dim ?? -1;
  }
  override forward(input: Tensor): Tensor {
    return glu(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export interface PReLUOptions extends FactoryOptions {
  numParameters?: number;
  init?: number;
}

/** x where x > 0, else a·x, with a learnt slope a (one, or one per channel), initialised to `init`. */
export class PReLU extends Module {
  readonly numParameters: number;
  weight: Parameter;
  constructor(numParameters?: number, init?: number, options?: FactoryOptions);
  constructor(numParameters: number, options: PReLUOptions);
  constructor(options: PReLUOptions);
  constructor(...args: unknown[]) {
    super();
    const {
      numParameters = 1,
      init = 0.25,
      device,
      dtype,
    } = namedArgs<PReLUOptions>(
      'torch.nn.PReLU',
      ['numParameters', 'init'],
      args,
      keys<PReLUOptions>({ numParameters: 1, init: 1, device: 1, dtype: 1 }),
    );
    this.numParameters = numParameters;
    this.weight = new Parameter(full([numParameters], init, { device, dtype }));
  }
  override forward(input: Tensor): Tensor {
    return prelu(input, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

engineLayers(ReLU, Sigmoid, Tanh, LeakyReLU, ELU, GELU, SiLU, Softplus, Hardtanh, ReLU6, LogSigmoid);
engineLayers(
  SELU,
  Mish,
  Hardswish,
  Hardsigmoid,
  Softsign,
  Tanhshrink,
  CELU,
  Softshrink,
  Hardshrink,
  Threshold,
  GLU,
  PReLU,
);
