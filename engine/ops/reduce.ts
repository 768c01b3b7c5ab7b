/** Reductions, softmax and their gradients. */
import { toAutocastFloat32 } from '../amp/autocast.ts';
import { defineOp, type Context } from '../autograd/function.ts';
import { isGradEnabled } from '../autograd/grad-mode.ts';
import { isFloatingPoint } from '../dtype.ts';
import { normalizeDim, normalizeDims } from '../tensor/shape.ts';
import { Tensor, type DimOptions, type VarOptions } from '../tensor/tensor.ts';
import { where } from './elementwise.ts';
import { checkKeys } from '../args.ts';
import { valuesIndices, type ValuesIndices } from '../tensor/values-indices.ts';
import { launchArgReduce, launchLogSoftmaxBackward, launchReduce, launchSoftmax } from './kernels.ts';

type DimArg = number | readonly number[] | DimOptions | undefined;

const DIM_KEYS = ['dim', 'keepdim'];

/** Accepts x.sum(1), x.sum([0, 1]), x.sum(1, true) and x.sum({ dim: 1, keepdim: true }); `call` names the op in errors. */
function dimArgs<T extends DimOptions>(
  call: string,
  dim: number | readonly number[] | T | undefined,
  keepdim?: boolean,
  allowed: readonly string[] = DIM_KEYS,
) {
  if (typeof dim === 'object' && dim !== null && !Array.isArray(dim)) {
    const o = dim as T;
    checkKeys(call, o, allowed);
    return { dim: o.dim ?? undefined, keepdim: o.keepdim ?? keepdim ?? false, options: o };
  }
  // null is PyTorch's dim=None: every dim.
  return {
    dim: (dim ?? undefined) as number | readonly number[] | undefined,
    keepdim: keepdim ?? false,
    options: {} as Partial<T>,
  };
}

/** The shape with reduced axes kept as size 1. */
function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Gradient of a reduction broadcast back over the reduced axes. */
function expandBack(g: Tensor, inputShape: readonly number[], axes: readonly number[]): Tensor {
  return g.reshape(keptShape(inputShape, axes)).expand(inputShape);
}

function sumForward(ctx: Context, x: Tensor, axes: readonly number[], keepdim: boolean): Tensor {
  ctx.inputShape = x.shape;
  ctx.axes = axes;
  // Summing bools or ints gives int32, as torch.sum gives its widest integer tensor.
  const out = launchReduce('sum', x, axes, x.dtype === 'bool' || x.dtype === 'int8' ? 'int32' : x.dtype);
  return keepdim ? out.reshape(keptShape(x.shape, axes)) : out;
}

function sumBackward(ctx: Context, g: Tensor) {
  return [expandBack(g, ctx.inputShape as number[], ctx.axes as number[]), null, null];
}

// PyTorch's node names: x.sum() is SumBackward0, x.sum(dim) SumBackward1 (likewise MeanBackward).
const sumAll = defineOp('SumBackward0', sumForward, sumBackward);
const sumDims = defineOp('SumBackward1', sumForward, sumBackward);

/** The mean as the sum divided by the count, rounded as sum-then-divide rounds; one node. */
function meanForward(ctx: Context, x: Tensor, axes: readonly number[], keepdim: boolean, count: number): Tensor {
  ctx.count = count;
  return sumForward(ctx, x, axes, keepdim).div(count);
}

function meanBackward(ctx: Context, g: Tensor) {
  return [expandBack(g.div(ctx.count as number), ctx.inputShape as number[], ctx.axes as number[]), null, null, null];
}

const meanAll = defineOp('MeanBackward0', meanForward, meanBackward);
const meanDims = defineOp('MeanBackward1', meanForward, meanBackward);

// Reductions, norms and softmax are on autocast's float32 list: each casts a 2-byte float input to
// float32 inside an autocast region (toAutocastFloat32), and leaves it alone outside one.

export function sum(x: Tensor, dim?: DimArg, keepdim?: boolean): Tensor {
  const a = dimArgs('torch.sum', dim, keepdim);
  x = toAutocastFloat32(x);
  return (a.dim === undefined ? sumAll : sumDims)(x, normalizeDims(a.dim, x.ndim), a.keepdim);
}

