/**
 * Loss functions (torch.nn.functional), with PyTorch's reductions, checks and error messages.
 * Cross-entropy goes through logSoftmax (never log(softmax)), so logits of 1e4 stay finite.
 */
// Losses are on autocast's float32 list: 2-byte float inputs are cast to float32 in a region.
import { toAutocastFloat32 } from '../../amp/autocast.ts';
import { checkKeys, keys, namedArgs } from '../../args.ts';
import { defineOp } from '../../autograd/function.ts';
import { isGradEnabled } from '../../autograd/grad-mode.ts';
import { isFloatingPoint, scalarTypeNames } from '../../dtype.ts';
import { where } from '../../ops/elementwise.ts';
import { log1p } from '../../ops/math.ts';
import { hasNllLoss, launchNllLoss, launchNllLossBackward } from '../../ops/kernels.ts';
import { arange, zeros } from '../../tensor/create.ts';
import { broadcastShapes, formatShape } from '../../tensor/shape.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { warnOnce } from './warn.ts';

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  reduction?: Reduction;
}
export interface WeightedLossOptions extends LossOptions {
  /** A rescaling weight per class (cross-entropy, NLL) or per element (binary cross-entropy). */
  weight?: Tensor | null;
}
export interface NLLLossOptions extends WeightedLossOptions {
  /** Targets equal to this contribute nothing, not even to the mean's denominator. */
  ignoreIndex?: number;
}
export interface CrossEntropyOptions extends NLLLossOptions {
  labelSmoothing?: number;
}
export interface BCEWithLogitsOptions extends WeightedLossOptions {
  /** A weight on positive examples, broadcast along the last (class) dim. */
  posWeight?: Tensor | null;
}

export function checkReduction(reduction: string): Reduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new RangeError(`${reduction} is not a valid value for reduction (expected 'mean', 'sum' or 'none')`);
  }
  return reduction;
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? loss.sum() : loss.mean();
}

function equalShapes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function sameShape(a: Tensor, b: Tensor): boolean {
  return equalShapes(a.shape, b.shape);
}

function warnIfBroadcast(input: Tensor, target: Tensor): void {
  if (sameShape(input, target)) return;
  warnOnce(
    `Using a target size (${formatShape(target.shape)}) that is different to the input size (${formatShape(input.shape)}). ` +
      'This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.',
  );
}

/**
 * (input − target)² reduced, as one node (PyTorch's MseLossBackward0) whose backward is PyTorch's
 * mse_loss_backward: (input − target)·norm·grad, norm = 2/N for a mean (rounded to float32 first, as
 * PyTorch's scalar is) and 2 otherwise; the target's gradient is its negation.
 */
const mseLossOp = defineOp(
  'MseLossBackward0',
  (ctx, input: Tensor, target: Tensor, reduction: Reduction) => {
    ctx.saveForBackward(input, target);
    ctx.reduction = reduction;
    const d = input.sub(target);
    return reduce(d.mul(d), reduction);
  },
  (ctx, g) => {
    const [input, target] = ctx.savedTensors;
    const norm = ctx.reduction === 'mean' ? Math.fround(2 / input!.numel()) : 2;
    const grad = input!.sub(target!).mul(norm).mul(g);
    return [ctx.needsInputGrad[0] ? grad : null, ctx.needsInputGrad[1] ? grad.neg() : null, null];
  },
);

export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkKeys('torch.nn.functional.mseLoss', options, ['reduction']);
  [input, target] = [toAutocastFloat32(input), toAutocastFloat32(target)];
  const reduction = checkReduction(options.reduction ?? 'mean');
  warnIfBroadcast(input, target);
  // PyTorch broadcasts the pair first, so a broadcast operand's gradient is summed back by expand's node.
  if (!sameShape(input, target)) {
    const shape = broadcastShapes(input.shape, target.shape);
    [input, target] = [input.expand(shape), target.expand(shape)];
  }
  return mseLossOp(input, target, reduction);
}

