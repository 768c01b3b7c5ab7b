/**
 * Order statistics composed from the engine's stable sort (NaN sorts last): median, nanmedian,
 * kthvalue, quantile, nanquantile. Values come through the sort's differentiable gather, so the
 * gradient reaches the chosen elements (interpolated ones split by quantile's weights).
 */
import { argTypeError, namedArgs, tensorArg } from '../args.ts';
import { isFloatingPoint } from '../dtype.ts';
import { arange, tensor as makeTensor } from '../tensor/create.ts';
import { normalizeDim } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { valuesIndices, type ValuesIndices } from '../tensor/values-indices.ts';
import { where } from './elementwise.ts';
import { isnan, scan } from './math.ts';
import { noGrad } from '../autograd/grad-mode.ts';
import { stack } from './indexing.ts';

interface DimKeep {
  dim?: number;
  keepdim?: boolean;
}

/** The element at sorted position `pos` (a number, or an int32 tensor broadcast along dim's complement) of each slice along d. */
function pick(sorted: Tensor, d: number, pos: Tensor): Tensor {
  return sorted.gather(d, pos);
}

function dimArgs(call: string, x: Tensor, rest: unknown[]) {
  const o = namedArgs<DimKeep>(call, ['dim', 'keepdim'], rest);
  const d = normalizeDim(o.dim ?? -1, Math.max(x.ndim, 1));
  return { d, keepdim: o.keepdim ?? false };
}

function positionTensor(x: Tensor, d: number, pos: number | Tensor): Tensor {
  const shape = x.shape.map((n, i) => (i === d ? 1 : n));
  return typeof pos === 'number'
    ? makeTensor([pos], { dtype: 'int32', device: x.device })
        .reshape(shape.map(() => 1))
        .expand(shape)
    : pos;
}

function finish(values: Tensor, indices: Tensor, d: number, keepdim: boolean): ValuesIndices {
  return keepdim ? valuesIndices(values, indices) : valuesIndices(values.squeeze(d), indices.squeeze(d));
}

/** The lower median along dim (values, indices), NaN where a slice holds one (ignoring NaNs: nanmedian). */
function medianAlong(call: string, x: Tensor, rest: unknown[], skipNan: boolean): ValuesIndices {
  const input = x.ndim === 0 ? x.reshape([1]) : x;
  const { d, keepdim } = dimArgs(call, input, rest);
  const n = input.shape[d]!;
  if (n === 0) throw new RangeError(`${call}(): Expected reduction dim ${d} to have non-zero size.`);
  const [sorted, order] = input.sort(d);
  const floats = isFloatingPoint(input.dtype);
  const nan = floats ? isnan(input) : null;
  let pos: Tensor;
  if (skipNan && nan) {
    const valid = nan.logicalNot().sum({ dim: d, keepdim: true });
    pos = where(valid.eq(0), 0, valid.sub(1).floorDivide(2)).to('int32');
  } else pos = positionTensor(input, d, Math.floor((n - 1) / 2));
  let values = pick(sorted, d, pos);
  let indices = pick(order, d, pos);
  if (nan && !skipNan) {
    const hasNan = nan.any(d, true);
    values = where(hasNan, NaN, values);
    indices = where(hasNan, nan.to('int32').argmax(d, true), indices);
  }
  const out = finish(values, indices, d, keepdim || x.ndim === 0);
  return x.ndim === 0 ? valuesIndices(out.values.reshape([]), out.indices.reshape([])) : out;
}

export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number | DimKeep, keepdim?: boolean): ValuesIndices;
export function median(x: Tensor, ...rest: unknown[]): Tensor | ValuesIndices {
  tensorArg('torch.median', 'input', 1, x);
  if (rest.every((r) => r === undefined)) return medianAlong('torch.median', x.reshape([-1]), [0], false).values;
  return medianAlong('torch.median', x, rest, false);
}

export function nanmedian(x: Tensor): Tensor;
export function nanmedian(x: Tensor, dim: number | DimKeep, keepdim?: boolean): ValuesIndices;
export function nanmedian(x: Tensor, ...rest: unknown[]): Tensor | ValuesIndices {
  tensorArg('torch.nanmedian', 'input', 1, x);
  if (rest.every((r) => r === undefined)) return medianAlong('torch.nanmedian', x.reshape([-1]), [0], true).values;
  return medianAlong('torch.nanmedian', x, rest, true);
}

