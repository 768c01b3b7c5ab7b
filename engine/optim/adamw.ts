/** torch.optim.AdamW: Adam with decoupled weight decay (p ← p·(1 − lr·λ)), λ = 1e-2 by default. */
import { Adam, adamDefaults, type AdamOptions } from './adam.ts';
import type { ParamsInput } from './optimizer.ts';

export class AdamW extends Adam {
  constructor(
    params: ParamsInput<AdamOptions>,
    lr?: number,
    betas?: readonly [number, number],
    eps?: number,
    weightDecay?: number,
    amsgrad?: boolean,
  );
  constructor(params: ParamsInput<AdamOptions>, options?: Partial<AdamOptions>);
  constructor(params: ParamsInput<AdamOptions>, ...rest: unknown[]) {
    super(params, adamDefaults('torch.optim.AdamW', rest, { weightDecay: 1e-2, decoupledWeightDecay: true }));
  }
}
