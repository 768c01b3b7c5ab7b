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

  /** PyTorch's _initial_step, for SequentialLR: step counts from zero again, then one step. */
  restart(): void {
    this.initialStep();
  }

  /** The lrs for lastEpoch, from the groups' current lrs. */
  abstract getLr(): number[];

  /**
   * The next epoch's lrs. PyTorch's deprecated `step(epoch)` jumps to that epoch instead, by the
   * closed form where the scheduler has one (SequentialLR restarts a scheduler with step(0)).
   */
  step(epoch?: number): void {
    this.stepCount += 1;
    if (epoch !== undefined && !Number.isInteger(epoch))
      throw new TypeError(`${this.constructor.name}.step: epoch must be an integer, got ${String(epoch)}`);
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    const lrs = (epoch !== undefined && this.closedFormLr()) || this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]!));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lrs of lastEpoch from the base lrs alone, where the schedule has such a form. */
  protected closedFormLr(): number[] | null {
    return null;
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

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
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

  protected override closedFormLr(): number[] {
    const reached = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((base) => base * this.gamma ** reached);
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

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
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

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2);
  }
}

type LrLambda = (epoch: number) => number;

/** One lrLambda per param group: the one function given for all, or the list of one per group. */
function lambdasPerGroup(optimizer: AnyOptimizer, given: LrLambda | readonly LrLambda[]): LrLambda[] {
  const groups = optimizer.paramGroups.length;
  if (typeof given === 'function') return Array.from({ length: groups }, () => given);
  if (!Array.isArray(given) || given.length !== groups)
    throw new RangeError(
      `Expected ${groups} lr_lambdas, but got ${Array.isArray(given) ? given.length : typeName(given)}`,
    );
  return [...given];
}

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
    this.lrLambdas = lambdasPerGroup(optimizer, required(o.lrLambda, 'lrLambda', 'LambdaLR'));
    this.initialStep();
  }

  getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }
}

