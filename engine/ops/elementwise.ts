/** Elementwise ops with their gradients, each forward beside its backward. */
import { argTypeError, mustBe, optionsOf, tensorArg } from '../args.ts';
import { defineOp, operandTemporary } from '../autograd/function.ts';
import { isGradEnabled } from '../autograd/grad-mode.ts';
import { backendFor } from '../backend/registry.ts';
import type { BinaryOp, UnaryOp } from '../backend/types.ts';
import {
  checkDevice,
  checkDType,
  isDTypeAlias,
  isDevice,
  isFloatingPoint,
  isDType,
  promoteTypes,
  promoteWithScalar,
  type DType,
  type Device,
} from '../dtype.ts';
import { broadcastShapes } from '../tensor/shape.ts';
import { Storage } from '../tensor/storage.ts';
import { Tensor, type Scalar, type TensorLike } from '../tensor/tensor.ts';
import { launchBinary, launchReluBackward, launchUnary, launchWhere, scalarTensor } from './kernels.ts';

/** The dtype two operands compute in: a scalar or 0-d tensor does not widen a tensor's category. */
export function resultType(a: TensorLike, b: TensorLike): DType {
  if (a instanceof Tensor && b instanceof Tensor) {
    if (a.ndim === 0 && b.ndim > 0) return withZeroDim(b.dtype, a.dtype);
    if (b.ndim === 0 && a.ndim > 0) return withZeroDim(a.dtype, b.dtype);
    return promoteTypes(a.dtype, b.dtype);
  }
  if (a instanceof Tensor) return promoteWithScalar(a.dtype, scalarOperand(b));
  if (b instanceof Tensor) return promoteWithScalar(b.dtype, scalarOperand(a));
  return Number.isInteger(scalarOperand(a)) && Number.isInteger(scalarOperand(b)) ? 'int32' : 'float32';
}

/** A number or boolean where a tensor may stand; anything else (a Promise: a forgotten await) would compute NaN. */
function scalarOperand(x: TensorLike): Scalar {
  if (typeof x === 'number' || typeof x === 'boolean') return x;
  throw new TypeError(`a tensor op's operand ${mustBe('a Tensor or a number', x)}`);
}

/**
 * PyTorch's combine_categories for a dimensioned tensor and a 0-d one: the 0-d tensor's dtype
 * counts only when it is of a higher category (int32 tensor + 0-d float64 tensor → float64; a
 * float32 tensor + 0-d float64 tensor stays float32; a bool tensor takes the 0-d's type).
 */
function withZeroDim(dimensioned: DType, zeroDim: DType): DType {
  if (isFloatingPoint(dimensioned)) return dimensioned;
  if (dimensioned === 'bool' || isFloatingPoint(zeroDim)) return promoteTypes(dimensioned, zeroDim);
  return dimensioned;
}

function deviceOf(a: TensorLike, b: TensorLike, fallback: Device): Device {
  if (a instanceof Tensor) return a.device;
  if (b instanceof Tensor) return b.device;
  return fallback;
}

function asTensor(x: TensorLike, dtype: DType, device: Device): Tensor {
  if (x instanceof Tensor) return x.dtype === dtype ? x : operandTemporary(to(x, dtype));
  return operandTemporary(scalarTensor(x, dtype, device));
}

/** Both operands as tensors of their common dtype (differentiably cast). */
export function operands(
  a: TensorLike,
  b: TensorLike,
  dtype = resultType(a, b),
  fallbackDevice: Device = 'cpu',
): [Tensor, Tensor] {
  const device = deviceOf(a, b, fallbackDevice);
  return [asTensor(a, dtype, device), asTensor(b, dtype, device)];
}

function floatOf(dtype: DType): DType {
  return isFloatingPoint(dtype) ? dtype : 'float32';
}

// ---- casts and copies --------------------------------------------------------------------------

const toDtype = defineOp(
  'ToCopyBackward0',
  (ctx, x: Tensor, dtype: DType) => {
    ctx.from = x.dtype;
    return launchUnary('identity', x, dtype);
  },
  (ctx, g) => [g.to(ctx.from as DType), null],
);

const toDevice = defineOp(
  'ToCopyBackward0',
  (ctx, x: Tensor, device: Device) => {
    ctx.from = x.device;
    return transfer(x, device);
  },
  (ctx, g) => [g.to(ctx.from as Device), null],
);

