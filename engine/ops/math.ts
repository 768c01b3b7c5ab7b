/**
 * Ops PyTorch has that are composed here from the engine's primitives (so each has its gradient
 * and runs on every backend): checks of results (isclose, equal, all, any), more unary math,
 * scans, triangular masks and reshuffles. Where a naive composition loses precision (log1p near
 * 0, erf) the forward is a more careful composition and the backward PyTorch's formula.
 */
import { argTypeError, namedArgs, tensorArg, tensorLikeArg } from '../args.ts';
import { defineOp } from '../autograd/function.ts';
import { isFloatingPoint, type DType } from '../dtype.ts';
import { normalizeDim, normalizeDims } from '../tensor/shape.ts';
import type { DimOptions, Tensor, TensorLike } from '../tensor/tensor.ts';
import { arange, full, zeros } from '../tensor/create.ts';
import { clamp, resultType, to, where } from './elementwise.ts';
import { cat } from './indexing.ts';
import { launchReduce, launchUnary } from './kernels.ts';
import { dimsOf } from './movement.ts';

/**
 * Both operands as tensors of their common dtype, for a composition that uses them more than once
 * (elementwise's operands() makes a number into a tensor for one op only).
 */
export function operands(a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  const dtype = resultType(a, b);
  const device = typeof a === 'object' ? a.device : typeof b === 'object' ? b.device : 'cpu';
  const of = (v: TensorLike) => (typeof v === 'object' ? to(v, { dtype }) : full([], v, { dtype, device }));
  return [of(a), of(b)];
}

// ---- checking results --------------------------------------------------------------------------

export interface IscloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}

/** PyTorch's isclose: a == b, or |a − b| ≤ atol + rtol·|b| with that error finite; NaNs equal only with equalNan. */
export function isclose(a: Tensor, b: TensorLike, ...rest: unknown[]): Tensor {
  const call = 'torch.isclose';
  tensorArg(call, 'input', 1, a);
  tensorLikeArg(call, 'other', 2, b);
  const {
    rtol = 1e-5,
    atol = 1e-8,
    equalNan = false,
  } = namedArgs<IscloseOptions>(call, ['rtol', 'atol', 'equalNan'], rest);
  if (!(rtol >= 0)) throw new RangeError(`${call}: rtol must be greater than or equal to zero, but got ${rtol}`);
  if (!(atol >= 0)) throw new RangeError(`${call}: atol must be greater than or equal to zero, but got ${atol}`);
  let [x, y] = operands(a, b);
  let close = x.eq(y);
  if (x.dtype === 'bool') return close;
  if (!isFloatingPoint(x.dtype)) [x, y] = [x.float(), y.float()];
  if (equalNan) close = close.logicalOr(isnan(x).logicalAnd(isnan(y)));
  const error = x.sub(y).abs();
  return close.logicalOr(isfinite(error).logicalAnd(error.le(y.abs().mul(rtol).add(atol))));
}

export async function allclose(a: Tensor, b: TensorLike, ...rest: unknown[]): Promise<boolean> {
  return Boolean(await all(isclose(a, b, ...rest)).item());
}

/** torch.equal: the same shape and the same values (NaN equals nothing), read back: async, as item(). */
export async function equal(a: Tensor, b: Tensor): Promise<boolean> {
  tensorArg('torch.equal', 'input', 1, a);
  tensorArg('torch.equal', 'other', 2, b);
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) return false;
  return Boolean(await all(a.eq(b)).item());
}

export function isnan(x: Tensor): Tensor {
  return isFloatingPoint(x.dtype)
    ? launchUnary('isnan', x, 'bool')
    : full(x.shape, false, { dtype: 'bool', device: x.device });
}
export function isinf(x: Tensor): Tensor {
  return isFloatingPoint(x.dtype) ? x.abs().eq(Infinity) : full(x.shape, false, { dtype: 'bool', device: x.device });
}
export function isfinite(x: Tensor): Tensor {
  if (!isFloatingPoint(x.dtype)) return full(x.shape, true, { dtype: 'bool', device: x.device });
  return x.abs().lt(Infinity).logicalAnd(isnan(x).logicalNot());
}

export type DimArg = number | readonly number[] | DimOptions | null | undefined;