/** The factor checks of LinearLR and ConstantLR, in PyTorch's words. */
function factorIn01(value: number, what: string): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${what} expected to be between 0 and 1.`);
  return value;
}

/** lr = base_lr · factor, going linearly from startFactor to endFactor over totalIters epochs (a warm-up). */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(
    optimizer: AnyOptimizer,
    startFactor?: number,
    endFactor?: number,
    totalIters?: number,
    lastEpoch?: number,
  );
  constructor(
    optimizer: AnyOptimizer,
    options?: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number },
  );
  constructor(optimizer: AnyOptimizer, ...rest: unknown[]) {
    const o = namedArgs<{ startFactor: number; endFactor: number; totalIters: number; lastEpoch: number }>(
      'torch.optim.lrScheduler.LinearLR',
      ['startFactor', 'endFactor', 'totalIters', 'lastEpoch'],
      rest,
    );
    const startFactor = factorIn01(o.startFactor ?? 1 / 3, 'Starting multiplicative factor');
    const endFactor = factorIn01(o.endFactor ?? 1, 'Ending multiplicative factor');
    super(optimizer, o.lastEpoch);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = o.totalIters ?? 5;
    this.initialStep();
  }

  getLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    if (t === 0) return this.groupLrs().map((lr) => lr * s);
    if (t > n) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    return this.baseLrs.map((base) => base * (s + ((e - s) * Math.min(n, t)) / n));
  }
}

/** lr = base_lr · factor for the first totalIters epochs, then base_lr. */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;

  constructor(optimizer: AnyOptimizer, factor?: number, totalIters?: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, options?: { factor?: number; totalIters?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, ...rest: unknown[]) {
    const o = namedArgs<{ factor: number; totalIters: number; lastEpoch: number }>(
      'torch.optim.lrScheduler.ConstantLR',
      ['factor', 'totalIters', 'lastEpoch'],
      rest,
    );
    const factor = factorIn01(o.factor ?? 1 / 3, 'Constant multiplicative factor');
    super(optimizer, o.lastEpoch);
    this.factor = factor;
    this.totalIters = o.totalIters ?? 5;
    this.initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs().map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1 / this.factor));
  }

  protected override closedFormLr(): number[] {
    const after = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((base) => base * (this.factor + after * (1 - this.factor)));
  }
}

/** Each epoch multiplies the lr by lrLambda(epoch) (one function for all groups or one per group). */
export class MultiplicativeLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | readonly LrLambda[], lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, options: { lrLambda: LrLambda | readonly LrLambda[]; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, ...rest: unknown[]) {
    const o = namedArgs<{ lrLambda: LrLambda | readonly LrLambda[]; lastEpoch: number }>(
      'torch.optim.lrScheduler.MultiplicativeLR',
      ['lrLambda', 'lastEpoch'],
      rest,
    );
    super(optimizer, o.lastEpoch);
    this.lrLambdas = lambdasPerGroup(optimizer, required(o.lrLambda, 'lrLambda', 'MultiplicativeLR'));
    this.initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch <= 0) return this.groupLrs();
    return this.groupLrs().map((lr, i) => lr * this.lrLambdas[i]!(this.lastEpoch));
  }
}

/**
 * Cosine annealing restarted every period: the first lasts t0 epochs, each next one tMult times
 * longer. lr = etaMin + (base_lr − etaMin)·(1 + cos(π·tCur / tI)) / 2.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  tI: number;
  tCur: number;

  constructor(optimizer: AnyOptimizer, t0: number, tMult?: number, etaMin?: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, t0: number, options: { tMult?: number; etaMin?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, options: { t0: number; tMult?: number; etaMin?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, ...rest: unknown[]) {
    const o = namedArgs<{ t0: number; tMult: number; etaMin: number; lastEpoch: number }>(
      'torch.optim.lrScheduler.CosineAnnealingWarmRestarts',
      ['t0', 'tMult', 'etaMin', 'lastEpoch'],
      rest,
    );
    const t0 = required(o.t0, 't0', 'CosineAnnealingWarmRestarts');
    if (!Number.isInteger(t0) || t0 <= 0) throw new RangeError(`Expected positive integer T_0, but got ${t0}`);
    const tMult = o.tMult ?? 1;
    if (!Number.isInteger(tMult) || tMult < 1) throw new RangeError(`Expected integer T_mult >= 1, but got ${tMult}`);
    super(optimizer, o.lastEpoch);
    this.t0 = t0;
    this.tMult = tMult;
    this.etaMin = o.etaMin ?? 0;
    this.tI = t0;
    this.tCur = this.lastEpoch;
    this.initialStep();
  }

  getLr(): number[] {
    const { etaMin, tCur, tI } = this;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2);
  }

  /** The next epoch, or (as PyTorch's) a given, possibly fractional, epoch within the restarts. */
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      if (!(epoch >= 0)) throw new RangeError(`Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.t0) {
        if (this.tMult === 1) this.tCur = epoch % this.t0;
        else {
          const n = Math.floor(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.stepCount += 1;
    this.lastEpoch = Math.floor(epoch);
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]!));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
}

export interface OneCycleLROptions {
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  /** The share of the cycle spent raising the lr. */
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | readonly number[];
  maxMomentum?: number | readonly number[];
  /** The lr starts at maxLr / divFactor … */
  divFactor?: number;
  /** … and ends at that / finalDivFactor. */
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}

interface Phase {
  end: number;
  startLr: 'initialLr' | 'maxLr' | 'minLr';
  endLr: 'initialLr' | 'maxLr' | 'minLr';
  startMomentum: 'maxMomentum' | 'baseMomentum';
  endMomentum: 'maxMomentum' | 'baseMomentum';
}

type CycleGroup = Record<string, unknown> & { lr: number; momentum?: number; betas?: readonly number[] };