export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkKeys('torch.nn.functional.l1Loss', options, ['reduction']);
  [input, target] = [toAutocastFloat32(input), toAutocastFloat32(target)];
  warnIfBroadcast(input, target);
  return reduce(input.sub(target).abs(), checkReduction(options.reduction ?? 'mean'));
}

// ---- negative log likelihood and cross-entropy ---------------------------------------------------

function checkClassTarget(input: Tensor, target: Tensor, what: string): void {
  if (target.dtype !== 'int32') {
    throw new TypeError(
      `expected scalar type Int but found ${scalarTypeNames[target.dtype]}: ${what} takes class indices as an int32 target ` +
        `(got ${target.dtype} of shape ${formatShape(target.shape)}); create it with { dtype: 'int32' } or call target.int()` +
        (what === 'cross_entropy'
          ? `, or pass class probabilities with the input's shape ${formatShape(input.shape)}`
          : ''),
    );
  }
  if (input.ndim === 0)
    throw new RangeError('input tensor should be 1D or 2D (or more, with the class dim at 1); got a 0-d tensor');
  if (input.ndim === 1) {
    if (target.ndim !== 0) {
      throw new RangeError(
        `for an unbatched input ${formatShape(input.shape)} the target must be 0-d, but got ${formatShape(target.shape)}`,
      );
    }
    return;
  }
  if (target.ndim === 0 || input.shape[0] !== target.shape[0]) {
    throw new RangeError(
      `Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0] ?? 0}).`,
    );
  }
  const expected = [input.shape[0]!, ...input.shape.slice(2)];
  if (!equalShapes(target.shape, expected)) {
    throw new RangeError(
      input.ndim === 2
        ? `0D or 1D target tensor expected, multi-target not supported (input ${formatShape(input.shape)}, target ${formatShape(target.shape)})`
        : `Expected target size ${formatShape(expected)}, got ${formatShape(target.shape)}`,
    );
  }
}

function checkClassWeight(weight: Tensor | null | undefined, classes: number): void {
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== classes)) {
    throw new RangeError(
      `weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: ${formatShape(weight.shape)}`,
    );
  }
}

/** [N, C, d1, …] → [N·d1·…, C] and the target to match, so every case is the 2-D one. */
function asRows(input: Tensor, target: Tensor): { rows: Tensor; labels: Tensor } {
  if (input.ndim === 1) return { rows: input.unsqueeze(0), labels: target.reshape([1]) };
  if (input.ndim === 2) return { rows: input, labels: target };
  const dims = [0, ...input.shape.slice(2).map((_, i) => i + 2), 1];
  return { rows: input.permute(dims).reshape([-1, input.shape[1]!]), labels: target.reshape([-1]) };
}

/** Per-row −w[t]·x[t] and the weight each row counts with (0 where ignored). */
function pickedLosses(rows: Tensor, labels: Tensor, weight: Tensor | null | undefined, ignoreIndex: number) {
  const ignored = labels.eq(ignoreIndex);
  const safe = where(ignored, 0, labels);
  const picked = rows.gather(1, safe.unsqueeze(1)).squeeze(1);
  let rowWeight = ignored.logicalNot().to(rows.dtype);
  if (weight) rowWeight = rowWeight.mul(weight.indexSelect(0, safe));
  return { losses: picked.mul(rowWeight).neg(), rowWeight, ignored };
}

/** The mean is over the weights of the rows that count, as PyTorch's (so NaN if every row is ignored). */
function reduceWeighted(
  losses: Tensor,
  rowWeight: Tensor,
  reduction: Reduction,
  targetShape: readonly number[],
): Tensor {
  if (reduction === 'none') return losses.reshape(targetShape);
  return reduction === 'sum' ? losses.sum() : losses.sum().div(rowWeight.sum());
}

/**
 * The mean (or sum) of −x[i, tᵢ] over the rows not ignored, as one op and one kernel each way where
 * the backend has them (PyTorch's NllLossBackward0): the same values as pickedLosses and
 * reduceWeighted compose from a gather and four more ops, each a node and a kernel of its own.
 */
