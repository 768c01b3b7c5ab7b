/**
 * torch.optim.lr_scheduler: each scheduler's getLr() is PyTorch's chainable (recursive) rule,
 * computed from the groups' current lr, so schedulers compose as in PyTorch; without outside
 * changes to lr it yields the closed-form values.
 */
import { namedArgs, typeName } from '../../args.ts';
import { Optimizer, type BaseOptions } from '../optimizer.ts';

export type AnyOptimizer = Optimizer<BaseOptions, any>;

/** A scheduler's first argument, checked: `new StepLR()` or a forgotten optimizer says which. */
export function optimizerArg(scheduler: string, optimizer: unknown): AnyOptimizer {
  if (optimizer instanceof Optimizer) return optimizer;
  throw new TypeError(`${scheduler}: optimizer must be a torch.optim.Optimizer, got ${typeName(optimizer)}`);
}

export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  /** The epoch (scheduler step) the current lr belongs to; −1 before the first step. */
  lastEpoch: number;
  baseLrs: number[];
  protected lastLr: number[] = [];
  protected stepCount = 0;

  constructor(optimizer: AnyOptimizer, lastEpoch = -1) {
    this.optimizer = optimizerArg(new.target.name, optimizer);
    optimizer.paramGroups.forEach((group, i) => {
      if (lastEpoch === -1) group.initialLr ??= group.lr;
      else if (group.initialLr === undefined) {
        throw new Error(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      }
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /**
   * PyTorch's constructor ends with a first step(); here each subclass calls this at the end of
   * its own constructor, because its fields (gamma, …) are only set after super() returns.
   */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The lrs for lastEpoch, from the groups' current lrs. */
  abstract getLr(): number[];

  step(): void {
    this.stepCount += 1;
    this.lastEpoch += 1;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]!));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * Every field but the optimizer, as PyTorch's `__dict__` minus the optimizer. Functions (LambdaLR's
   * lambdas) are code, not state, and are left out as PyTorch leaves out plain functions.
   */
  stateDict(): Record<string, unknown> {
    const isCode = (v: unknown) =>
      typeof v === 'function' || (Array.isArray(v) && v.some((x) => typeof x === 'function'));
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (key !== 'optimizer' && !isCode(value)) out[key] = structuredClone(value);
    }
    return out;
  }

  loadStateDict(stateDict: Record<string, unknown>): void {
    Object.assign(this, structuredClone(stateDict));
  }
}

function required<T>(value: T | undefined, name: string, scheduler: string): T {
  if (value === undefined) throw new TypeError(`${scheduler}: missing required argument '${name}'`);
  return value;
}

/** lr = base_lr · γ^⌊epoch / stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, stepSize: number, gamma?: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, stepSize: number, options: { gamma?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, options: { stepSize: number; gamma?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, ...rest: unknown[]) {
    const o = namedArgs<{ stepSize: number; gamma: number; lastEpoch: number }>(
      'torch.optim.lrScheduler.StepLR',
      ['stepSize', 'gamma', 'lastEpoch'],
      rest,
    );
    super(optimizer, o.lastEpoch);
    this.stepSize = required(o.stepSize, 'stepSize', 'StepLR');
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
}

/** lr = base_lr · γ^(number of milestones reached); a repeated milestone counts twice. */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, milestones: readonly number[], gamma?: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, milestones: readonly number[], options: { gamma?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, options: { milestones: readonly number[]; gamma?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, ...rest: unknown[]) {
    const o = namedArgs<{ milestones: readonly number[]; gamma: number; lastEpoch: number }>(
      'torch.optim.lrScheduler.MultiStepLR',
      ['milestones', 'gamma', 'lastEpoch'],
      rest,
    );
    super(optimizer, o.lastEpoch);
    this.milestones = [...required(o.milestones, 'milestones', 'MultiStepLR')].sort((a, b) => a - b);
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }

  getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma ** hits);
  }
}

/** lr = base_lr · γ^epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, gamma: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, gamma: number, options: { lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, options: { gamma: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, ...rest: unknown[]) {
    const o = namedArgs<{ gamma: number; lastEpoch: number }>(
      'torch.optim.lrScheduler.ExponentialLR',
      ['gamma', 'lastEpoch'],
      rest,
    );
    super(optimizer, o.lastEpoch);
    this.gamma = required(o.gamma, 'gamma', 'ExponentialLR');
    this.initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
}

/**
 * Cosine annealing from base_lr down to etaMin over tMax epochs (then back up, periodically):
 * lr = etaMin + (base_lr − etaMin)·(1 + cos(π·epoch / tMax)) / 2, reached by PyTorch's recursion.
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: AnyOptimizer, tMax: number, etaMin?: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, tMax: number, options: { etaMin?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, options: { tMax: number; etaMin?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, ...rest: unknown[]) {
    const o = namedArgs<{ tMax: number; etaMin: number; lastEpoch: number }>(
      'torch.optim.lrScheduler.CosineAnnealingLR',
      ['tMax', 'etaMin', 'lastEpoch'],
      rest,
    );
    super(optimizer, o.lastEpoch);
    this.tMax = required(o.tMax, 'tMax', 'CosineAnnealingLR');
    this.etaMin = o.etaMin ?? 0;
    this.initialStep();
  }

  getLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    const lrs = this.groupLrs();
    if (t === 0) return lrs;
    if (this.stepCount === 1 && t > 0)
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((t * Math.PI) / tMax))) / 2);
    // At the bottom of a cycle the ratio below would divide by zero; PyTorch steps back up directly.
    if ((t - 1 - tMax) % (2 * tMax) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax));
    return lrs.map((lr) => ratio * (lr - etaMin) + etaMin);
  }
}

type LrLambda = (epoch: number) => number;

/** lr = base_lr · lrLambda(epoch), one function for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | readonly LrLambda[], lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | readonly LrLambda[], options: { lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, options: { lrLambda: LrLambda | readonly LrLambda[]; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, ...rest: unknown[]) {
    const o = namedArgs<{ lrLambda: LrLambda | readonly LrLambda[]; lastEpoch: number }>(
      'torch.optim.lrScheduler.LambdaLR',
      ['lrLambda', 'lastEpoch'],
      rest,
    );
    super(optimizer, o.lastEpoch);
    const given = required(o.lrLambda, 'lrLambda', 'LambdaLR');
    const groups = optimizer.paramGroups.length;
    if (typeof given !== 'function' && given.length !== groups) {
      throw new RangeError(`Expected ${groups} lr_lambdas, but got ${given.length}`);
    }
    this.lrLambdas = typeof given === 'function' ? Array.from({ length: groups }, () => given) : [...given];
    this.initialStep();
  }

  getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }
}