/** Whole numbers in JavaScript source are int32 tensors, where PyTorch's `1.0` would be a float: say so. */
const INT_HINT =
  "; torch.tensor infers int32 from whole numbers (JavaScript writes 1.0 as 1): pass { dtype: 'float32' } or call x.float()";

export function mean(x: Tensor, dim?: DimArg, keepdim?: boolean): Tensor {
  x = toAutocastFloat32(x);
  if (!isFloatingPoint(x.dtype)) {
    throw new TypeError(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${x.dtype}${INT_HINT}`,
    );
  }
  const a = dimArgs('torch.mean', dim, keepdim);
  const axes = normalizeDims(a.dim, x.ndim);
  const count = axes.reduce((n, d) => n * x.shape[d]!, 1);
  return (a.dim === undefined ? meanAll : meanDims)(x, axes, a.keepdim, count);
}

/** Variance with torch's correction (1 = unbiased, the default). */
export function variance(
  x: Tensor,
  dim?: number | readonly number[] | VarOptions,
  keepdim?: boolean,
  call = 'torch.var',
): Tensor {
  x = toAutocastFloat32(x);
  if (!isFloatingPoint(x.dtype))
    throw new TypeError(
      `${call}: std and var only support floating point and complex dtypes, got ${x.dtype}${INT_HINT}`,
    );
  const a = dimArgs<VarOptions>(call, dim, keepdim, [...DIM_KEYS, 'unbiased', 'correction']);
  const correction = a.options.correction ?? (a.options.unbiased === false ? 0 : 1);
  const axes = normalizeDims(a.dim, x.ndim);
  const count = axes.reduce((n, d) => n * x.shape[d]!, 1);
  const centered = x.sub(x.mean({ dim: axes, keepdim: true }));
  return centered
    .mul(centered)
    .sum({ dim: axes, keepdim: a.keepdim })
    .div(Math.max(count - correction, 0));
}

export function std(x: Tensor, dim?: number | readonly number[] | VarOptions, keepdim?: boolean): Tensor {
  return variance(x, dim, keepdim, 'torch.std').sqrt();
}

export function prod(x: Tensor, dim?: number | DimOptions, keepdim?: boolean): Tensor {
  const a = dimArgs('torch.prod', dim, keepdim);
  x = toAutocastFloat32(x);
  const axes = normalizeDims(a.dim as number | undefined, x.ndim);
  return prodOp(x, axes, a.keepdim);
}

const prodOp = defineOp(
  'ProdBackward1',
  (ctx, x: Tensor, axes: readonly number[], keepdim: boolean) => {
    const y = launchReduce('prod', x, axes);
    ctx.saveForBackward(x);
    ctx.axes = axes;
    return keepdim ? y.reshape(keptShape(x.shape, axes)) : y;
  },
  // d(Πx)/dx_i is the product of the others. Π/x_i is that only where no x is 0 (0/0 otherwise),
  // so, as PyTorch's prod_backward: a slice with one zero passes the product of its other
  // elements to the zero and 0 to the rest; a slice with two or more zeros passes 0 everywhere.
  (ctx, g) => {
    const [x] = ctx.savedTensors;
    const axes = ctx.axes as number[];
    const kept = keptShape(x!.shape, axes);
    const isZero = x!.eq(0);
    const zeros = isZero.sum({ dim: axes, keepdim: true });
    const nonzero = where(isZero, 1, x!);
    const others = launchReduce('prod', nonzero, axes).reshape(kept); // Π of the nonzero elements
    const factor = where(isZero, others.mul(zeros.eq(1)), others.div(nonzero).mul(zeros.eq(0)));
    return [expandBack(g, x!.shape, axes).mul(factor), null, null];
  },
);

/** The full max/min: the gradient is split evenly among ties, as torch.max() does. */
function extremeAll(name: string, op: 'max' | 'min') {
  return defineOp(
    name,
    (ctx, x: Tensor) => {
      if (x.numel() === 0) {
        throw new RangeError(
          `${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
        );
      }
      const y = launchReduce(
        op,
        x,
        x.shape.map((_, i) => i),
      );
      ctx.saveForBackward(x, y);
      return y;
    },
    (ctx, g) => {
      const [x, y] = ctx.savedTensors;
      const hit = where(x!.eq(y!), 1, 0).to(x!.dtype);
      return [hit.mul(g).div(hit.sum())];
    },
  );
}