const nllLossOp = defineOp(
  'NllLossBackward0',
  (ctx, rows: Tensor, labels: Tensor, ignoreIndex: number, mean: boolean) => {
    ctx.saveForBackward(labels);
    Object.assign(ctx, { rowsShape: rows.shape, ignoreIndex, mean });
    return launchNllLoss(rows, labels, ignoreIndex, mean);
  },
  (ctx, g) => {
    const [labels] = ctx.savedTensors;
    const {
      rowsShape: shape,
      ignoreIndex,
      mean,
    } = ctx as unknown as { rowsShape: number[]; ignoreIndex: number; mean: boolean };
    if (!isGradEnabled()) return [launchNllLossBackward(g, labels!, shape, ignoreIndex, mean), null, null, null];
    // Recorded (createGraph): the same gradient from differentiable ops.
    const ignored = labels!.eq(ignoreIndex);
    const rowWeight = ignored.logicalNot().to(g.dtype);
    const src = (mean ? g.div(rowWeight.sum()) : g).neg().mul(rowWeight).unsqueeze(1);
    const base = zeros(shape, { dtype: g.dtype, device: g.device });
    return [base.scatterAdd(1, where(ignored, 0, labels!).unsqueeze(1), src), null, null, null];
  },
);

/** Whether nllLossOp computes this loss: class targets, no class weights, a mean or a sum. */
function fusedNll(rows: Tensor, weight: Tensor | null | undefined, reduction: Reduction): boolean {
  return !weight && reduction !== 'none' && isFloatingPoint(rows.dtype) && hasNllLoss(rows);
}

export function nllLoss(input: Tensor, target: Tensor, options: NLLLossOptions = {}): Tensor {
  checkKeys('torch.nn.functional.nllLoss', options, keys<NLLLossOptions>({ weight: 1, reduction: 1, ignoreIndex: 1 }));
  [input, target] = [toAutocastFloat32(input), toAutocastFloat32(target)];
  const { weight, ignoreIndex = -100 } = options;
  const reduction = checkReduction(options.reduction ?? 'mean');
  checkClassTarget(input, target, 'nll_loss');
  checkClassWeight(weight, input.shape[input.ndim === 1 ? 0 : 1]!);
  const { rows, labels } = asRows(input, target);
  if (fusedNll(rows, weight, reduction)) return nllLossOp(rows, labels, ignoreIndex, reduction === 'mean');
  const { losses, rowWeight } = pickedLosses(rows, labels, weight, ignoreIndex);
  return reduceWeighted(losses, rowWeight, reduction, target.shape);
}

export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkKeys(
    'torch.nn.functional.crossEntropy',
    options,
    keys<CrossEntropyOptions>({ weight: 1, reduction: 1, ignoreIndex: 1, labelSmoothing: 1 }),
  );
  [input, target] = [toAutocastFloat32(input), toAutocastFloat32(target)];
  const { weight, ignoreIndex = -100, labelSmoothing = 0 } = options;
  const reduction = checkReduction(options.reduction ?? 'mean');
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(`label_smoothing must be between 0.0 and 1.0. Got: ${labelSmoothing}`);
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim]!;
  checkClassWeight(weight, classes);
  const logp = input.logSoftmax(classDim);
  if (isFloatingPoint(target.dtype) && sameShape(input, target)) {
    return softTargetLoss(logp, target, weight, labelSmoothing, classDim, reduction);
  }
  checkClassTarget(input, target, 'cross_entropy');
  const { rows, labels } = asRows(logp, target);
  if (labelSmoothing === 0 && fusedNll(rows, weight, reduction)) {
    return nllLossOp(rows, labels, ignoreIndex, reduction === 'mean');
  }
  const { losses, rowWeight, ignored } = pickedLosses(rows, labels, weight, ignoreIndex);
  const nll = reduceWeighted(losses, rowWeight, reduction, target.shape);
  if (labelSmoothing === 0) return nll;
  // The smoothed part spreads ε over all classes: −Σ_c w_c·log p_c per row, with the nll's denominator.
  const smooth = where(ignored, 0, (weight ? rows.mul(weight) : rows).sum(1).neg());
  const smoothed = reduceWeighted(smooth, rowWeight, reduction, target.shape);
  return nll.mul(1 - labelSmoothing).add(smoothed.mul(labelSmoothing / classes));
}

