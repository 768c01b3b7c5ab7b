/**
 * More of torch's pointwise math and reductions, composed from the engine's differentiable ops (so
 * each has its gradient and runs on every backend): hyperbolic functions, exp2, logaddexp, xlogy,
 * hypot, signbit, angle conversions, logical xor; countNonzero, nansum, nanmean, logcumsumexp,
 * trace, diff. Where a plain formula loses digits or overflows early, the forward takes a careful
 * composition and the backward PyTorch's formula.
 */
import { argTypeError, namedArgs, optionsOf, tensorArg, tensorLikeArg } from '../args.ts';
import { minMax, type MinMax } from '../tensor/values-indices.ts';
import { defineOp } from '../autograd/function.ts';
import { isFloatingPoint, type DType } from '../dtype.ts';
import { normalizeDim } from '../tensor/shape.ts';
import type { Tensor, TensorLike } from '../tensor/tensor.ts';
import { div, pow, resultType, where } from './elementwise.ts';
import { launchUnary } from './kernels.ts';
import { cat } from './indexing.ts';
import {
  amax,
  amin,
  composedUnary,
  expm1,
  floorDivide,
  floatInput,
  isnan,
  log1p,
  operands,
  reducedDims,
  scan,
  trunc,
  type DimArg,
} from './math.ts';

// ---- pointwise -----------------------------------------------------------------------------------

/** Past |x| = 20, e^−|x| is below float64's half ulp of e^|x|: then h·(h/2) with h = e^{|x|/2}, finite up to where sinh is. */
function farTail(a: Tensor): Tensor {
  const h = a.mul(0.5).exp();
  return h.mul(h.mul(0.5));
}

/** sinh(x) = (t + t/(t + 1))/2 with t = expm1(|x|), signed: no cancellation near 0. */
const sinhOp = composedUnary(
  'SinhBackward0',
  (x) => {
    const a = x.abs();
    const t = expm1(a);
    const near = t.add(t.div(t.add(1))).mul(0.5);
    return where(a.gt(20), farTail(a), near).mul(x.sign());
  },
  (g, x) => g.mul(coshOp(x)),
);

const coshOp = composedUnary(
  'CoshBackward0',
  (x) => {
    const a = x.abs();
    const e = a.exp();
    return where(a.gt(20), farTail(a), e.add(e.reciprocal()).mul(0.5));
  },
  (g, x) => g.mul(sinhOp(x)),
);

export const sinh = (x: Tensor): Tensor => sinhOp(tensorArg('torch.sinh', 'input', 1, x));
export const cosh = (x: Tensor): Tensor => coshOp(tensorArg('torch.cosh', 'input', 1, x));

/** The 'atan' kernel on a float tensor, not recorded (the ops below record their own backward). */
const atanKernel = (x: Tensor): Tensor => launchUnary('atan', x);

const atanOp = composedUnary('AtanBackward0', atanKernel, (g, x) => g.div(x.mul(x).add(1)));
export const atan = (x: Tensor): Tensor => atanOp(tensorArg('torch.atan', 'input', 1, x));

/**
 * atan2(y, x) from atan(y/x) and the quadrant: +π or −π (y's sign bit) where x's sign bit is set;
 * both zero give ±0 or ±π, both infinite ±π/4 or ±3π/4, as C's atan2.
 */
function atan2Forward(y: Tensor, x: Tensor): Tensor {
  const [negX, negY] = [signbit(x), signbit(y)];
  const turn = where(negY, -Math.PI, Math.PI);
  const q = atanKernel(y.div(x));
  let r = where(negX, q.add(turn), q);
  r = where(y.eq(0).logicalAnd(x.eq(0)), where(negX, turn, y), r);
  const infinite = y.abs().eq(Infinity).logicalAnd(x.abs().eq(Infinity));
  return where(infinite, where(negX, 0.75 * Math.PI, 0.25 * Math.PI).mul(where(negY, -1, 1)), r);
}

const atan2Op = composedBinary('Atan2Backward0', atan2Forward, (g, y, x) => {
  const r2 = x.mul(x).add(y.mul(y));
  return [g.mul(x).div(r2), g.mul(y).neg().div(r2)];
});