export const maxAll = extremeAll('MaxBackward1', 'max');
export const minAll = extremeAll('MinBackward1', 'min');

function dimOnly(call: string, dim: number | DimOptions, keepdim?: boolean) {
  const a = dimArgs(call, dim as number | DimOptions, keepdim);
  if (typeof a.dim !== 'number') throw new TypeError(`${call}: a single integer dim is required here`);
  return a as { dim: number; keepdim: boolean };
}

/** max(dim): values and the index of the first maximum; the gradient goes to that index. */
function extremeDim(op: 'argmax' | 'argmin') {
  const call = op === 'argmax' ? 'torch.max' : 'torch.min';
  return (x: Tensor, dim: number | DimOptions, keepdim?: boolean): ValuesIndices => {
    const a = dimOnly(call, dim, keepdim);
    const d = normalizeDim(a.dim, x.ndim);
    if (x.ndim === 0) return valuesIndices(x.clone(), launchArgReduce(op, x.reshape([1]), 0).reshape([]));
    const indices = launchArgReduce(op, x, d).unsqueeze(d);
    const values = x.gather(d, indices);
    return a.keepdim ? valuesIndices(values, indices) : valuesIndices(values.squeeze(d), indices.squeeze(d));
  };
}

export const maxDim = extremeDim('argmax');
export const minDim = extremeDim('argmin');

function argExtreme(op: 'argmax' | 'argmin') {
  return (x: Tensor, dim?: number | DimOptions, keepdim?: boolean): Tensor => {
    if (dim === undefined) return launchArgReduce(op, x.reshape([-1]), 0);
    const a = dimOnly(`torch.${op}`, dim, keepdim);
    const d = normalizeDim(a.dim, x.ndim);
    const flat = x.ndim === 0 ? x.reshape([1]) : x;
    const out = launchArgReduce(op, flat, x.ndim === 0 ? 0 : d);
    return a.keepdim && x.ndim > 0 ? out.unsqueeze(d) : out.reshape(x.ndim === 0 ? [] : out.shape);
  };
}

export const argmax = argExtreme('argmax');
export const argmin = argExtreme('argmin');

export function norm(x: Tensor, p: number, dim?: DimArg, keepdim?: boolean): Tensor {
  const a = dimArgs('torch.norm', dim, keepdim);
  x = toAutocastFloat32(x);
  const opts = { dim: a.dim ?? x.shape.map((_, i) => i), keepdim: a.keepdim };
  if (p === Infinity) return absMax(x.abs(), normalizeDims(opts.dim, x.ndim), opts.keepdim);
  if (p === 2) return norm2Op(x, normalizeDims(opts.dim, x.ndim), opts.keepdim);
  if (p === 1) return x.abs().sum(opts);
  return x
    .abs()
    .pow(p)
    .sum(opts)
    .pow(1 / p);
}

/** √Σx²; the gradient x·g/‖x‖ is 0 where the norm is 0 (not 0/0), as PyTorch's norm_backward. */
const norm2Op = defineOp(
  'NormBackward1',
  (ctx, x: Tensor, axes: readonly number[], keepdim: boolean) => {
    const y = x.mul(x).sum({ dim: axes, keepdim: true }).sqrt();
    ctx.saveForBackward(x, y);
    return keepdim ? y : y.reshape(x.shape.filter((_, i) => !axes.includes(i)));
  },
  (ctx, g) => {
    const [x, y] = ctx.savedTensors;
    const scale = where(y!.eq(0), 0, g.reshape(y!.shape).div(y!));
    return [x!.mul(scale), null, null];
  },
);