/** Cross-entropy against class probabilities: −Σ_c w_c·q_c·log p_c, the mean taken over rows. */
function softTargetLoss(
  logp: Tensor,
  target: Tensor,
  weight: Tensor | null | undefined,
  eps: number,
  classDim: number,
  reduction: Reduction,
): Tensor {
  const classes = logp.shape[classDim]!;
  const q = eps > 0 ? target.mul(1 - eps).add(eps / classes) : target;
  let terms = logp.mul(q);
  if (weight) terms = terms.mul(weight.reshape([classes, ...logp.shape.slice(classDim + 1).map(() => 1)]));
  const losses = terms.sum(classDim).neg();
  if (reduction === 'none') return losses;
  return reduction === 'sum' ? losses.sum() : losses.sum().div(logp.numel() / classes);
}

// ---- binary cross-entropy --------------------------------------------------------------------------

/** PyTorch clamps each log at −100, so a probability of exactly 0 or 1 gives a finite loss. */
const LOG_FLOOR = -100;

const binaryCrossEntropyOp = defineOp(
  'BinaryCrossEntropyBackward0',
  (ctx, x: Tensor, y: Tensor) => {
    ctx.saveForBackward(x, y);
    const logX = x.log().clamp(LOG_FLOOR);
    const log1mX = x.neg().add(1).log().clamp(LOG_FLOOR);
    return y.mul(logX).add(y.neg().add(1).mul(log1mX)).neg();
  },
  (ctx, g) => {
    const [x, y] = ctx.savedTensors;
    // PyTorch's gradient: (x − y) / max(x(1 − x), 1e-12), finite where the sigmoid saturated to 0 or 1.
    const gx = ctx.needsInputGrad[0] ? g.mul(x!.sub(y!)).div(x!.mul(x!.neg().add(1)).clamp(1e-12)) : null;
    const gy = ctx.needsInputGrad[1]
      ? g.mul(x!.neg().add(1).log().clamp(LOG_FLOOR).sub(x!.log().clamp(LOG_FLOOR)))
      : null;
    return [gx, gy];
  },
);

export function binaryCrossEntropy(input: Tensor, target: Tensor, options: WeightedLossOptions = {}): Tensor {
  checkKeys('torch.nn.functional.binaryCrossEntropy', options, ['weight', 'reduction']);
  [input, target] = [toAutocastFloat32(input), toAutocastFloat32(target)];
  if (!sameShape(input, target)) {
    throw new RangeError(
      `Using a target size (${formatShape(target.shape)}) that is different to the input size (${formatShape(input.shape)}) is deprecated. ` +
        'Please ensure they have the same size.',
    );
  }
  let loss = binaryCrossEntropyOp(input, target.dtype === input.dtype ? target : target.to(input.dtype));
  if (options.weight) loss = loss.mul(options.weight);
  return reduce(loss, checkReduction(options.reduction ?? 'mean'));
}

/** log(1 + e^(−x)), written so that e^(−|x|) ≤ 1 never overflows. */
function softplusNeg(x: Tensor): Tensor {
  return x.abs().neg().exp().add(1).log().add(x.neg().relu());
}

/**
 * (1 − y)·x + (1 + (pw − 1)·y)·log(1 + e^(−x)), the stable form of −[pw·y·log σ(x) + (1 − y)·log(1 − σ(x))].
 * One op with its own backward, because composing it from |x| and max(x, 0) gets the gradient wrong at x = 0.
 */
