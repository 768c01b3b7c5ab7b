/** Distance layers: nn.PairwiseDistance and nn.CosineSimilarity, each its torch.nn.functional twin. */
import type { Tensor } from '../tensor/tensor.ts';
import { namedArgs } from '../args.ts';
import { cosineSimilarity } from './functional/activation.ts';
import { pairwiseDistance } from './functional/loss.ts';
import { Module, engineLayers } from './module.ts';

/** ‖x1 − x2 + eps‖_p over the last dim. */
export class PairwiseDistance extends Module {
  readonly norm: number;
  readonly eps: number;
  readonly keepdim: boolean;
  constructor(p?: number, eps?: number, keepdim?: boolean);
  constructor(p: number, options: { eps?: number; keepdim?: boolean });
  constructor(options: { p?: number; eps?: number; keepdim?: boolean });
  constructor(...args: unknown[]) {
    super();
    const o = namedArgs<{ p: number; eps: number; keepdim: boolean }>(
      'torch.nn.PairwiseDistance',
      ['p', 'eps', 'keepdim'],
      args,
    );
    [this.norm, this.eps, this.keepdim] = [o.p ?? 2, o.eps ?? 1e-6, o.keepdim ?? false];
  }
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return pairwiseDistance(x1, x2, this.norm, this.eps, this.keepdim);
  }
}

/** Cosine similarity along dim (1 by default). */
export class CosineSimilarity extends Module {
  readonly dim: number;
  readonly eps: number;
  constructor(dim?: number | { dim?: number; eps?: number }, eps?: number) {
    super();
    const o = namedArgs<{ dim: number; eps: number }>('torch.nn.CosineSimilarity', ['dim', 'eps'], [dim, eps]);
    [this.dim, this.eps] = [o.dim ?? 1, o.eps ?? 1e-8];
  }
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return cosineSimilarity(x1, x2, this.dim, this.eps);
  }
}

engineLayers(PairwiseDistance, CosineSimilarity);
