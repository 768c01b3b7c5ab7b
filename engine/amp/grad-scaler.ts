/**
 * torch.amp.GradScaler: loss scaling for float16 training. backward(S·loss) makes every gradient
 * S times larger, lifting small ones out of float16's underflow range; unscale_ divides them back
 * before the update, and a step whose gradients hold inf/NaN (S was too large) is skipped while S
 * backs off. After growthInterval clean steps in a row S grows again. PyTorch's defaults and
 * errors throughout (torch/amp/grad_scaler.py).
 *
 * S is a float32, as PyTorch keeps it in a float32 tensor: every value it takes (initScale, a
 * backoff or growth, update(newScale), a loaded state) is rounded to float32, and unscale_
 * multiplies by 1/S rounded to float32 (PyTorch: _scale.double().reciprocal().float()).
 *
 * The inf/NaN check stays on the device until step() reads it (a read is asynchronous here), so
 * scale, unscale_ and update are synchronous and only `await scaler.step(optimizer)` waits.
 */
import { noGrad } from '../autograd/grad-mode.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import { Tensor } from '../tensor/tensor.ts';

export interface GradScalerOptions {
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
  enabled?: boolean;
}

export interface GradScalerStateDict {
  scale: number;
  growthFactor: number;
  backoffFactor: number;
  growthInterval: number;
  growthTracker: number;
}

/** Where one optimizer is between update() calls (PyTorch's OptState). */
interface OptimizerState {
  stage: 'unscaled' | 'stepped';
  /** Per device, a 0-d tensor that is NaN where a gradient held inf/NaN (Σ g·0), else 0. */
  foundInf: Tensor[];
  /** What step() read from foundInf; undefined until then. */
  skipped?: boolean;
}

const OPTION_KEYS = ['initScale', 'growthFactor', 'backoffFactor', 'growthInterval', 'enabled'];

export class GradScaler {
  /** S, always a float32 value. */
  private scaleValue: number;
  private growthFactor: number;
  private backoffFactor: number;
  private growthInterval: number;
  private growthTracker = 0;
  private readonly enabled: boolean;
  private perOptimizer = new Map<Optimizer, OptimizerState>();