/** The k-th smallest element along dim (1-based k), as (values, indices). */
export function kthvalue(x: Tensor, k: number, ...rest: unknown[]): ValuesIndices {
  const call = 'torch.kthvalue';
  tensorArg(call, 'input', 1, x);
  if (!Number.isInteger(k)) throw argTypeError(call, 'k', 2, 'an int', k);
  const input = x.ndim === 0 ? x.reshape([1]) : x;
  const { d, keepdim } = dimArgs(call, input, rest);
  const n = input.shape[d]!;
  if (k < 1 || k > n) throw new RangeError(`kthvalue(): selected number k out of range for dimension ${d}`);
  const [sorted, order] = input.sort(d);
  const pos = positionTensor(input, d, k - 1);
  const out = finish(pick(sorted, d, pos), pick(order, d, pos), d, keepdim || x.ndim === 0);
  return x.ndim === 0 ? valuesIndices(out.values.reshape([]), out.indices.reshape([])) : out;
}

type Interpolation = 'linear' | 'lower' | 'higher' | 'midpoint' | 'nearest';
interface QuantileOptions {
  dim?: number | null;
  keepdim?: boolean;
  interpolation?: Interpolation;
}

function quantileOf(call: string, x: Tensor, q: number | Tensor, rest: unknown[], skipNan: boolean): Tensor {
  tensorArg(call, 'input', 1, x);
  const o = namedArgs<QuantileOptions>(call, ['dim', 'keepdim'], rest, ['dim', 'keepdim', 'interpolation']);
  const interpolation = o.interpolation ?? 'linear';
  if (!['linear', 'lower', 'higher', 'midpoint', 'nearest'].includes(interpolation))
    throw new RangeError(
      `${call}() interpolation must be one of linear, lower, higher, midpoint or nearest. Got ${String(interpolation)}`,
    );
  if (!isFloatingPoint(x.dtype))
    throw new TypeError(`${call.slice(6)}() input tensor must be either float or double dtype`);
  const qs = q instanceof Tensor ? q : null;
  if (qs && qs.ndim > 1) throw new RangeError(`${call.slice(6)}() q must be a scalar or 1D tensor`);
  if (typeof q === 'number' && !(q >= 0 && q <= 1))
    throw new RangeError(`${call.slice(6)}() q must be in the range [0, 1] but got ${q}`);
  const flat = o.dim === undefined || o.dim === null;
  const input = flat ? x.reshape([-1]) : x;
  if (input.ndim === 0 || input.numel() === 0)
    throw new RangeError(`${call.slice(6)}() input tensor must be non-empty`);
  const d = flat ? 0 : normalizeDim(o.dim!, input.ndim);
  const n = input.shape[d]!;
  const [sorted] = input.sort(d);
  const nan = isnan(input);
  // Per slice: how many values count (all, or the non-NaN ones), and whether the slice is NaN.
  const count = skipNan ? nan.logicalNot().sum({ dim: d, keepdim: true }).to(input.dtype) : null;
  const qList = qs
    ? qs.to(input.dtype).reshape([-1])
    : makeTensor([q as number], { dtype: input.dtype, device: x.device });
  const results: Tensor[] = [];
  for (let i = 0; i < qList.shape[0]!; i++) {
    const qi = qList.select(0, i);
    const last = count ? count.sub(1).clampMin(0) : n - 1;
    const rank = qi.mul(last);
    const lo = rank.floor();
    const hi = rank.ceil();
    const at = (r: Tensor | number) =>
      pick(
        sorted,
        d,
        (typeof r === 'number' ? makeTensor(r) : r).to('int32').expand(sorted.shape.map((s, j) => (j === d ? 1 : s))),
      );
    let value: Tensor;
    if (interpolation === 'lower') value = at(lo);
    else if (interpolation === 'higher') value = at(hi);
    else if (interpolation === 'nearest') value = at(rank.round());
    else {
      const [a, b] = [at(lo), at(hi)];
      value = interpolation === 'midpoint' ? a.lerp(b, 0.5) : a.lerp(b, rank.sub(lo).expand(a.shape));
    }
    const invalid = skipNan ? count!.eq(0) : nan.any(d, true);
    value = where(invalid, NaN, value);
    results.push(o.keepdim ? (flat ? value.reshape(x.shape.map(() => 1)) : value) : value.squeeze(d));
  }
  return qs ? stack(results) : results[0]!;
}