/**
 * The 1cycle policy, stepped once per batch: the lr rises from maxLr/divFactor to maxLr over
 * pctStart of totalSteps, then anneals to the start / finalDivFactor; momentum (or Adam's β1)
 * cycles the other way between maxMomentum and baseMomentum.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly cycleMomentum: boolean;
  readonly useBeta1: boolean;
  readonly annealStrategy: 'cos' | 'linear';
  private readonly phases: Phase[];

  constructor(optimizer: AnyOptimizer, maxLr: number | readonly number[], options?: OneCycleLROptions);
  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions & { maxLr: number | readonly number[] });
  constructor(optimizer: AnyOptimizer, ...rest: unknown[]) {
    const call = 'torch.optim.lrScheduler.OneCycleLR';
    const opt = optimizerArg('OneCycleLR', optimizer);
    const o = namedArgs<OneCycleLROptions & { maxLr: number | readonly number[] }>(call, ['maxLr'], rest, [
      'maxLr',
      'totalSteps',
      'epochs',
      'stepsPerEpoch',
      'pctStart',
      'annealStrategy',
      'cycleMomentum',
      'baseMomentum',
      'maxMomentum',
      'divFactor',
      'finalDivFactor',
      'threePhase',
      'lastEpoch',
    ]);
    const positiveInt = (v: number | null | undefined, what: string): number => {
      if (!Number.isInteger(v) || v! <= 0) throw new RangeError(`Expected positive integer ${what}, but got ${v}`);
      return v!;
    };
    let totalSteps: number;
    if (o.totalSteps != null) totalSteps = positiveInt(o.totalSteps, 'total_steps');
    else if (o.epochs == null && o.stepsPerEpoch == null)
      throw new RangeError('You must define either totalSteps OR (epochs AND stepsPerEpoch)');
    else totalSteps = positiveInt(o.epochs, 'epochs') * positiveInt(o.stepsPerEpoch, 'steps_per_epoch');
    const pct = o.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1)) throw new RangeError(`Expected float between 0 and 1 pct_start, but got ${pct}`);
    const anneal = o.annealStrategy ?? 'cos';
    if (anneal !== 'cos' && anneal !== 'linear')
      throw new RangeError(`anneal_strategy must by one of 'cos' or 'linear', instead got ${String(anneal)}`);
    const groups = opt.paramGroups as unknown as CycleGroup[];
    const perGroup = (name: string, v: number | readonly number[]): number[] => {
      if (typeof v === 'number') return groups.map(() => v);
      if (!Array.isArray(v) || v.length !== groups.length)
        throw new RangeError(
          `expected ${groups.length} values for ${name}, got ${Array.isArray(v) ? v.length : typeName(v)}`,
        );
      return [...v];
    };
    const maxLrs = perGroup('max_lr', required(o.maxLr, 'maxLr', 'OneCycleLR'));
    const lastEpoch = o.lastEpoch ?? -1;
    const divFactor = o.divFactor ?? 25;
    const finalDivFactor = o.finalDivFactor ?? 1e4;
    if (lastEpoch === -1)
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / divFactor;
        g.maxLr = maxLrs[i]!;
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    const cycleMomentum = o.cycleMomentum ?? true;
    const defaults = opt.defaults as unknown as Record<string, unknown>;
    if (cycleMomentum && !('momentum' in defaults) && !('betas' in defaults))
      throw new RangeError('optimizer must support momentum with `cycle_momentum` option enabled');
    const useBeta1 = 'betas' in defaults;
    if (cycleMomentum && lastEpoch === -1) {
      const maxM = perGroup('max_momentum', o.maxMomentum ?? 0.95);
      const baseM = perGroup('base_momentum', o.baseMomentum ?? 0.85);
      groups.forEach((g, i) => {
        if (useBeta1) g.betas = [maxM[i]!, ...g.betas!.slice(1)];
        else g.momentum = maxM[i]!;
        g.maxMomentum = maxM[i]!;
        g.baseMomentum = baseM[i]!;
      });
    }
    super(opt, lastEpoch);
    this.totalSteps = totalSteps;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.annealStrategy = anneal;
    this.phases = o.threePhase
      ? [
          {
            end: pct * totalSteps - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            end: 2 * pct * totalSteps - 2,
            startLr: 'maxLr',
            endLr: 'initialLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
          {
            end: totalSteps - 1,
            startLr: 'initialLr',
            endLr: 'minLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'maxMomentum',
          },
        ]
      : [
          {
            end: pct * totalSteps - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            end: totalSteps - 1,
            startLr: 'maxLr',
            endLr: 'minLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
        ];
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps)
      throw new RangeError(`Tried to step ${step} times. The specified number of total steps is ${this.totalSteps}`);
    return (this.optimizer.paramGroups as unknown as CycleGroup[]).map((g) => {
      let start = 0;
      for (const [i, phase] of this.phases.entries()) {
        if (step <= phase.end || i === this.phases.length - 1) {
          const pct = (step - start) / (phase.end - start);
          if (this.cycleMomentum) {
            const m = this.anneal(g[phase.startMomentum] as number, g[phase.endMomentum] as number, pct);
            if (this.useBeta1) g.betas = [m, ...g.betas!.slice(1)];
            else g.momentum = m;
          }
          return this.anneal(g[phase.startLr] as number, g[phase.endLr] as number, pct);
        }
        start = phase.end;
      }
      throw new Error('unreachable: the last phase always matches');
    });
  }
}

/**
 * Runs schedulers one after another: schedulers[i] from epoch milestones[i − 1] on (restarted there
 * with step(0), as PyTorch's).
 */
