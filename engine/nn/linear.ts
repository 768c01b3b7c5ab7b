/** torch.nn.Linear and torch.nn.Identity. */
import type { DType, Device } from '../dtype.ts';
import { empty } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { keys, namedArgs } from '../args.ts';
import { linear } from './functional/activation.ts';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from './init.ts';
import { Module, engineLayers } from './module.ts';
import { Parameter } from './parameter.ts';
import { pyBool } from './repr.ts';

export interface FactoryOptions {
  device?: Device;
  dtype?: DType;
}

export interface LinearOptions extends FactoryOptions {
  bias?: boolean;
}

/** y = x·Wᵀ + b with W [outFeatures, inFeatures]. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, bias?: boolean, options?: FactoryOptions);
  constructor(inFeatures: number, outFeatures: number, options?: LinearOptions);
  constructor(inFeatures: number, outFeatures: number, ...rest: unknown[]) {
    super();
    const {
      bias = true,
      device,
      dtype,
    } = namedArgs<LinearOptions>(
      'torch.nn.Linear',
      ['bias'],
      rest,
      keys<LinearOptions>({ bias: 1, device: 1, dtype: 1 }),
    );
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, inFeatures], { device, dtype }));
    this.bias = bias ? new Parameter(empty([outFeatures], { device, dtype })) : null;
    this.resetParameters();
  }

  /**
   * PyTorch's default: kaiming_uniform_(a = √5) on the weight, i.e. U(−1/√fan_in, 1/√fan_in), then
   * the bias from the same interval, both drawn from the default generator in that order.
   */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const { fanIn } = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  override forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Returns its input: a placeholder layer. */
export class Identity extends Module {
  override forward(input: Tensor): Tensor {
    return input;
  }
}

engineLayers(Linear, Identity);
