/** Activations, dropout and linear as functions (torch.nn.functional). */
import { toAutocastDtype } from '../../amp/autocast.ts';
import { isFloatingPoint } from '../../dtype.ts';
import { defineOp } from '../../autograd/function.ts';
import { where } from '../../ops/elementwise.ts';
import { erf, expm1, log1p } from '../../ops/math.ts';
import { fusedLinear } from '../../ops/matmul.ts';
import { bernoulliMask } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { namedArgs } from '../../args.ts';
import { warnOnce } from './warn.ts';

export const relu = (input: Tensor): Tensor => input.relu();
export const sigmoid = (input: Tensor): Tensor => input.sigmoid();
export const tanh = (input: Tensor): Tensor => input.tanh();

/** PyTorch's legacy choice when no dim is given (0 for 0-, 1- and 3-D inputs, else 1), with its warning. */
export function softmaxDim(name: string, ndim: number, dim: number | null | undefined): number {
  if (dim !== undefined && dim !== null) return dim;
  warnOnce(
    `Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`,
  );
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

type DimArg = number | { dim?: number | null } | null;

function dimOf(call: string, dim: DimArg | undefined): number | null | undefined {
  return namedArgs<{ dim: number | null }>(call, ['dim'], [dim]).dim;
}

export function softmax(input: Tensor, dim?: DimArg): Tensor {
  return input.softmax(softmaxDim('softmax', input.ndim, dimOf('torch.nn.functional.softmax', dim)));
}

export function logSoftmax(input: Tensor, dim?: DimArg): Tensor {
  return input.logSoftmax(softmaxDim('log_softmax', input.ndim, dimOf('torch.nn.functional.logSoftmax', dim)));
}

export interface DropoutOptions {
  p?: number;
  training?: boolean;
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1−p), so the expected value is
 * unchanged; the mask is drawn from the default generator, so torch.manualSeed makes it repeatable.
 */
export function dropout(input: Tensor, p?: number, training?: boolean): Tensor;
export function dropout(input: Tensor, options: DropoutOptions): Tensor;
export function dropout(input: Tensor, ...rest: unknown[]): Tensor {
  const { p = 0.5, training = true } = namedArgs<DropoutOptions>(
    'torch.nn.functional.dropout',
    ['p', 'training'],
    rest,
  );
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  if (p === 1) return input.mul(0);
  const dtype = isFloatingPoint(input.dtype) ? input.dtype : 'float32';
  const keep = bernoulliMask(input.shape, 1 - p, input.device);
  return input.mul(where(keep, 1 / (1 - p), 0).to(dtype));
}

/**
 * PyTorch's feature dropout: whole channels (dims 0 and 1 pick one; the rest share its draw) are
 * zeroed with probability p, the others scaled by 1/(1−p); one draw per channel, in order.
 */
function featureDropout(input: Tensor, p: number, training: boolean): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  if (p === 1) return input.mul(0);
  const dtype = isFloatingPoint(input.dtype) ? input.dtype : 'float32';
  const keep = bernoulliMask(
    input.shape.map((d, i) => (i < 2 ? d : 1)),
    1 - p,
    input.device,
  );
  return input.mul(where(keep, 1 / (1 - p), 0).to(dtype));
}

/** Channel-wise dropout of [N, C, L] (or unbatched [C, L]) inputs. */
export function dropout1d(input: Tensor, ...rest: unknown[]): Tensor {
  const { p = 0.5, training = true } = optionsFor<DropoutOptions & { inplace: boolean }>(
    'dropout1d',
    ['p', 'training', 'inplace'],
    rest,
  );
  if (input.ndim !== 2 && input.ndim !== 3)
    throw new RangeError(
      `dropout1d: Expected 2D or 3D input, but received a ${input.ndim}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).`,
    );
  if (input.ndim === 3) return featureDropout(input, p, training);
  return featureDropout(input.unsqueeze(0), p, training).squeeze(0);
}