/** Copies x to another device through the host (the GPU's buffers are not mapped to the CPU's). */
function transfer(x: Tensor, device: Device): Tensor {
  const source = x.storage.backend;
  const target = backendFor(device);
  if (!source.readSync) {
    throw new Error(
      `A ${x.device} tensor cannot be copied to ${device} synchronously: its values arrive later. ` +
        `Use \`await x.toAsync('${device}')\`, or \`await x.data()\` to read the values.`,
    );
  }
  return new Tensor(new Storage(target, target.upload(source.readSync(x.strided), x.dtype)), x.shape);
}

type ToTarget = Device | DType | { device?: Device; dtype?: DType };

/** x.to()'s argument as { device, dtype }, each checked: to('cuda') names 'webgpu', to('int64') 'int32'. */
export function toSpec(target: ToTarget, call = 'Tensor.to'): { device?: Device; dtype?: DType } {
  if (typeof target === 'string') {
    if (isDType(target)) return { dtype: target };
    return isDevice(target) || !isDTypeAlias(target) ? { device: checkDevice(target) } : { dtype: checkDType(target) };
  }
  const spec = optionsOf(call, target, ['device', 'dtype']);
  return {
    device: spec.device === undefined ? undefined : checkDevice(spec.device),
    dtype: spec.dtype === undefined ? undefined : checkDType(spec.dtype),
  };
}

export function to(x: Tensor, target: ToTarget): Tensor {
  const spec = toSpec(target);
  let out = x;
  if (spec.dtype && spec.dtype !== out.dtype) {
    if (out.requiresGrad && !isFloatingPoint(spec.dtype)) out = out.detach();
    out = toDtype(out, spec.dtype);
  }
  if (spec.device && spec.device !== out.device) out = toDevice(out, spec.device);
  return out;
}

/**
 * x.to(target) where the source's values arrive later (a GPU): they are read, then uploaded to the
 * target device. Such a copy is not recorded by autograd (the result is a new leaf, as after
 * detach()); from a device that reads synchronously (the CPU) this is x.to(target), differentiable.
 * A float64 target casts after the move, any other dtype before it (WebGPU has no float64).
 */
export async function toAsync(x: Tensor, target: ToTarget): Promise<Tensor> {
  const spec = toSpec(target);
  if (!spec.device || spec.device === x.device || x.storage.backend.readSync) return to(x, spec);
  const castFirst = spec.dtype !== undefined && spec.dtype !== 'float64';
  const source = castFirst ? to(x, { dtype: spec.dtype! }) : x;
  const device = backendFor(spec.device);
  const values = await source.storage.backend.read(source.strided);
  const moved = new Tensor(new Storage(device, device.upload(values, source.dtype)), source.shape);
  return spec.dtype && !castFirst ? to(moved, { dtype: spec.dtype }) : moved;
}

export const clone = defineOp(
  'CloneBackward0',
  (_ctx, x: Tensor) => launchUnary('identity', x),
  (_ctx, g) => [g],
);

// ---- arithmetic --------------------------------------------------------------------------------

function binaryOp(op: BinaryOp) {
  return (a: Tensor, b: Tensor) => launchBinary(op, a, b, a.dtype);
}

const addOp = defineOp(
  'AddBackward0',
  (_c, a: Tensor, b: Tensor) => binaryOp('add')(a, b),
  (_c, g) => [g, g],
);
const subOp = defineOp(
  'SubBackward0',
  (_c, a: Tensor, b: Tensor) => binaryOp('sub')(a, b),
  (_c, g) => [g, g.neg()],
);

const mulOp = defineOp(
  'MulBackward0',
  (ctx, a: Tensor, b: Tensor) => {
    ctx.saveForBackward(ctx.needsInputGrad[1] ? a : null, ctx.needsInputGrad[0] ? b : null);
    return binaryOp('mul')(a, b);
  },
  (ctx, g) => {
    const [a, b] = ctx.savedTensors;
    return [b ? g.mul(b) : null, a ? g.mul(a) : null];
  },
);