const bceWithLogitsOp = defineOp(
  'BinaryCrossEntropyWithLogitsBackward0',
  (ctx, x: Tensor, y: Tensor, posWeight: Tensor | null) => {
    ctx.saveForBackward(x, y, posWeight);
    const logWeight = posWeight ? posWeight.sub(1).mul(y).add(1) : null;
    const sp = softplusNeg(x);
    return y
      .neg()
      .add(1)
      .mul(x)
      .add(logWeight ? logWeight.mul(sp) : sp);
  },
  (ctx, g) => {
    const [x, y, posWeight] = ctx.savedTensors;
    const sig = x!.sigmoid();
    let gx: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      // d/dx = (1 + (pw − 1)·y)·σ(x) − pw·y, which is σ(x) − y without pos_weight.
      gx = posWeight ? g.mul(posWeight.sub(1).mul(y!).add(1).mul(sig).sub(posWeight.mul(y!))) : g.mul(sig.sub(y!));
    }
    const gy = ctx.needsInputGrad[1]
      ? g.mul(posWeight ? posWeight.sub(1).mul(softplusNeg(x!)).sub(x!) : x!.neg())
      : null;
    const gw = ctx.needsInputGrad[2] ? g.mul(y!).mul(softplusNeg(x!)) : null;
    return [gx, gy, gw];
  },
);

export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BCEWithLogitsOptions = {},
): Tensor {
  checkKeys(
    'torch.nn.functional.binaryCrossEntropyWithLogits',
    options,
    keys<BCEWithLogitsOptions>({ weight: 1, reduction: 1, posWeight: 1 }),
  );
  [input, target] = [toAutocastFloat32(input), toAutocastFloat32(target)];
  if (!sameShape(input, target)) {
    throw new RangeError(
      `Target size (${formatShape(target.shape)}) must be the same as input size (${formatShape(input.shape)})`,
    );
  }
  const y = target.dtype === input.dtype ? target : target.to(input.dtype);
  let loss = bceWithLogitsOp(input, y, options.posWeight ?? null);
  if (options.weight) loss = loss.mul(options.weight);
  return reduce(loss, checkReduction(options.reduction ?? 'mean'));
}

/** Class indices → one-hot rows (int32); numClasses = −1 infers it as max + 1, which reads the tensor. */
export function oneHot(tensor: Tensor, numClasses = -1): Tensor {
  if (tensor.dtype !== 'int32')
    throw new TypeError(`one_hot is only applicable to index tensor (int32), got ${tensor.dtype}`);
  let classes = numClasses;
  if (classes < 0) {
    if (tensor.numel() === 0) throw new RangeError('Can not infer total number of classes from empty tensor.');
    const readSync = tensor.storage.backend.readSync;
    if (!readSync)
      throw new Error(`oneHot on ${tensor.device} needs numClasses: inferring it would wait for the device`);
    classes = readSync.call(tensor.storage.backend, tensor.max().strided)[0]! + 1;
  }
  return tensor
    .unsqueeze(-1)
    .eq(arange(classes, { device: tensor.device }))
    .to('int32');
}

export interface SmoothL1LossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (0: the L1 loss). */
  beta?: number;
}
export interface HuberLossOptions extends LossOptions {
  delta?: number;
}
export interface KLDivOptions {
  /** 'batchmean' (the sum over the batch size) is the KL divergence; 'mean' averages over every element. */
  reduction?: Reduction | 'batchmean';
  /** Whether the target is given as log-probabilities too. */
  logTarget?: boolean;
}

/** 0.5·d²/beta where |d| < beta, else |d| − 0.5·beta (d = input − target). */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  checkKeys('torch.nn.functional.smoothL1Loss', options, ['reduction', 'beta']);
  const beta = options.beta ?? 1;
  if (!(beta >= 0)) throw new RangeError('smooth_l1_loss does not support negative values for beta.');
  [input, target] = [toAutocastFloat32(input), toAutocastFloat32(target)];
  warnIfBroadcast(input, target);
  const d = input.sub(target).abs();
  const loss = beta === 0 ? d : where(d.lt(beta), d.mul(d).mul(0.5 / beta), d.sub(0.5 * beta));
  return reduce(loss, checkReduction(options.reduction ?? 'mean'));
}