/** x.all(), x.all(1), x.all(1, true), x.all({ dim, keepdim }): dims, whole or given. */
export function reducedDims(call: string, x: Tensor, dim: DimArg, keepdim?: boolean) {
  const o = namedArgs<DimOptions>(call, ['dim', 'keepdim'], [dim, keepdim]);
  if (o.dim !== undefined && o.dim !== null && typeof o.dim !== 'number' && !Array.isArray(o.dim))
    throw argTypeError(call, 'dim', 2, 'an int or a list of ints', o.dim);
  return { axes: normalizeDims((o.dim ?? undefined) as number | number[] | undefined, x.ndim), keepdim: !!o.keepdim };
}

/** How many elements of each reduced slice are nonzero (NaN counts as nonzero, as in PyTorch), and of how many. */
function nonzeroCount(call: string, x: Tensor, dim: DimArg, keepdim?: boolean): [Tensor, number] {
  tensorArg(call, 'input', 1, x);
  const { axes, keepdim: keep } = reducedDims(call, x, dim, keepdim);
  const count = axes.reduce((n, d) => n * x.shape[d]!, 1);
  return [x.ne(0).sum({ dim: axes, keepdim: keep }), count];
}

export function all(x: Tensor, dim?: DimArg, keepdim?: boolean): Tensor {
  const [nonzero, count] = nonzeroCount('torch.all', x, dim, keepdim);
  return nonzero.eq(count);
}
export function any(x: Tensor, dim?: DimArg, keepdim?: boolean): Tensor {
  const [nonzero] = nonzeroCount('torch.any', x, dim, keepdim);
  return nonzero.gt(0);
}

// ---- unary math --------------------------------------------------------------------------------

export function floatInput(x: Tensor): Tensor {
  return isFloatingPoint(x.dtype) ? x : to(x, 'float32');
}

/** A unary op with a composed forward (run without recording) and PyTorch's gradient formula. */
export function composedUnary(name: string, forward: (x: Tensor) => Tensor, grad: (g: Tensor, x: Tensor) => Tensor) {
  const op = defineOp(
    name,
    (ctx, x: Tensor) => {
      ctx.saveForBackward(x);
      return forward(x);
    },
    (ctx, g) => [grad(g, ctx.savedTensors[0]!)],
  );
  return (x: Tensor) => op(floatInput(x));
}

// log(1 + x) loses x's low digits when |x| is tiny; log(u)·x/(u − 1), u = 1 + x, restores them (Goldberg).
export const log1p = composedUnary(
  'Log1PBackward0',
  (x) => {
    const u = x.add(1);
    const d = u.sub(1);
    return where(d.eq(0), x, where(u.eq(Infinity), u, u.log().mul(x.div(d))));
  },
  (g, x) => g.div(x.add(1)),
);

// exp(x) − 1 likewise, by Kahan's (u − 1)·x/log(u), u = exp(x).
export const expm1 = composedUnary(
  'Expm1Backward0',
  (x) => {
    const u = x.exp();
    const d = u.sub(1);
    const lu = u.log();
    return where(lu.eq(0), x, where(d.eq(-1).logicalOr(u.eq(Infinity)), d, d.mul(x.div(lu))));
  },
  (g, x) => g.mul(x.exp()),
);

/**
 * erf(x): for |x| < 0.5 its Taylor series (relative error under 1e-8 there), elsewhere
 * 1 − erfc(|x|) with Numerical Recipes' erfcc (relative error of erfc under 1.2e-7), signed.
 */
export const erf = composedUnary(
  'ErfBackward0',
  (x) => {
    const x2 = x.mul(x);
    let series = x2.mul(-1 / 75600).add(1 / 9360);
    for (const c of [-1 / 1320, 1 / 216, -1 / 42, 1 / 10, -1 / 3, 1]) series = series.mul(x2).add(c);
    series = series.mul(x).mul(2 / Math.sqrt(Math.PI));
    const z = x.abs();
    const t = z.mul(0.5).add(1).reciprocal();
    const coefficients = [
      0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196, 1.00002368,
    ];
    let poly: Tensor = t.mul(coefficients[0]!).add(coefficients[1]!);
    for (const c of coefficients.slice(2)) poly = poly.mul(t).add(c);
    poly = poly.mul(t).add(-1.26551223);
    const erfc = t.mul(poly.sub(z.mul(z)).exp());
    const tail = erfc.neg().add(1).mul(x.sign());
    return where(z.lt(0.5), series, tail);
  },
  (g, x) =>
    g.mul(
      x
        .mul(x)
        .neg()
        .exp()
        .mul(2 / Math.sqrt(Math.PI)),
    ),
);