const divOp = defineOp(
  'DivBackward0',
  (ctx, a: Tensor, b: Tensor) => {
    ctx.saveForBackward(ctx.needsInputGrad[1] ? a : null, b);
    return binaryOp('div')(a, b);
  },
  (ctx, g) => {
    const [a, b] = ctx.savedTensors;
    return [ctx.needsInputGrad[0] ? g.div(b!) : null, a ? g.mul(a).div(b!.mul(b!)).neg() : null];
  },
);

const powOp = defineOp(
  'PowBackward1',
  (ctx, a: Tensor, b: Tensor) => {
    const y = binaryOp('pow')(a, b);
    ctx.saveForBackward(a, b, ctx.needsInputGrad[1] ? y : null);
    return y;
  },
  (ctx, g) => {
    const [a, b, y] = ctx.savedTensors;
    const ga = ctx.needsInputGrad[0] ? g.mul(b!).mul(a!.pow(b!.sub(1))) : null;
    // d(a^b)/db = a^b·log(a), taken as 0 where a = 0 (as torch does for b ≥ 0).
    const gb = y ? where(a!.eq(0), 0, g.mul(y).mul(a!.log())) : null;
    return [ga, gb];
  },
);

const powScalarOp = defineOp(
  'PowBackward0',
  (ctx, a: Tensor, exponent: number) => {
    ctx.saveForBackward(a);
    ctx.exponent = exponent;
    return launchBinary('pow', a, scalarTensor(exponent, a.dtype, a.device), a.dtype);
  },
  (ctx, g) => {
    const [a] = ctx.savedTensors;
    const e = ctx.exponent as number;
    return [e === 0 ? g.mul(0) : g.mul(a!.pow(e - 1)).mul(e), null];
  },
);

export function add(a: TensorLike, b: TensorLike, options?: { alpha?: number }): Tensor {
  const { alpha = 1 } = optionsOf('torch.add', options, ['alpha']);
  const [x, y] = operands(a, alpha === 1 ? b : b instanceof Tensor ? b.mul(alpha) : Number(b) * alpha);
  return addOp(x, y);
}

export function sub(a: TensorLike, b: TensorLike, options?: { alpha?: number }): Tensor {
  const { alpha = 1 } = optionsOf('torch.sub', options, ['alpha']);
  const [x, y] = operands(a, alpha === 1 ? b : b instanceof Tensor ? b.mul(alpha) : Number(b) * alpha);
  if (x.dtype === 'bool') throw new TypeError('Subtraction, the `-` operator, with two bool tensors is not supported.');
  return subOp(x, y);
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  return mulOp(...operands(a, b));
}

/** True division: integer operands give float32, as torch.div does. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return divOp(...operands(a, b, floatOf(resultType(a, b))));
}

export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && typeof b === 'number') {
    const dtype = promoteWithScalar(a.dtype, b);
    return powScalarOp(a.dtype === dtype ? a : to(a, dtype), b);
  }
  return powOp(...operands(a, b));
}

// ---- unary math --------------------------------------------------------------------------------

/**
 * A unary op whose gradient is a function of the input x, the output y and the incoming g. Only
 * what the gradient reads is saved (`saves`), so that an in-place form (relu_, sqrt_) of an op whose
 * gradient reads only its output still has a valid backward once the input is overwritten.
 */
function unaryOp(
  name: string,
  op: UnaryOp,
  grad: (g: Tensor, x: Tensor, y: Tensor) => Tensor,
  float = true,
  saves: 'x' | 'y' | 'none' = 'x',
) {
  const f = defineOp(
    name,
    (ctx, x: Tensor) => {
      const y = launchUnary(op, x, float ? floatOf(x.dtype) : x.dtype);
      ctx.saveForBackward(saves === 'x' ? x : null, saves === 'y' ? y : null);
      return y;
    },
    (ctx, g) => {
      const [x, y] = ctx.savedTensors;
      return [grad(g, x!, y!)];
    },
  );
  return (x: Tensor) => (float && !isFloatingPoint(x.dtype) ? f(to(x, 'float32')) : f(x));
}