/** Channel-wise dropout of [N, C, H, W] inputs (a 3-D input is taken as [N, C, L], with PyTorch 1.13's warning). */
export function dropout2d(input: Tensor, ...rest: unknown[]): Tensor {
  const { p = 0.5, training = true } = optionsFor<DropoutOptions & { inplace: boolean }>(
    'dropout2d',
    ['p', 'training', 'inplace'],
    rest,
  );
  if (input.ndim !== 3 && input.ndim !== 4)
    warnOnce(
      `dropout2d: Received a ${input.ndim}-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).`,
    );
  if (input.ndim === 3)
    warnOnce(
      'dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.',
    );
  return featureDropout(input, p, training);
}

/** y = x·Wᵀ + b, with weight [out_features, in_features]. */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null | { bias?: Tensor | null }): Tensor {
  ({ bias } = namedArgs<{ bias: Tensor | null }>('torch.nn.functional.linear', ['bias'], [bias]));
  // Under autocast the operands (the bias too) take the region's dtype, so the output stays low-precision.
  const [x, w] = [toAutocastDtype(input), toAutocastDtype(weight)];
  const b = bias ? toAutocastDtype(bias) : null;
  const fused = b ? fusedLinear(x, w, b) : null;
  if (fused) return fused;
  // PyTorch folds a contiguous 3-D input's leading dims into one addmm (so it rounds once under autocast).
  if (b && x.ndim === 3 && x.isContiguous()) {
    const [n0, n1, k] = x.shape as [number, number, number];
    const folded = fusedLinear(x.view([n0 * n1, k]), w, b);
    if (folded) return folded.view([n0, n1, folded.shape[1]!]);
  }
  const y = x.matmul(w.t());
  return b ? y.add(b) : y;
}

function optionsFor<T extends object>(name: string, names: readonly (keyof T & string)[], rest: unknown[]): Partial<T> {
  return namedArgs<T>(`torch.nn.functional.${name}`, names, rest);
}

/** x where x > 0, else negativeSlope·x (the slope's gradient at 0, as PyTorch's). */
export function leakyRelu(input: Tensor, ...rest: unknown[]): Tensor {
  const { negativeSlope = 0.01 } = optionsFor<{ negativeSlope: number; inplace: boolean }>(
    'leakyRelu',
    ['negativeSlope', 'inplace'],
    rest,
  );
  return where(input.gt(0), input, input.mul(negativeSlope));
}

/** x where x > 0, else alpha·(eˣ − 1) (computed on min(x, 0), so a large x's unused branch cannot overflow into NaN gradients). */
export function elu(input: Tensor, ...rest: unknown[]): Tensor {
  const { alpha = 1 } = optionsFor<{ alpha: number; inplace: boolean }>('elu', ['alpha', 'inplace'], rest);
  return where(input.gt(0), input, expm1(input.clampMax(0)).mul(alpha));
}