export function log2(x: Tensor): Tensor {
  return floatInput(x).log().div(Math.LN2);
}
export function log10(x: Tensor): Tensor {
  return floatInput(x).log().div(Math.LN10);
}
export function tan(x: Tensor): Tensor {
  const f = floatInput(x);
  return f.sin().div(f.cos());
}
export function trunc(x: Tensor): Tensor {
  return isFloatingPoint(x.dtype) ? where(x.lt(0), x.ceil(), x.floor()) : x.clone();
}
export function frac(x: Tensor): Tensor {
  if (!isFloatingPoint(x.dtype)) throw new TypeError(`"frac_cpu" not implemented for '${x.dtype}'`);
  return x.sub(trunc(x));
}

export function clampMin(x: Tensor, min: number | Tensor): Tensor {
  if (min === undefined || min === null) throw argTypeError('torch.clampMin', 'min', 2, 'a number or a Tensor', min);
  return clamp(x, min, null);
}
export function clampMax(x: Tensor, max: number | Tensor): Tensor {
  if (max === undefined || max === null) throw argTypeError('torch.clampMax', 'max', 2, 'a number or a Tensor', max);
  return clamp(x, null, max);
}

export interface NanToNumOptions {
  nan?: number;
  posinf?: number | null;
  neginf?: number | null;
}

const LARGEST: Partial<Record<DType, number>> = {
  float32: 3.4028234663852886e38,
  float64: Number.MAX_VALUE,
  float16: 65504,
  bfloat16: 3.3895313892515355e38,
};

/** NaN → nan (0), +inf → posinf, −inf → neginf (by default the dtype's largest finite values). */
export function nanToNum(x: Tensor, ...rest: unknown[]): Tensor {
  tensorArg('torch.nanToNum', 'input', 1, x);
  const o = namedArgs<NanToNumOptions>('torch.nanToNum', ['nan', 'posinf', 'neginf'], rest);
  if (!isFloatingPoint(x.dtype)) return x.clone();
  const big = LARGEST[x.dtype]!;
  const posinf = o.posinf ?? big;
  const neginf = o.neginf ?? -big;
  return where(isnan(x), o.nan ?? 0, where(x.eq(Infinity), posinf, where(x.eq(-Infinity), neginf, x)));
}

// ---- binary math -------------------------------------------------------------------------------

/** a − q·b with q = round(a / b) (floor: remainder, sign of b; trunc: fmod, sign of a); integers stay integers. */
function modulo(a: TensorLike, b: TensorLike, call: string, rounding: 'floor' | 'trunc'): Tensor {
  tensorLikeArg(call, 'input', 1, a);
  tensorLikeArg(call, 'other', 2, b);
  const [x, y] = operands(a, b);
  const q = quotient(x, y, rounding);
  return x.sub(q.mul(y));
}

function quotient(x: Tensor, y: Tensor, rounding: 'floor' | 'trunc'): Tensor {
  const q = x.div(y);
  const rounded = rounding === 'floor' ? q.floor() : trunc(q);
  return isFloatingPoint(x.dtype) ? rounded : rounded.to(x.dtype);
}

export const remainder = (a: TensorLike, b: TensorLike): Tensor => modulo(a, b, 'torch.remainder', 'floor');
export const fmod = (a: TensorLike, b: TensorLike): Tensor => modulo(a, b, 'torch.fmod', 'trunc');
export function floorDivide(a: TensorLike, b: TensorLike): Tensor {
  tensorLikeArg('torch.floorDivide', 'input', 1, a);
  tensorLikeArg('torch.floorDivide', 'other', 2, b);
  return quotient(...operands(a, b), 'floor');
}

/** start + weight·(end − start), from the nearer end when weight ≥ 0.5, as PyTorch's lerp computes it. */
export function lerp(start: Tensor, end: Tensor, weight: TensorLike): Tensor {
  tensorArg('torch.lerp', 'input', 1, start);
  tensorArg('torch.lerp', 'end', 2, end);
  tensorLikeArg('torch.lerp', 'weight', 3, weight);
  const diff = end.sub(start);
  if (typeof weight !== 'object') {
    const w = Number(weight);
    return Math.abs(w) < 0.5 ? start.add(diff.mul(w)) : end.sub(diff.mul(1 - w));
  }
  return where(weight.abs().lt(0.5), start.add(diff.mul(weight)), end.sub(diff.mul(weight.neg().add(1))));
}