export const neg = unaryOp('NegBackward0', 'neg', (g) => g.neg(), false, 'none');
export const abs = unaryOp('AbsBackward0', 'abs', (g, x) => g.mul(x.sign()), false);
export const sign = unaryOp('SignBackward0', 'sign', (g) => g.mul(0), false, 'none');
export const exp = unaryOp('ExpBackward0', 'exp', (g, _x, y) => g.mul(y), true, 'y');
export const log = unaryOp('LogBackward0', 'log', (g, x) => g.div(x));
export const sqrt = unaryOp('SqrtBackward0', 'sqrt', (g, _x, y) => g.div(y.mul(2)), true, 'y');
export const rsqrt = unaryOp('RsqrtBackward0', 'rsqrt', (g, _x, y) => g.mul(y.pow(3)).mul(-0.5), true, 'y');
export const reciprocal = unaryOp('ReciprocalBackward0', 'reciprocal', (g, _x, y) => g.mul(y.mul(y)).neg(), true, 'y');
export const sin = unaryOp('SinBackward0', 'sin', (g, x) => g.mul(x.cos()));
export const cos = unaryOp('CosBackward0', 'cos', (g, x) => g.mul(x.sin()).neg());
export const tanh = unaryOp('TanhBackward0', 'tanh', (g, _x, y) => g.mul(y.mul(y).neg().add(1)), true, 'y');
export const sigmoid = unaryOp('SigmoidBackward0', 'sigmoid', (g, _x, y) => g.mul(y).mul(y.neg().add(1)), true, 'y');
// PyTorch's threshold_backward: g where y > 0, else 0 (relu'(0) = 0; an inf or NaN g below gives 0, not NaN).
// One pass where the backend has it, else one masked select (instead of casting the mask to g's dtype and
// multiplying); recorded for a double backward (createGraph), the select, which is differentiable.
export const relu = unaryOp(
  'ReluBackward0',
  'relu',
  (g, _x, y) => (isGradEnabled() ? null : launchReluBackward(g, y)) ?? where(y.gt(0), g, 0),
  false,
  'y',
);
export const floor = unaryOp('FloorBackward0', 'floor', (g) => g.mul(0), false, 'none');
export const ceil = unaryOp('CeilBackward0', 'ceil', (g) => g.mul(0), false, 'none');
export const round = unaryOp('RoundBackward0', 'round', (g) => g.mul(0), false, 'none');

export function square(x: Tensor): Tensor {
  return mul(x, x);
}

// ---- comparisons and selection -----------------------------------------------------------------

function compare(op: BinaryOp) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    const [x, y] = operands(a, b);
    return launchBinary(op, x, y, 'bool');
  };
}

export const eq = compare('eq');
export const ne = compare('ne');
export const lt = compare('lt');
export const le = compare('le');
export const gt = compare('gt');
export const ge = compare('ge');

export function logicalNot(x: Tensor): Tensor {
  return launchUnary('not', x, 'bool');
}
export function logicalAnd(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b);
  return launchBinary('and', x, y, 'bool');
}
export function logicalOr(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b);
  return launchBinary('or', x, y, 'bool');
}

const whereOp = defineOp(
  'WhereBackward0',
  (ctx, cond: Tensor, a: Tensor, b: Tensor) => {
    ctx.saveForBackward(cond);
    return launchWhere(cond, a, b, a.dtype);
  },
  (ctx, g) => {
    const [cond] = ctx.savedTensors;
    return [null, where(cond!, g, 0), where(cond!, 0, g)];
  },
);

/** torch.where(condition, input, other). */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  tensorArg('torch.where', 'condition', 1, condition);
  if (condition.dtype !== 'bool') {
    throw new TypeError(
      `where expected condition to be a boolean tensor, but got a tensor with dtype ${condition.dtype}`,
    );
  }
  const [x, y] = operands(a, b, undefined, condition.device);
  return whereOp(condition, x, y);
}