/** 0.5·d² where |d| < delta, else delta·(|d| − 0.5·delta): smoothL1Loss times delta (with beta = delta). */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  checkKeys('torch.nn.functional.huberLoss', options, ['reduction', 'delta']);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new RangeError('huber_loss does not support non-positive values for delta.');
  [input, target] = [toAutocastFloat32(input), toAutocastFloat32(target)];
  warnIfBroadcast(input, target);
  const d = input.sub(target).abs();
  const loss = where(d.lt(delta), d.mul(d).mul(0.5), d.sub(0.5 * delta).mul(delta));
  return reduce(loss, checkReduction(options.reduction ?? 'mean'));
}

/**
 * KL(target ‖ input) with input as log-probabilities: target·(log target − input), 0 where the
 * target is 0 (as PyTorch's xlogy, whose target gradient is NaN there too), or
 * exp(target)·(target − input) with logTarget.
 */
export function klDiv(input: Tensor, target: Tensor, options: KLDivOptions = {}): Tensor {
  checkKeys('torch.nn.functional.klDiv', options, ['reduction', 'logTarget']);
  [input, target] = [toAutocastFloat32(input), toAutocastFloat32(target)];
  const reduction = options.reduction ?? 'mean';
  const loss = options.logTarget
    ? target.exp().mul(target.sub(input))
    : where(target.eq(0), 0, target.mul(target.log())).sub(target.mul(input));
  if (reduction === 'batchmean') return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]!);
  if (reduction === 'mean')
    warnOnce(
      "reduction: 'mean' divides the total loss by both the batch size and the support size. 'batchmean' divides only by the batch size, and aligns with the KL div math definition. 'mean' will be changed to behave the same as 'batchmean' in the next major release.",
    );
  return reduce(loss, checkReduction(reduction));
}

// ---- ranking, embedding and count losses: PyTorch's formulas, composed ---------------------------

function lossArgs<T extends object>(
  name: string,
  names: readonly (keyof T & string)[],
  rest: unknown[],
  more: readonly string[] = [],
) {
  const o = namedArgs<T & LossOptions>(`torch.nn.functional.${name}`, names, rest, [...names, ...more, 'reduction']);
  return { ...o, reduction: checkReduction((o as LossOptions).reduction ?? 'mean') };
}

/** max(0, −y·(x1 − x2) + margin). */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, ...rest: unknown[]): Tensor {
  const { margin = 0, reduction } = lossArgs<{ margin: number }>('marginRankingLoss', ['margin'], rest);
  return reduce(target.neg().mul(input1.sub(input2)).add(margin).clampMin(0), reduction);
}

/** x where y = 1, max(0, margin − x) where y = −1. */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, ...rest: unknown[]): Tensor {
  const { margin = 1, reduction } = lossArgs<{ margin: number }>('hingeEmbeddingLoss', ['margin'], rest);
  const marginPart = where(target.ne(1), input.neg().add(margin).clampMin(0), 0);
  return reduce(marginPart.add(where(target.ne(-1), input, 0)), reduction);
}

/** log(1 + e^{−y·x}), as PyTorch computes it. */
export function softMarginLoss(input: Tensor, target: Tensor, ...rest: unknown[]): Tensor {
  const { reduction } = lossArgs<object>('softMarginLoss', [], rest);
  return reduce(log1p(input.mul(target).neg().exp()), reduction);
}

