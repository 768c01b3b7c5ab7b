/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau: multiplies lr by `factor` once the metric has not
 * improved for more than `patience` steps. It takes the metric as a number (`await loss.item()`):
 * deciding needs the value on the host, and reading it is the caller's explicit, awaited choice.
 */
import { Tensor } from '../../tensor/tensor.ts';
import { optimizerArg, type AnyOptimizer } from './schedulers.ts';
import { namedArgs } from '../../args.ts';

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | readonly number[];
  eps?: number;
}

export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  protected lastLr: number[];

  constructor(
    optimizer: AnyOptimizer,
    first?: ReduceLROnPlateauOptions['mode'] | ReduceLROnPlateauOptions,
    ...rest: unknown[]
  ) {
    optimizerArg('ReduceLROnPlateau', optimizer);
    const names = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'] as const;
    const options = namedArgs<Required<ReduceLROnPlateauOptions>>('torch.optim.lrScheduler.ReduceLROnPlateau', names, [
      first,
      ...rest,
    ]);
    const {
      mode = 'min',
      factor = 0.1,
      patience = 10,
      threshold = 1e-4,
      thresholdMode = 'rel',
      cooldown = 0,
      minLr = 0,
      eps = 1e-8,
    } = options;
    if (factor >= 1) throw new RangeError('Factor should be < 1.0.');
    if (mode !== 'min' && mode !== 'max') throw new RangeError(`mode ${mode} is unknown!`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs')
      throw new RangeError(`threshold mode ${thresholdMode} is unknown!`);
    const groups = optimizer.paramGroups.length;
    if (typeof minLr !== 'number' && minLr.length !== groups)
      throw new RangeError(`expected ${groups} min_lrs, got ${minLr.length}`);
    this.optimizer = optimizer;
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.eps = eps;
    this.minLrs = typeof minLr === 'number' ? Array.from({ length: groups }, () => minLr) : [...minLr];
    this.best = mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number): boolean {
    const { mode, thresholdMode, threshold, best } = this;
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  step(metric: number): void {
    if ((metric as unknown) instanceof Tensor) {
      throw new TypeError('ReduceLROnPlateau.step takes a number: pass `await loss.item()` rather than the tensor');
    }
    const current = Number(metric);
    this.lastEpoch += 1;
    if (this.isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** A reduction smaller than eps is skipped, so lr stops moving once it reaches minLr. */
  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const newLr = Math.max(group.lr * this.factor, this.minLrs[i]!);
      if (group.lr - newLr > this.eps) group.lr = newLr;
    });
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): Record<string, unknown> {
    const { optimizer: _optimizer, ...state } = this;
    return structuredClone(state);
  }

  loadStateDict(stateDict: Record<string, unknown>): void {
    Object.assign(this, structuredClone(stateDict));
  }
}