/** x·Φ(x) with Φ by erf ('none', the default), or its tanh approximation ('tanh'). */
export function gelu(input: Tensor, ...rest: unknown[]): Tensor {
  const { approximate = 'none' } = optionsFor<{ approximate: 'none' | 'tanh' }>('gelu', ['approximate'], rest);
  if (approximate === 'tanh') {
    const inner = input.add(input.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return input.mul(0.5).mul(inner.tanh().add(1));
  }
  if (approximate !== 'none') throw new RangeError(`approximate argument must be either none or tanh.`);
  return input.mul(0.5).mul(erf(input.mul(Math.SQRT1_2)).add(1));
}

export const silu = (input: Tensor): Tensor => input.mul(input.sigmoid());

/** log(1 + e^{βx})/β, or x itself where βx > threshold (as PyTorch's, for stability). */
export function softplus(input: Tensor, ...rest: unknown[]): Tensor {
  const { beta = 1, threshold = 20 } = optionsFor<{ beta: number; threshold: number }>(
    'softplus',
    ['beta', 'threshold'],
    rest,
  );
  const scaled = input.mul(beta);
  return where(scaled.gt(threshold), input, log1p(scaled.clampMax(threshold).exp()).div(beta));
}

/** PyTorch's hardtanh_backward: the gradient passes strictly inside (minVal, maxVal), not at the bounds. */
const hardtanhOp = defineOp(
  'HardtanhBackward0',
  (ctx, x: Tensor, min: number, max: number) => {
    ctx.saveForBackward(x);
    ctx.min = min;
    ctx.max = max;
    return x.clamp(min, max);
  },
  (ctx, g) => {
    const [x] = ctx.savedTensors;
    return [where(x!.gt(ctx.min as number).logicalAnd(x!.lt(ctx.max as number)), g, 0), null, null];
  },
);

export function hardtanh(input: Tensor, ...rest: unknown[]): Tensor {
  const { minVal = -1, maxVal = 1 } = optionsFor<{ minVal: number; maxVal: number; inplace: boolean }>(
    'hardtanh',
    ['minVal', 'maxVal', 'inplace'],
    rest,
  );
  if (!(minVal <= maxVal)) throw new RangeError('hardtanh: min_val cannot be greater than max_val');
  return hardtanhOp(input, minVal, maxVal);
}

export function relu6(input: Tensor, ...rest: unknown[]): Tensor {
  optionsFor<{ inplace: boolean }>('relu6', ['inplace'], rest);
  return hardtanhOp(input, 0, 6);
}

/** log σ(x) = min(x, 0) − log(1 + e^{−|x|}), finite for any x; gradient σ(−x). */
const logSigmoidOp = defineOp(
  'LogSigmoidBackward0',
  (ctx, x: Tensor) => {
    ctx.saveForBackward(x);
    return x.clampMax(0).sub(log1p(x.abs().neg().exp()));
  },
  (ctx, g) => [g.mul(ctx.savedTensors[0]!.neg().sigmoid())],
);
export const logsigmoid = (input: Tensor): Tensor => logSigmoidOp(input);

export function softmin(input: Tensor, dim?: DimArg): Tensor {
  return input.neg().softmax(softmaxDim('softmin', input.ndim, dimOf('torch.nn.functional.softmin', dim)));
}

/** x / max(‖x‖_p along dim, eps). */
export function normalize(input: Tensor, ...rest: unknown[]): Tensor {
  const {
    p = 2,
    dim = 1,
    eps = 1e-12,
  } = optionsFor<{ p: number; dim: number; eps: number }>('normalize', ['p', 'dim', 'eps'], rest);
  return input.div(input.norm(p, dim, true).clampMin(eps).expandAs(input));
}

/** Σ x1·x2 / √max(Σ x1² · Σ x2², eps²) along dim (the inputs broadcast). */
export function cosineSimilarity(x1: Tensor, x2: Tensor, ...rest: unknown[]): Tensor {
  const { dim = 1, eps = 1e-8 } = optionsFor<{ dim: number; eps: number }>('cosineSimilarity', ['dim', 'eps'], rest);
  const w12 = x1.mul(x2).sum(dim);
  const w1 = x1.mul(x1).sum(dim);
  const w2 = x2.mul(x2).sum(dim);
  return w12.div(
    w1
      .mul(w2)
      .clampMin(eps * eps)
      .sqrt(),
  );
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** scale·elu(x, α) with PyTorch's self-normalising constants. */
export function selu(input: Tensor, ...rest: unknown[]): Tensor {
  optionsFor<{ inplace: boolean }>('selu', ['inplace'], rest);
  return elu(input, SELU_ALPHA).mul(SELU_SCALE);
}

/** x where x > 0, else α·(e^{x/α} − 1). */
export function celu(input: Tensor, ...rest: unknown[]): Tensor {
  const { alpha = 1 } = optionsFor<{ alpha: number; inplace: boolean }>('celu', ['alpha', 'inplace'], rest);
  if (alpha === 0) throw new RangeError('ZeroDivisionError: celu with alpha = 0');
  return where(input.gt(0), input, expm1(input.clampMax(0).div(alpha)).mul(alpha));
}

/** x·tanh(softplus(x)). */
export function mish(input: Tensor, ...rest: unknown[]): Tensor {
  optionsFor<{ inplace: boolean }>('mish', ['inplace'], rest);
  return input.mul(softplus(input).tanh());
}

/** x·relu6(x + 3)/6, with PyTorch's hardswish_backward (x/3 + 1/2 on [−3, 3], both ends included). */
const hardswishOp = defineOp(
  'HardswishBackward0',
  (ctx, x: Tensor) => {
    ctx.saveForBackward(x);
    return x.mul(x.add(3).clamp(0, 6)).div(6);
  },
  (ctx, g) => {
    const [x] = ctx.savedTensors as [Tensor];
    return [where(x.lt(-3), 0, where(x.le(3), g.mul(x.div(3).add(0.5)), g))];
  },
);
export function hardswish(input: Tensor, ...rest: unknown[]): Tensor {
  optionsFor<{ inplace: boolean }>('hardswish', ['inplace'], rest);
  return hardswishOp(input);
}

/** relu6(x + 3)/6 (gradient 1/6 strictly inside (−3, 3)). */
export function hardsigmoid(input: Tensor, ...rest: unknown[]): Tensor {
  optionsFor<{ inplace: boolean }>('hardsigmoid', ['inplace'], rest);
  return hardtanhOp(input.add(3), 0, 6).div(6);
}

export const softsign = (input: Tensor): Tensor => input.div(input.abs().add(1));
export const tanhshrink = (input: Tensor): Tensor => input.sub(input.tanh());

function lambdOf(name: string, rest: unknown[]): number {
  const { lambd = 0.5 } = optionsFor<{ lambd: number }>(name, ['lambd'], rest);
  return lambd;
}

/** x − λ above λ, x + λ below −λ, 0 between (ends included). */
export function softshrink(input: Tensor, ...rest: unknown[]): Tensor {
  const lambd = lambdOf('softshrink', rest);
  if (!(lambd >= 0)) throw new RangeError(`lambda must be greater or equal to 0, but found to be ${lambd}.`);
  return where(input.gt(lambd), input.sub(lambd), where(input.lt(-lambd), input.add(lambd), 0));
}

/** x where |x| > λ, else 0. */
export function hardshrink(input: Tensor, ...rest: unknown[]): Tensor {
  const lambd = lambdOf('hardshrink', rest);
  return where(input.gt(lambd).logicalOr(input.lt(-lambd)), input, 0);
}

/** x where x > threshold, else value. */
export function threshold(input: Tensor, ...rest: unknown[]): Tensor {
  const o = optionsFor<{ threshold: number; value: number; inplace: boolean }>(
    'threshold',
    ['threshold', 'value', 'inplace'],
    rest,
  );
  if (o.threshold === undefined || o.value === undefined)
    throw new TypeError("torch.nn.functional.threshold() missing required arguments 'threshold' and 'value'");
  return where(input.gt(o.threshold), input, o.value);
}

/** a·σ(b), a and b the two halves of x along dim (−1 by default). */
export function glu(input: Tensor, ...rest: unknown[]): Tensor {
  const { dim = -1 } = optionsFor<{ dim: number }>('glu', ['dim'], rest);
  if (input.ndim === 0) throw new RangeError('glu does not support scalars because halving size must be even');
  const d = dim < 0 ? dim + input.ndim : dim;
  const size = input.shape[d]!;
  if (size % 2 !== 0) throw new RangeError(`Halving dimension must be even, but dimension ${d} is size ${size}`);
  const [a, b] = input.chunk(2, d) as [Tensor, Tensor];
  return a.mul(b.sigmoid());
}

/** x where x > 0, else weight·x, weight one value or one per channel (dim 1). */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  const n = weight.numel();
  const channels = input.ndim >= 2 ? input.shape[1]! : 1;
  if (n !== 1 && n !== channels)
    throw new RangeError(
      `Mismatch of parameter numbers and input channel size. Found parameter numbers = ${n} and channel size = ${channels}.`,
    );
  const w = n === 1 ? weight.reshape([]) : weight.reshape([channels, ...Array<number>(input.ndim - 2).fill(1)]);
  return where(input.gt(0), input, w.mul(input));
}