/** −(y·log σ(x) + (1 − y)·log σ(−x)), weighted, averaged over the classes (dim 1), then reduced. */
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, ...rest: unknown[]): Tensor {
  const { weight, reduction } = lossArgs<{ weight: Tensor | null }>('multilabelSoftMarginLoss', ['weight'], rest);
  const logSig = (x: Tensor) => x.clampMax(0).sub(log1p(x.abs().neg().exp()));
  let loss = target
    .mul(logSig(input))
    .add(target.neg().add(1).mul(logSig(input.neg())))
    .neg();
  if (weight) loss = loss.mul(weight);
  return reduce(loss.sum(input.ndim - 1).div(input.shape[input.ndim - 1]!), reduction);
}

/** 1 − cos(x1, x2) where y = 1, max(0, cos − margin) where y = −1 (cos along dim 1 with PyTorch's ε = 1e-12 in each squared norm). */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, ...rest: unknown[]): Tensor {
  const { margin = 0, reduction } = lossArgs<{ margin: number }>('cosineEmbeddingLoss', ['margin'], rest);
  const dim = input1.ndim - 1;
  const product = input1.mul(input2).sum(dim);
  const norms = input1.mul(input1).sum(dim).add(1e-12).mul(input2.mul(input2).sum(dim).add(1e-12));
  const cos = product.div(norms.sqrt());
  const loss = where(target.eq(1), cos.neg().add(1), 0).add(where(target.eq(-1), cos.sub(margin).clampMin(0), 0));
  return reduce(loss, reduction);
}

/** ‖x1 − x2 + eps‖_p over the last dim. */
export function pairwiseDistance(x1: Tensor, x2: Tensor, ...rest: unknown[]): Tensor {
  const {
    p = 2,
    eps = 1e-6,
    keepdim = false,
  } = namedArgs<{ p: number; eps: number; keepdim: boolean }>(
    'torch.nn.functional.pairwiseDistance',
    ['p', 'eps', 'keepdim'],
    rest,
  );
  const d = x1.sub(x2).add(eps);
  return d.norm(p, Math.max(x1.ndim, x2.ndim) - 1, keepdim);
}

/** max(d(a, p) − d(a, n) + margin, 0) with pairwise distances; `swap` takes the nearer of d(a, n) and d(p, n). */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, ...rest: unknown[]): Tensor {
  const {
    margin = 1,
    p = 2,
    eps = 1e-6,
    swap = false,
    reduction,
  } = lossArgs<{ margin: number; p: number; eps: number; swap: boolean }>(
    'tripletMarginLoss',
    ['margin', 'p', 'eps', 'swap'],
    rest,
  );
  const dims = [anchor.ndim, positive.ndim, negative.ndim];
  if (dims.some((d) => d !== dims[0]))
    throw new RangeError(
      `The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor ${dims[0]}D, positive ${dims[1]}D, and negative ${dims[2]}D inputs`,
    );
  const dPos = pairwiseDistance(anchor, positive, p, eps);
  let dNeg = pairwiseDistance(anchor, negative, p, eps);
  if (swap) dNeg = dNeg.minimum(pairwiseDistance(positive, negative, p, eps));
  return reduce(dPos.sub(dNeg).add(margin).clampMin(0), reduction);
}

/** e^x − y·x (logInput, the default) or x − y·log(x + eps); `full` adds Stirling's y·log y − y + ½·log(2πy) where y > 1. */
export function poissonNllLoss(input: Tensor, target: Tensor, ...rest: unknown[]): Tensor {
  const {
    logInput = true,
    full = false,
    eps = 1e-8,
    reduction,
  } = lossArgs<{ logInput: boolean; full: boolean; eps: number }>('poissonNllLoss', ['logInput', 'full'], rest, [
    'eps',
  ]);
  let loss = logInput ? input.exp().sub(target.mul(input)) : input.sub(target.mul(input.add(eps).log()));
  if (full) {
    const stirling = target
      .mul(target.log())
      .sub(target)
      .add(
        target
          .mul(2 * Math.PI)
          .log()
          .mul(0.5),
      );
    loss = loss.add(where(target.gt(1), stirling, 0));
  }
  return reduce(loss, reduction);
}