/** The q-th quantiles along dim (or of every element), PyTorch's interpolations; NaN where a slice holds one. */
export function quantile(x: Tensor, q: number | Tensor, ...rest: unknown[]): Tensor {
  return quantileOf('torch.quantile', x, q, rest, false);
}
/** quantile over the values that are not NaN. */
export function nanquantile(x: Tensor, q: number | Tensor, ...rest: unknown[]): Tensor {
  return quantileOf('torch.nanquantile', x, q, rest, true);
}

/** Each position's index along d, as an int32 tensor broadcast to x's shape. */
function positions(x: Tensor, d: number): Tensor {
  const n = x.shape[d]!;
  return arange(n, { dtype: 'int32', device: x.device })
    .reshape(x.shape.map((_, i) => (i === d ? n : 1)))
    .expand(x.shape);
}

/** The smallest (or largest) value a dtype holds, a scan's identity for max (or min). */
const lowest = (x: Tensor): number => (isFloatingPoint(x.dtype) ? -Infinity : x.dtype === 'bool' ? 0 : -(2 ** 31));
const highest = (x: Tensor): number => (isFloatingPoint(x.dtype) ? Infinity : x.dtype === 'bool' ? 1 : 2 ** 31 - 1);

/**
 * cummax / cummin along dim: the running extreme (NaN from the first NaN on) and, as PyTorch's, the
 * index of its latest occurrence. The values are x gathered at those indices, so the gradient goes
 * to the chosen elements only, as in PyTorch.
 */
function cumulativeExtreme(call: string, largest: boolean) {
  return (x: Tensor, dim: number | { dim: number }): ValuesIndices => {
    tensorArg(call, 'input', 1, x);
    const o = namedArgs<{ dim: number }>(call, ['dim'], [dim]);
    if (o.dim === undefined) throw new TypeError(`${call}() missing required argument 'dim'`);
    const input = x.ndim === 0 ? x.reshape([1]) : x;
    const d = normalizeDim(o.dim, input.ndim);
    const indices = noGrad(() => {
      const plain = input.detach();
      const running = largest
        ? scan(plain, d, (a, b) => a.maximum(b), lowest(plain))
        : scan(plain, d, (a, b) => a.minimum(b), highest(plain));
      let hit = plain.eq(running);
      if (isFloatingPoint(plain.dtype)) hit = hit.logicalOr(isnan(plain).logicalAnd(isnan(running)));
      const at = where(hit, positions(plain, d), -1);
      return scan(at, d, (a, b) => a.maximum(b), -1);
    });
    const values = input.gather(d, indices);
    return x.ndim === 0 ? valuesIndices(values.reshape([]), indices.reshape([])) : valuesIndices(values, indices);
  };
}

export const cummax = cumulativeExtreme('torch.cummax', true);
export const cummin = cumulativeExtreme('torch.cummin', false);

/**
 * torch.mode(input, dim=-1, keepdim=False): each slice's most frequent value (the smallest of a
 * tie) and the index of its last occurrence, as PyTorch's CPU kernel gives. Counts by comparing
 * every pair in a slice (n² per slice: fine for rows up to some thousands); the gradient reaches the
 * chosen element.
 */
export function mode(x: Tensor, ...rest: unknown[]): ValuesIndices {
  const call = 'torch.mode';
  tensorArg(call, 'input', 1, x);
  const input = x.ndim === 0 ? x.reshape([1]) : x;
  const { d, keepdim } = dimArgs(call, input, rest);
  if (input.shape[d] === 0) throw new RangeError(`mode(): Expected reduction dim ${d} to have non-zero size.`);
  const indices = noGrad(() => {
    const plain = input.detach();
    const counts = plain
      .unsqueeze(d + 1)
      .eq(plain.unsqueeze(d))
      .sum({ dim: d, keepdim: false });
    // counts[..., j, ...] along d: how many elements of the slice equal element j.
    const frequent = counts.eq(counts.amax(d, true));
    const value = where(frequent, plain, highest(plain)).amin(d, true);
    return where(plain.eq(value), positions(plain, d), -1).amax(d, true);
  });
  const out = finish(input.gather(d, indices), indices, d, keepdim || x.ndim === 0);
  return x.ndim === 0 ? valuesIndices(out.values.reshape([]), out.indices.reshape([])) : out;
}
