/** Activation layers: each is the function of the same name in torch.nn.functional. */
import type { Tensor } from '../tensor/tensor.ts';
import { logSoftmax, softmax } from './functional/activation.ts';
import { Module, engineLayers } from './module.ts';
import { namedArgs } from '../args.ts';

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

engineLayers(ReLU, Sigmoid, Tanh);