/** The angle of the point (x, y), in (−π, π]: torch.atan2(input = y, other = x). */
export function atan2(y: TensorLike, x: TensorLike): Tensor {
  tensorLikeArg('torch.atan2', 'input', 1, y);
  tensorLikeArg('torch.atan2', 'other', 2, x);
  let [a, b] = operands(y, x);
  if (!isFloatingPoint(a.dtype)) [a, b] = [a.float(), b.float()];
  return atan2Op(a, b);
}

/** √((1 − x)(1 + x)): no cancellation near |x| = 1. */
const cosOfAsin = (x: Tensor): Tensor => x.neg().add(1).mul(x.add(1)).sqrt();

const asinOp = composedUnary(
  'AsinBackward0',
  (x) => atan2Forward(x, cosOfAsin(x)),
  (g, x) => g.div(x.mul(x).neg().add(1).sqrt()),
);
const acosOp = composedUnary(
  'AcosBackward0',
  (x) => atan2Forward(cosOfAsin(x), x),
  (g, x) => g.neg().div(x.mul(x).neg().add(1).sqrt()),
);
export const asin = (x: Tensor): Tensor => asinOp(tensorArg('torch.asin', 'input', 1, x));
export const acos = (x: Tensor): Tensor => acosOp(tensorArg('torch.acos', 'input', 1, x));

/** 2^x (integers give float32, as in PyTorch). */
export function exp2(x: Tensor): Tensor {
  tensorArg('torch.exp2', 'input', 1, x);
  return pow(2, floatInput(x));
}

function floatOperands(call: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  tensorLikeArg(call, 'input', 1, a);
  tensorLikeArg(call, 'other', 2, b);
  const dtype = resultType(a, b);
  if (!isFloatingPoint(dtype))
    throw new TypeError(`"${call.replace('torch.', '')}_cpu" not implemented for '${dtype}'`);
  return operands(a, b);
}

/** log(e^a + e^b) = max + log1p(e^−|a − b|); equal infinities give themselves, as in PyTorch. */
export function logaddexp(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = floatOperands('torch.logaddexp', a, b);
  const m = x.maximum(y);
  const sum = m.add(log1p(x.sub(y).abs().neg().exp()));
  return where(x.eq(y).logicalAnd(x.abs().eq(Infinity)), x, sum);
}

/** log₂(2^a + 2^b). */
export function logaddexp2(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = floatOperands('torch.logaddexp2', a, b);
  const m = x.maximum(y);
  const sum = m.add(log1p(x.sub(y).abs().neg().mul(Math.LN2).exp()).div(Math.LN2));
  return where(x.eq(y).logicalAnd(x.abs().eq(Infinity)), x, sum);
}

/** A binary op with a composed forward and PyTorch's gradients, each summed back to its operand's shape. */
function composedBinary(
  name: string,
  forward: (x: Tensor, y: Tensor) => Tensor,
  grads: (g: Tensor, x: Tensor, y: Tensor, out: Tensor) => [Tensor, Tensor],
) {
  return defineOp(
    name,
    (ctx, x: Tensor, y: Tensor) => {
      const out = forward(x, y);
      ctx.saveForBackward(x, y, out);
      return out;
    },
    (ctx, g) => {
      const [x, y, out] = ctx.savedTensors as [Tensor, Tensor, Tensor];
      const [gx, gy] = grads(g, x, y, out);
      return [gx.sumToSize(x.shape), gy.sumToSize(y.shape)];
    },
  );
}

const xlogyOp = composedBinary(
  'XlogyBackward0',
  (x, y) => where(isnan(y), NaN, where(x.eq(0), 0, x.mul(y.log()))),
  (g, x, y) => [g.mul(y.log()), g.mul(x).div(y)],
);

/** x·log(y), 0 where x is 0 (unless y is NaN), as PyTorch's xlogy; integers give float32. */
export function xlogy(a: TensorLike, b: TensorLike): Tensor {
  const call = 'torch.xlogy';
  tensorLikeArg(call, 'input', 1, a);
  tensorLikeArg(call, 'other', 2, b);
  let [x, y] = operands(a, b);
  if (!isFloatingPoint(x.dtype)) [x, y] = [x.float(), y.float()];
  return xlogyOp(x, y);
}