function valueOf(call: string, rest: unknown[]): number {
  return namedArgs<{ value: number }>(call, ['value'], rest).value ?? 1;
}

export function addcmul(x: Tensor, t1: Tensor, t2: Tensor, ...rest: unknown[]): Tensor {
  const call = 'torch.addcmul';
  [x, t1, t2].forEach((t, i) => tensorArg(call, ['input', 'tensor1', 'tensor2'][i]!, i + 1, t));
  const value = valueOf(call, rest);
  return x.add(t1.mul(t2).mul(value));
}
export function addcdiv(x: Tensor, t1: Tensor, t2: Tensor, ...rest: unknown[]): Tensor {
  const call = 'torch.addcdiv';
  [x, t1, t2].forEach((t, i) => tensorArg(call, ['input', 'tensor1', 'tensor2'][i]!, i + 1, t));
  const value = valueOf(call, rest);
  return x.add(t1.div(t2).mul(value));
}

// ---- reductions --------------------------------------------------------------------------------

/** amax/amin over dims (every dim by default); the gradient is split evenly among each slice's ties. */
function extremeOver(name: string, op: 'max' | 'min') {
  const f = defineOp(
    name,
    (ctx, x: Tensor, axes: readonly number[], keepdim: boolean) => {
      const y = launchReduce(op, x, axes).reshape(x.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
      ctx.saveForBackward(x, y);
      ctx.axes = axes;
      return keepdim ? y : y.reshape(x.shape.filter((_, i) => !axes.includes(i)));
    },
    (ctx, g) => {
      const [x, y] = ctx.savedTensors;
      const axes = ctx.axes as number[];
      const hit = x!.eq(y!).to(x!.dtype);
      const share = hit.div(hit.sum({ dim: axes, keepdim: true }));
      return [g.reshape(y!.shape).mul(share), null, null];
    },
  );
  const call = `torch.a${op}`;
  return (x: Tensor, dim?: DimArg, keepdim?: boolean): Tensor => {
    tensorArg(call, 'input', 1, x);
    const { axes, keepdim: keep } = reducedDims(call, x, dim, keepdim);
    if (axes.some((d) => x.shape[d] === 0))
      throw new RangeError(
        `${call}(): Expected reduction dim ${axes.find((d) => x.shape[d] === 0)} to have non-zero size.`,
      );
    if (x.ndim === 0) return x.clone();
    return f(x, axes, keep);
  };
}

export const amax = extremeOver('AmaxBackward0', 'max');
export const amin = extremeOver('AminBackward0', 'min');

/** A scan along dim (Hillis and Steele: log₂ n steps, each combining with the scan shifted by 2^k). */
export function scan(x: Tensor, dim: number, combine: (a: Tensor, b: Tensor) => Tensor, identity: number): Tensor {
  const n = x.shape[dim]!;
  let y = x;
  for (let shift = 1; shift < n; shift *= 2) {
    const padShape = y.shape.map((d, i) => (i === dim ? shift : d));
    const pad = full(padShape, identity, { dtype: y.dtype, device: y.device });
    y = combine(y, cat([pad, y.narrow(dim, 0, n - shift)], dim));
  }
  return y === x ? x.clone() : y;
}

export interface ScanOptions {
  dim?: number;
  dtype?: DType;
}

function scanArgs(call: string, x: Tensor, rest: unknown[]): [Tensor, number] {
  tensorArg(call, 'input', 1, x);
  const o = namedArgs<ScanOptions>(call, ['dim'], rest, ['dim', 'dtype']);
  if (o.dim === undefined) throw new TypeError(`${call}() missing required argument 'dim'`);
  const d = normalizeDim(o.dim, x.ndim);
  // Integers and bools accumulate as PyTorch's int64, the kit's int32.
  const dtype = o.dtype ?? (isFloatingPoint(x.dtype) ? x.dtype : 'int32');
  const input = x.dtype === dtype ? x : x.to(dtype);
  return [x.ndim === 0 ? input.reshape([1]) : input, x.ndim === 0 ? 0 : d];
}

export function cumsum(x: Tensor, ...rest: unknown[]): Tensor {
  const [input, d] = scanArgs('torch.cumsum', x, rest);
  return scan(input, d, (a, b) => a.add(b), 0).reshape(x.shape);
}
export function cumprod(x: Tensor, ...rest: unknown[]): Tensor {
  const [input, d] = scanArgs('torch.cumprod', x, rest);
  return scan(input, d, (a, b) => a.mul(b), 1).reshape(x.shape);
}

// ---- shapes --------------------------------------------------------------------------------------

function intList(call: string, name: string, args: unknown[]): number[] {
  const list = dimsOf(args as number[]);
  for (const v of list) if (!Number.isInteger(v)) throw argTypeError(call, name, 2, 'a tuple of ints', args);
  return list;
}

/** Reverses the order along each of dims (a gather by a reversed index, so the result is a copy, as PyTorch's). */
export function flip(x: Tensor, ...dims: unknown[]): Tensor {
  tensorArg('torch.flip', 'input', 1, x);
  const axes = intList('torch.flip', 'dims', dims).map((d) => normalizeDim(d, x.ndim));
  if (new Set(axes).size !== axes.length) throw new RangeError('dims has duplicates');
  let y = x;
  for (const d of axes) {
    const n = x.shape[d]!;
    if (n > 1) y = y.indexSelect(d, arange(n - 1, -1, -1, { dtype: 'int32', device: x.device }));
  }
  return y === x ? x.clone() : y;
}

/** x.repeat(2, 3): x tiled 2 × 3 times (sizes may have more dims than x: leading ones are added). */
export function repeat(x: Tensor, ...sizes: unknown[]): Tensor {
  const reps = intList('Tensor.repeat', 'repeats', sizes);
  if (reps.length < x.ndim)
    throw new RangeError('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  if (reps.some((r) => r < 0)) throw new RangeError(`Trying to create tensor with negative dimension: [${reps}]`);
  const shape = [...Array<number>(reps.length - x.ndim).fill(1), ...x.shape];
  const interleaved = shape.flatMap((d) => [1, d]);
  const expanded = shape.flatMap((d, i) => [reps[i]!, d]);
  return x
    .reshape(interleaved)
    .expand(expanded)
    .reshape(shape.map((d, i) => d * reps[i]!));
}

export function tile(x: Tensor, ...dims: unknown[]): Tensor {
  tensorArg('torch.tile', 'input', 1, x);
  const reps = intList('torch.tile', 'dims', dims);
  return repeat(x, [...Array<number>(Math.max(x.ndim - reps.length, 0)).fill(1), ...reps]);
}

/** Keeps the elements of the last two dims on or below (tril) / above (triu) the diagonal-th diagonal. */
function triangle(call: string, lower: boolean) {
  return (x: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor => {
    tensorArg(call, 'input', 1, x);
    const k = namedArgs<{ diagonal: number }>(call, ['diagonal'], [diagonal]).diagonal ?? 0;
    if (!Number.isInteger(k)) throw argTypeError(call, 'diagonal', 2, 'an int', k);
    if (x.ndim < 2) throw new RangeError(`${call}: input tensor must have at least 2 dimensions`);
    const [m, n] = x.shape.slice(-2) as [number, number];
    const rows = arange(m, { dtype: 'int32', device: x.device }).reshape([m, 1]);
    const offset = arange(n, { dtype: 'int32', device: x.device }).reshape([1, n]).sub(rows);
    const keep = lower ? offset.le(k) : offset.ge(k);
    return where(keep, x, 0);
  };
}

export const tril = triangle('torch.tril', true);
export const triu = triangle('torch.triu', false);

/** A vector → the matrix with it on the diagonal-th diagonal; a matrix → that diagonal (a copy). */
export function diag(x: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
  tensorArg('torch.diag', 'input', 1, x);
  const k = namedArgs<{ diagonal: number }>('torch.diag', ['diagonal'], [diagonal]).diagonal ?? 0;
  if (!Number.isInteger(k)) throw argTypeError('torch.diag', 'diagonal', 2, 'an int', k);
  if (x.ndim === 2) return x.diagonal(k).clone();
  if (x.ndim !== 1) throw new RangeError('diag(): Supports 1D or 2D tensors. Got ' + `${x.ndim}D`);
  const n = x.shape[0]! + Math.abs(k);
  const padded = k === 0 ? x : cat([x, zeros([Math.abs(k)], { dtype: x.dtype, device: x.device })]);
  const values = k >= 0 ? padded.reshape([n, 1]).expand([n, n]) : padded.reshape([1, n]).expand([n, n]);
  const rows = arange(n, { dtype: 'int32', device: x.device }).reshape([n, 1]);
  const onDiagonal = arange(n, { dtype: 'int32', device: x.device }).reshape([1, n]).sub(rows).eq(k);
  return where(onDiagonal, values, 0);
}

export function outer(a: Tensor, b: Tensor): Tensor {
  tensorArg('torch.outer', 'input', 1, a);
  tensorArg('torch.outer', 'vec2', 2, b);
  if (a.ndim !== 1 || b.ndim !== 1)
    throw new RangeError(`outer: expected 1-D vectors, but got ${a.ndim}-D and ${b.ndim}-D tensors`);
  return a.reshape([-1, 1]).mul(b.reshape([1, -1]));
}

export function mv(mat: Tensor, vec: Tensor): Tensor {
  tensorArg('torch.mv', 'input', 1, mat);
  tensorArg('torch.mv', 'vec', 2, vec);
  if (mat.ndim !== 2 || vec.ndim !== 1)
    throw new RangeError(`vector + matrix @ vector expected, got ${mat.ndim}, ${vec.ndim}`);
  return mat.matmul(vec);
}

export interface AddmmOptions {
  beta?: number;
  alpha?: number;
}

/** beta·input + alpha·(mat1 @ mat2); with beta = 0 input is ignored (its NaNs too), as in PyTorch. */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, options?: AddmmOptions): Tensor {
  const call = 'torch.addmm';
  [input, mat1, mat2].forEach((t, i) => tensorArg(call, ['input', 'mat1', 'mat2'][i]!, i + 1, t));
  const { beta = 1, alpha = 1 } = namedArgs<AddmmOptions>(call, [], [options], ['beta', 'alpha']);
  if (mat1.ndim !== 2 || mat2.ndim !== 2)
    throw new RangeError(`${call}: mat1 and mat2 must be matrices (got ${mat1.ndim}-D and ${mat2.ndim}-D)`);
  const product = mat1.mm(mat2);
  const scaled = alpha === 1 ? product : product.mul(alpha);
  // beta = 0 ignores input (its NaN and inf do not propagate) but, as PyTorch's, still gives it a zero gradient.
  if (beta === 0) return scaled.add(where(zeros(input.shape, { dtype: 'bool', device: input.device }), input, 0));
  return scaled.add(beta === 1 ? input : input.mul(beta));
}

export function unbind(x: Tensor, dim: number | { dim?: number } = 0): Tensor[] {
  tensorArg('torch.unbind', 'input', 1, x);
  const d = normalizeDim(namedArgs<{ dim: number }>('torch.unbind', ['dim'], [dim]).dim ?? 0, x.ndim);
  return Array.from({ length: x.shape[d]! }, (_, i) => x.select(d, i));
}

/** Moves dims `source` to positions `destination` (ints or equal-length lists); the others keep their order. */
export function movedim(
  x: Tensor,
  source: number | readonly number[],
  destination: number | readonly number[],
): Tensor {
  const call = 'torch.movedim';
  tensorArg(call, 'input', 1, x);
  const list = (v: unknown, name: string, position: number): number[] => {
    const l = typeof v === 'number' ? [v] : Array.isArray(v) ? v : null;
    if (!l || l.some((d) => !Number.isInteger(d)))
      throw argTypeError(call, name, position, 'an int or a tuple of ints', v);
    return l.map((d) => normalizeDim(d, x.ndim));
  };
  const src = list(source, 'source', 2);
  const dst = list(destination, 'destination', 3);
  if (src.length !== dst.length)
    throw new RangeError(
      `movedim: Invalid source or destination dims: source (${src.length} dims) should contain the same number of dims as destination (${dst.length} dims)`,
    );
  if (new Set(src).size !== src.length || new Set(dst).size !== dst.length)
    throw new RangeError('movedim: repeated dim in source or destination');
  const order = new Array<number>(x.ndim).fill(-1);
  src.forEach((s, i) => (order[dst[i]!] = s));
  const rest = x.shape.map((_, i) => i).filter((i) => !src.includes(i));
  for (let i = 0; i < order.length; i++) if (order[i] === -1) order[i] = rest.shift()!;
  return x.permute(order);
}