  /** new GradScaler() or new GradScaler('webgpu', { initScale: 1024 }); the device is accepted for parity. */
  constructor(device?: string | GradScalerOptions, options: GradScalerOptions = {}) {
    const o = typeof device === 'object' ? device : options;
    const unknown = Object.keys(o).filter((k) => !OPTION_KEYS.includes(k));
    if (unknown.length > 0) {
      throw new TypeError(
        `GradScaler got unexpected option(s) ${unknown.join(', ')} (expected ${OPTION_KEYS.join(', ')})`,
      );
    }
    this.scaleValue = Math.fround(o.initScale ?? 2 ** 16);
    this.growthFactor = o.growthFactor ?? 2;
    this.backoffFactor = o.backoffFactor ?? 0.5;
    this.growthInterval = o.growthInterval ?? 2000;
    this.enabled = o.enabled ?? true;
    if (!(this.growthFactor > 1)) throw new RangeError(`The growth factor must be > 1.0, got ${this.growthFactor}`);
    if (!(this.backoffFactor < 1)) throw new RangeError(`The backoff factor must be < 1.0, got ${this.backoffFactor}`);
    if (!(this.scaleValue > 0)) throw new RangeError(`initScale must be positive, got ${this.scaleValue}`);
    if (!Number.isInteger(this.growthInterval) || this.growthInterval < 1) {
      throw new RangeError(`growthInterval must be a positive integer, got ${this.growthInterval}`);
    }
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  /** outputs · S (a tensor, or each tensor of an array); unchanged when disabled. */
  scale(outputs: Tensor): Tensor;
  scale(outputs: readonly Tensor[]): Tensor[];
  scale(outputs: Tensor | readonly Tensor[]): Tensor | Tensor[] {
    if (!this.enabled) return outputs instanceof Tensor ? outputs : [...outputs];
    const one = (t: Tensor): Tensor => {
      if (!(t instanceof Tensor))
        throw new TypeError(`outputs must be a Tensor or an array of Tensors, got ${typeof t}`);
      return t.mul(this.scaleValue);
    };
    return outputs instanceof Tensor ? one(outputs) : outputs.map(one);
  }

  /**
   * Divides the optimizer's gradients by S in place and records (on the device) whether any is
   * inf/NaN. Call it before clipping gradients; step() calls it itself otherwise.
   */
  unscale_(optimizer: Optimizer): void {
    if (!this.enabled) return;
    const state = this.perOptimizer.get(optimizer);
    if (state?.stage === 'unscaled') {
      throw new Error('unscale_() has already been called on this optimizer since the last update().');
    }
    if (state?.stage === 'stepped') throw new Error('unscale_() is being called after step().');
    const inv = Math.fround(1 / this.scaleValue);
    const found = new Map<string, Tensor>();
    noGrad(() => {
      for (const group of optimizer.paramGroups) {
        for (const p of group.params) {
          const g = p.grad;
          if (g === null) continue;
          if (g.dtype === 'float16') throw new Error('Attempting to unscale FP16 gradients.');
          g.mul_(inv);
          // inf·0 and NaN·0 are NaN, finite·0 is 0: one reduction flags any non-finite element.
          const flag = g.mul(0).sum().float();
          const prev = found.get(g.device);
          found.set(g.device, prev ? prev.add(flag) : flag);
        }
      }
    });
    this.perOptimizer.set(optimizer, { stage: 'unscaled', foundInf: [...found.values()] });
  }

  /**
   * optimizer.step() unless the (unscaled) gradients hold inf/NaN, in which case the step is
   * skipped; returns what optimizer.step returned, or undefined when skipped.
   */
  async step(optimizer: Optimizer, ...args: Parameters<Optimizer['step']>): Promise<Tensor | undefined> {
    if (!this.enabled) return optimizer.step(...args);
    if (args[0] !== undefined) throw new Error('Closure use is not currently supported if GradScaler is enabled.');
    if (this.perOptimizer.get(optimizer)?.stage === 'stepped') {
      throw new Error('step() has already been called since the last update().');
    }
    if (!this.perOptimizer.has(optimizer)) this.unscale_(optimizer);
    const state = this.perOptimizer.get(optimizer)!;
    if (state.foundInf.length === 0) throw new Error('No inf checks were recorded for this optimizer.');
    const flags = await Promise.all(state.foundInf.map((t) => t.item()));
    state.skipped = flags.some((v) => v !== 0);
    state.stage = 'stepped';
    return state.skipped ? undefined : optimizer.step();
  }

  /**
   * Adjusts S for the next iteration: × backoffFactor if any stepped optimizer found inf/NaN, ×
   * growthFactor after growthInterval clean steps in a row. `newScale` sets S directly instead.
   */
  update(newScale?: number | Tensor): void {
    if (!this.enabled) return;
    if (newScale !== undefined) {
      if (newScale instanceof Tensor) {
        throw new TypeError('update(newScale): pass a number (read a tensor with await t.item() first)');
      }
      this.scaleValue = Math.fround(newScale);
    } else {
      const states = [...this.perOptimizer.values()];
      if (states.length === 0) throw new Error('No inf checks were recorded prior to update.');
      if (states.some((s) => s.skipped === undefined)) {
        throw new Error('update() needs the inf checks that await scaler.step(optimizer) reads: call it first.');
      }
      if (states.some((s) => s.skipped)) {
        // torch's _amp_update_scale_ (aten/src/ATen/native/cpu/AmpGradScalerKernels.cpp, and the
        // CUDA kernel alike): the product stored into the float32 scale.
        this.scaleValue = Math.fround(this.scaleValue * this.backoffFactor);
        this.growthTracker = 0;
      } else if (this.growthTracker + 1 === this.growthInterval) {
        const grown = Math.fround(this.scaleValue * this.growthFactor);
        // Growth is skipped where it would overflow float32, as _amp_update_scale_ does.
        if (Number.isFinite(grown)) this.scaleValue = grown;
        this.growthTracker = 0;
      } else {
        this.growthTracker += 1;
      }
    }
    this.perOptimizer = new Map();
  }

  /** S as a number (1 when disabled). */
  getScale(): number {
    return this.enabled ? this.scaleValue : 1;
  }
  getGrowthFactor(): number {
    return this.growthFactor;
  }
  setGrowthFactor(value: number): void {
    this.growthFactor = value;
  }
  getBackoffFactor(): number {
    return this.backoffFactor;
  }
  setBackoffFactor(value: number): void {
    this.backoffFactor = value;
  }
  getGrowthInterval(): number {
    return this.growthInterval;
  }
  setGrowthInterval(value: number): void {
    this.growthInterval = value;
  }

  /** PyTorch's keys in camelCase ({} when disabled, as PyTorch returns). */
  stateDict(): GradScalerStateDict | Record<string, never> {
    if (!this.enabled) return {};
    return {
      scale: this.scaleValue,
      growthFactor: this.growthFactor,
      backoffFactor: this.backoffFactor,
      growthInterval: this.growthInterval,
      growthTracker: this.growthTracker,
    };
  }

  loadStateDict(state: GradScalerStateDict | Record<string, never>): void {
    if (!this.enabled) return;
    if (!('scale' in state)) {
      throw new Error(
        'The source state dict is empty, possibly because it was saved from a disabled instance of GradScaler.',
      );
    }
    this.scaleValue = Math.fround(state.scale);
    this.growthFactor = state.growthFactor;
    this.backoffFactor = state.backoffFactor;
    this.growthInterval = state.growthInterval;
    this.growthTracker = state.growthTracker;
  }
}