const hypotOp = composedBinary(
  'HypotBackward0',
  (x, y) => {
    const [ax, ay] = [x.abs(), y.abs()];
    const big = ax.maximum(ay);
    const r = ax.minimum(ay).div(where(big.eq(0), 1, big));
    return where(big.eq(Infinity), Infinity, big.mul(r.mul(r).add(1).sqrt()));
  },
  (g, x, y, out) => [g.mul(x).div(out), g.mul(y).div(out)],
);

/** √(a² + b²) without overflow or underflow: the larger magnitude times √(1 + r²). */
export function hypot(a: TensorLike, b: TensorLike): Tensor {
  return hypotOp(...floatOperands('torch.hypot', a, b));
}

/** Whether the sign bit is set: true for −0 and −inf, as PyTorch's signbit (a NaN's sign is not seen here). */
export function signbit(x: Tensor): Tensor {
  tensorArg('torch.signbit', 'input', 1, x);
  if (!isFloatingPoint(x.dtype)) return x.lt(0);
  return x.lt(0).logicalOr(x.eq(0).logicalAnd(x.reciprocal().lt(0)));
}

export function deg2rad(x: Tensor): Tensor {
  tensorArg('torch.deg2rad', 'input', 1, x);
  return floatInput(x).mul(Math.PI / 180);
}
export function rad2deg(x: Tensor): Tensor {
  tensorArg('torch.rad2deg', 'input', 1, x);
  return floatInput(x).mul(180 / Math.PI);
}

/** Whether exactly one of a and b is nonzero (bool). */
export function logicalXor(a: TensorLike, b: TensorLike): Tensor {
  tensorLikeArg('torch.logicalXor', 'input', 1, a);
  tensorLikeArg('torch.logicalXor', 'other', 2, b);
  const truth = (v: TensorLike): Tensor | boolean => (typeof v === 'object' ? v.ne(0) : Boolean(v));
  const [x, y] = [truth(a), truth(b)];
  return typeof x === 'object' ? x.ne(y) : (y as Tensor).ne(x);
}

// ---- reductions ----------------------------------------------------------------------------------

/** How many elements are nonzero, over dims (all by default): int32, PyTorch's int64. */
export function countNonzero(
  x: Tensor,
  dim?: number | readonly number[] | { dim?: number | readonly number[] },
): Tensor {
  const call = 'torch.countNonzero';
  tensorArg(call, 'input', 1, x);
  const { axes } = reducedDims(call, x, dim as DimArg);
  return x.ne(0).sum({ dim: axes });
}

export interface NanSumOptions {
  dim?: number | readonly number[];
  keepdim?: boolean;
  dtype?: DType;
}