/** The max over several dims: they are moved last and flattened into one, then max(dim). */
function absMax(x: Tensor, axes: readonly number[], keepdim: boolean): Tensor {
  if (axes.length === 0) return x;
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const flat = x.permute([...kept, ...axes]).reshape([...kept.map((i) => x.shape[i]!), -1]);
  const values = flat.max(kept.length).values;
  return keepdim ? values.reshape(keptShape(x.shape, axes)) : values;
}

export function logsumexp(x: Tensor, dim: number | DimOptions, keepdim?: boolean): Tensor {
  const a = dimOnly('torch.logsumexp', dim, keepdim);
  x = toAutocastFloat32(x);
  // An infinite max (a row of -inf, or an inf) is not subtracted: inf − inf would give NaN.
  const max = x.max(a.dim, true).values.detach();
  const m = where(max.abs().eq(Infinity), 0, max);
  const out = x.sub(m).exp().sum(a.dim, true).log().add(m);
  return a.keepdim ? out : out.squeeze(normalizeDim(a.dim, x.ndim));
}

/** Sums broadcast dims away so that a gradient has the shape of the input it belongs to. */
export function sumToSize(x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length === x.ndim && shape.every((d, i) => d === x.shape[i])) return x;
  const lead = x.ndim - shape.length;
  if (lead < 0)
    throw new RangeError(`sum_to_size: size {${shape.join(', ')}} is not expandable to size {${x.shape.join(', ')}}`);
  const axes: number[] = [];
  x.shape.forEach((d, i) => {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && d !== 1) axes.push(i);
    else if (shape[i - lead] !== d) {
      throw new RangeError(`sum_to_size: size {${shape.join(', ')}} is not expandable to size {${x.shape.join(', ')}}`);
    }
  });
  return x.sum({ dim: axes, keepdim: true }).reshape(shape);
}

const softmaxOp = defineOp(
  'SoftmaxBackward0',
  (ctx, x: Tensor, dim: number) => {
    const y = launchSoftmax(x, dim, false);
    ctx.saveForBackward(y);
    ctx.dim = dim;
    return y;
  },
  (ctx, g) => {
    const [y] = ctx.savedTensors;
    // dx = y ⊙ (g − Σ g⊙y)
    const dot = g.mul(y!).sum(ctx.dim as number, true);
    return [y!.mul(g.sub(dot)), null];
  },
);

const logSoftmaxOp = defineOp(
  'LogSoftmaxBackward0',
  (ctx, x: Tensor, dim: number) => {
    const y = launchSoftmax(x, dim, true);
    ctx.saveForBackward(y);
    ctx.dim = dim;
    return y;
  },
  (ctx, g) => {
    const [y] = ctx.savedTensors;
    // dx = g − softmax(x)·Σ g, in one pass where the backend has it and the pass is not recorded.
    const fused = isGradEnabled() ? null : launchLogSoftmaxBackward(g, y!, ctx.dim as number);
    return [fused ?? g.sub(y!.exp().mul(g.sum(ctx.dim as number, true))), null];
  },
);

function softmaxDim(x: Tensor, dim: number | { dim: number }, call: string): number {
  const d = typeof dim === 'number' ? dim : dimArgs(call, dim).dim;
  if (typeof d !== 'number') throw new TypeError(`${call}: a single integer dim is required`);
  return normalizeDim(d, x.ndim);
}

function floatInput(x: Tensor): Tensor {
  return isFloatingPoint(x.dtype) ? toAutocastFloat32(x) : x.to('float32');
}

export function softmax(x: Tensor, dim: number | { dim: number }): Tensor {
  if (x.ndim === 0) return floatInput(x).mul(0).add(1);
  return softmaxOp(floatInput(x), softmaxDim(x, dim, 'torch.softmax'));
}

export function logSoftmax(x: Tensor, dim: number | { dim: number }): Tensor {
  if (x.ndim === 0) return floatInput(x).mul(0);
  return logSoftmaxOp(floatInput(x), softmaxDim(x, dim, 'torch.logSoftmax'));
}