export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (mask.dtype !== 'bool')
    throw new TypeError(`masked_fill only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  return where(mask, scalarTensor(value, x.dtype, x.device), x);
}

/** Gradient split evenly on ties, as torch.maximum's is. */
function extremum(name: string, op: 'maximum' | 'minimum') {
  const f = defineOp(
    name,
    (ctx, a: Tensor, b: Tensor) => {
      ctx.saveForBackward(a, b);
      return launchBinary(op, a, b, a.dtype);
    },
    (ctx, g) => {
      const [a, b] = ctx.savedTensors;
      const wins = op === 'maximum' ? a!.gt(b!) : a!.lt(b!);
      const share = where(a!.eq(b!), 0.5, where(wins, 1, 0));
      return [g.mul(share), g.mul(share.neg().add(1))];
    },
  );
  return (a: TensorLike, b: TensorLike) => f(...operands(a, b));
}

export const maximum = extremum('MaximumBackward0', 'maximum');
export const minimum = extremum('MinimumBackward0', 'minimum');

const clampOp = defineOp(
  'ClampBackward1',
  (ctx, x: Tensor, min: number | null, max: number | null) => {
    // The mask of elements inside [min, max] is saved rather than x, so clamp_ can overwrite x;
    // made only for a backward that will read it (no pass over x in noGrad code).
    if (ctx.needsInputGrad[0]) {
      let keep = ge(x, min ?? -Infinity);
      if (max !== null) keep = logicalAnd(keep, le(x, max));
      ctx.saveForBackward(keep);
    }
    let y = x;
    if (min !== null) y = launchBinary('maximum', y, scalarTensor(min, x.dtype, x.device), x.dtype);
    if (max !== null) y = launchBinary('minimum', y, scalarTensor(max, x.dtype, x.device), x.dtype);
    return y === x ? launchUnary('identity', x) : y;
  },
  (ctx, g) => {
    const [keep] = ctx.savedTensors;
    return [where(keep!, g, 0), null, null];
  },
);

/**
 * clamp with tensor bounds (torch.clamp(x, min: Tensor, max: Tensor)): min(max(x, lo), hi) elementwise,
 * broadcast, with PyTorch's gradients: x's where lo ≤ x ≤ hi, lo's where x < lo < hi, hi's where
 * x > hi or hi < lo (where the bounds cross, the result is hi).
 */
const clampTensorOp = defineOp(
  'ClampBackward0',
  (ctx, x: Tensor, lo: Tensor | null, hi: Tensor | null) => {
    ctx.saveForBackward(x, lo, hi);
    let y = x;
    if (lo) y = launchBinary('maximum', y, lo, x.dtype);
    if (hi) y = launchBinary('minimum', y, hi, x.dtype);
    return y;
  },
  (ctx, g) => {
    const [x, lo, hi] = ctx.savedTensors;
    let inside = lo ? ge(x!, lo) : null;
    if (hi) inside = inside ? logicalAnd(inside, le(x!, hi)) : le(x!, hi);
    const below = lo && (hi ? logicalAnd(lt(x!, lo), lt(lo, hi)) : lt(x!, lo));
    const above = hi && (lo ? logicalOr(gt(x!, hi), lt(hi, lo)) : gt(x!, hi));
    return [where(inside!, g, 0), below && where(below, g, 0), above && where(above, g, 0)];
  },
);

function clampBound(name: string, position: number, bound: unknown): void {
  if (bound != null && typeof bound !== 'number' && !(bound instanceof Tensor))
    throw argTypeError('torch.clamp', name, position, 'a number, a Tensor or null', bound);
}

export function clamp(x: Tensor, min?: number | Tensor | null, max?: number | Tensor | null): Tensor {
  if ((min ?? null) === null && (max ?? null) === null) {
    throw new TypeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  }
  clampBound('min', 2, min);
  clampBound('max', 3, max);
  if (min instanceof Tensor || max instanceof Tensor) {
    if (typeof min === 'number' || typeof max === 'number')
      throw new TypeError(
        'torch.clamp: min and max must both be tensors or both be numbers (or null), as in PyTorch; wrap the number in torch.tensor',
      );
    const bounds = [min ?? null, max ?? null];
    const shape = [x, ...bounds].reduce<number[]>((s, t) => (t ? broadcastShapes(s, t.shape) : s), []);
    const dtype = bounds.reduce<DType>((d, t) => (t ? promoteTypes(d, t.dtype) : d), x.dtype);
    const [xs, lo, hi] = [x, ...bounds].map((t) => t && t.to(dtype).expand(shape));
    return clampTensorOp(xs!, lo!, hi!);
  }
  // The bounds take part in type promotion, as in torch: clamp(int32 x, 0, 2.5) is float32.
  const dtype = [min, max].reduce<DType>((d, b) => (typeof b === 'number' ? promoteWithScalar(d, b) : d), x.dtype);
  return clampOp(dtype === x.dtype ? x : x.to(dtype), min ?? null, max ?? null);
}