/** sum with NaN taken as 0; the gradient is the upstream one times "not NaN" (so an infinite one gives NaN there, as PyTorch's). */
const nansumOp = defineOp(
  'NansumBackward0',
  (ctx, x: Tensor, axes: readonly number[], keepdim: boolean) => {
    ctx.saveForBackward(x);
    ctx.axes = axes;
    return where(isnan(x), 0, x).sum({ dim: axes, keepdim });
  },
  (ctx, g) => {
    const [x] = ctx.savedTensors as [Tensor];
    const axes = ctx.axes as number[];
    const kept = g.reshape(x.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
    return [kept.mul(isnan(x).logicalNot().to(x.dtype)), null, null];
  },
);

function nanArgs(call: string, x: Tensor, rest: unknown[]) {
  tensorArg(call, 'input', 1, x);
  const o = namedArgs<NanSumOptions>(call, ['dim', 'keepdim'], rest, ['dim', 'keepdim', 'dtype']);
  const input = o.dtype && o.dtype !== x.dtype ? x.to(o.dtype) : x;
  return { input, ...reducedDims(call, input, o.dim, o.keepdim) };
}

export function nansum(x: Tensor, ...rest: unknown[]): Tensor {
  const { input, axes, keepdim } = nanArgs('torch.nansum', x, rest);
  return isFloatingPoint(input.dtype) ? nansumOp(input, axes, keepdim) : input.sum({ dim: axes, keepdim });
}

/** mean over the elements that are not NaN (NaN where there are none). */
export function nanmean(x: Tensor, ...rest: unknown[]): Tensor {
  const { input, axes, keepdim } = nanArgs('torch.nanmean', x, rest);
  if (!isFloatingPoint(input.dtype))
    throw new TypeError(`nanmean(): expected input to have floating point dtype but got ${input.dtype}`);
  const count = isnan(input).logicalNot().sum({ dim: axes, keepdim });
  return nansumOp(input, axes, keepdim).div(count);
}

/** log(cumsum(exp(x))) along dim, as a scan of logaddexp: exact where the running sum is far below the next term. */
export function logcumsumexp(x: Tensor, dim: number | { dim: number }): Tensor {
  const call = 'torch.logcumsumexp';
  tensorArg(call, 'input', 1, x);
  const d = namedArgs<{ dim: number }>(call, ['dim'], [dim]).dim;
  if (d === undefined) throw new TypeError(`${call}() missing required argument 'dim'`);
  const input = floatInput(x);
  if (input.ndim === 0) return input.clone();
  return scan(input, normalizeDim(d, input.ndim), logaddexp, -Infinity);
}

/** The sum of a matrix's main diagonal (integers sum as int32, PyTorch's int64). */
export function trace(x: Tensor): Tensor {
  tensorArg('torch.trace', 'input', 1, x);
  if (x.ndim !== 2) throw new RangeError(`trace: expected a matrix, but got tensor with dim ${x.ndim}`);
  return x.diagonal().sum();
}

export interface DiffOptions {
  n?: number;
  dim?: number;
  prepend?: Tensor | null;
  append?: Tensor | null;
}

/** The n-th forward difference along dim (bools: xor), after prepend and append are joined on. */
export function diff(x: Tensor, ...rest: unknown[]): Tensor {
  const call = 'torch.diff';
  tensorArg(call, 'input', 1, x);
  const { n = 1, dim = -1, prepend, append } = namedArgs<DiffOptions>(call, ['n', 'dim', 'prepend', 'append'], rest);
  if (!Number.isInteger(n) || n < 0) throw argTypeError(call, 'n', 2, 'a non-negative int', n);
  if (x.ndim === 0) throw new RangeError('diff expects input to be at least one-dimensional');
  const d = normalizeDim(dim, x.ndim);
  const parts = [prepend, x, append].filter((t): t is Tensor => t !== undefined && t !== null);
  let y = parts.length > 1 ? cat(parts, d) : x;
  for (let i = 0; i < n && y.shape[d]! > 0; i++) {
    const len = y.shape[d]! - 1;
    const [next, prev] = [y.narrow(d, 1, len), y.narrow(d, 0, len)];
    y = y.dtype === 'bool' ? next.ne(prev) : next.sub(prev);
  }
  return n === 0 ? y.clone() : y;
}

export interface DivOptions {
  roundingMode?: 'trunc' | 'floor' | null;
}

/** a / b, or with roundingMode its quotient rounded toward zero ('trunc') or down ('floor'); integers stay integers then. */
export function divide(a: TensorLike, b: TensorLike, options?: DivOptions | null): Tensor {
  const call = 'torch.div';
  tensorLikeArg(call, 'input', 1, a);
  tensorLikeArg(call, 'other', 2, b);
  const { roundingMode = null } = namedArgs<DivOptions>(call, [], [options], ['roundingMode']);
  if (roundingMode === null) return div(a, b);
  if (roundingMode === 'floor') return floorDivide(a, b);
  if (roundingMode !== 'trunc')
    throw new RangeError(
      `div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${String(roundingMode)}'`,
    );
  const [x, y] = operands(a, b);
  const q = trunc(div(x, y));
  return isFloatingPoint(x.dtype) ? q : q.to(x.dtype);
}

// ---- inverse hyperbolic functions, logit, sgn, aminmax ------------------------------------------

/** Past |x| = 1e8 the √(x² ± 1) terms are |x| to every digit kept, and x² may overflow: log(2|x|). */
const FAR = 1e8;
const logTwice = (a: Tensor): Tensor => a.log().add(Math.LN2);

/** asinh(x) = log1p(|x| + x²/(1 + √(1 + x²))), signed: no cancellation near 0, no overflow far out. */
const asinhOp = composedUnary(
  'AsinhBackward0',
  (x) => {
    const a = x.abs();
    const near = log1p(a.add(a.mul(a).div(a.mul(a).add(1).sqrt().add(1))));
    return where(a.gt(FAR), logTwice(a), near).mul(x.sign());
  },
  (g, x) => g.mul(x.mul(x).add(1).rsqrt()),
);

/** acosh(x) = log1p(t + √(t(t + 2))), t = x − 1 (exact near 1); NaN below 1. */
const acoshOp = composedUnary(
  'AcoshBackward0',
  (x) => {
    const t = x.sub(1);
    return where(x.gt(FAR), logTwice(x), log1p(t.add(t.mul(t.add(2)).sqrt())));
  },
  (g, x) => g.mul(x.mul(x).sub(1).rsqrt()),
);

/** atanh(x) = log1p(2|x|/(1 − |x|))/2, signed: ±inf at ±1, NaN beyond. */
const atanhOp = composedUnary(
  'AtanhBackward0',
  (x) => {
    const a = x.abs();
    return log1p(a.mul(2).div(a.neg().add(1)))
      .mul(0.5)
      .mul(x.sign());
  },
  (g, x) => g.div(x.mul(x).neg().add(1)),
);

export const asinh = (x: Tensor): Tensor => asinhOp(tensorArg('torch.asinh', 'input', 1, x));
export const acosh = (x: Tensor): Tensor => acoshOp(tensorArg('torch.acosh', 'input', 1, x));
export const atanh = (x: Tensor): Tensor => atanhOp(tensorArg('torch.atanh', 'input', 1, x));

const logitOp = composedUnary(
  'LogitBackward0',
  (z) => z.div(z.neg().add(1)).log(),
  (g, z) => g.div(z.mul(z.neg().add(1))),
);

/**
 * log(z/(1 − z)), with z = x clamped to [eps, 1 − eps] when eps is given (then the gradient is 0
 * outside those bounds, as PyTorch's); without eps 0 and 1 give ∓inf and values outside [0, 1] NaN.
 */
export function logit(x: Tensor, eps?: number | null | { eps?: number | null }): Tensor {
  const call = 'torch.logit';
  tensorArg(call, 'input', 1, x);
  const e = namedArgs<{ eps: number | null }>(call, ['eps'], [eps]).eps;
  if (e !== undefined && e !== null && typeof e !== 'number') throw argTypeError(call, 'eps', 2, 'a float', e);
  const z = floatInput(x);
  return logitOp(e === undefined || e === null ? z : z.clamp(e, 1 - e));
}

/** torch.sgn: x/|x| for complex numbers; for real ones (the kit's only kind) sign(x). */
export function sgn(x: Tensor): Tensor {
  return tensorArg('torch.sgn', 'input', 1, x).sign();
}

/**
 * torch.aminmax(x, *, dim=None, keepdim=False): (min, max) at once, a named tuple read as `r.min` /
 * `r.max` or `[min, max]`. Gradients are amin's and amax's (split evenly over ties; PyTorch 1.13 has
 * none, later versions these).
 */
export function aminmax(x: Tensor, options?: { dim?: number | null; keepdim?: boolean }): MinMax {
  const call = 'torch.aminmax';
  tensorArg(call, 'input', 1, x);
  const { dim = null, keepdim = false } = optionsOf<{ dim?: number | null; keepdim?: boolean }>(call, options, [
    'dim',
    'keepdim',
  ]);
  if (dim !== null && !Number.isInteger(dim)) throw argTypeError(call, 'dim', 2, 'an int', dim);
  if (dim === null && x.numel() === 0)
    throw new RangeError('aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.');
  if (dim !== null && x.ndim > 0 && x.shape[normalizeDim(dim, x.ndim)] === 0)
    throw new RangeError(`aminmax: Expected reduction dim ${normalizeDim(dim, x.ndim)} to have non-zero size.`);
  const d = dim === null || x.ndim === 0 ? null : dim;
  return minMax(amin(x, d, keepdim), amax(x, d, keepdim));
}