export class SequentialLR {
  readonly optimizer: AnyOptimizer;
  lastEpoch: number;
  private readonly schedulers: LRScheduler[];
  private readonly milestones: number[];
  private lastLr: number[];

  constructor(
    optimizer: AnyOptimizer,
    schedulers: readonly LRScheduler[],
    milestones: readonly number[],
    lastEpoch?: number,
  );
  constructor(
    optimizer: AnyOptimizer,
    options: { schedulers: readonly LRScheduler[]; milestones: readonly number[]; lastEpoch?: number },
  );
  constructor(optimizer: AnyOptimizer, ...rest: unknown[]) {
    const call = 'torch.optim.lrScheduler.SequentialLR';
    this.optimizer = optimizerArg('SequentialLR', optimizer);
    const o = namedArgs<{ schedulers: readonly LRScheduler[]; milestones: readonly number[]; lastEpoch: number }>(
      call,
      ['schedulers', 'milestones', 'lastEpoch'],
      rest,
    );
    const schedulers = required(o.schedulers, 'schedulers', 'SequentialLR');
    const milestones = required(o.milestones, 'milestones', 'SequentialLR');
    if (!Array.isArray(schedulers) || schedulers.some((s) => !(s instanceof LRScheduler)))
      throw new TypeError(`${call}: schedulers must be a list of schedulers, got ${typeName(schedulers)}`);
    if (!Array.isArray(milestones) || milestones.some((m) => !Number.isInteger(m)))
      throw new TypeError(`${call}: milestones must be a list of ints, got ${typeName(milestones)}`);
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer)
        throw new RangeError(
          `Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`,
        );
    });
    if (milestones.length !== schedulers.length - 1)
      throw new RangeError(
        `Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`,
      );
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = (o.lastEpoch ?? -1) + 1;
    for (const g of this.optimizer.paramGroups) g.lr = g.initialLr!;
    // Undo the first step each scheduler took when it was made; only the first one steps again.
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!.restart();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  step(): void {
    this.lastEpoch += 1;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const scheduler = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Its fields but the optimizer, with each scheduler's own stateDict in `schedulers` (PyTorch's `_schedulers`). */
  stateDict(): Record<string, unknown> {
    return {
      lastEpoch: this.lastEpoch,
      milestones: [...this.milestones],
      lastLr: [...this.lastLr],
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  loadStateDict(stateDict: Record<string, unknown>): void {
    const { schedulers, ...own } = structuredClone(stateDict) as { schedulers: Record<string, unknown>[] };
    Object.assign(this, own);
    schedulers.forEach((state, i) => this.schedulers[i]!.loadStateDict(state));
  }
}
