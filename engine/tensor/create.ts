/** Creating tensors: torch.tensor, zeros/ones/full/empty, random ones, ranges and eye. */
import { getDefaultDtype } from './default-dtype.ts';
import { backendFor } from '../backend/registry.ts';
import { checkKeys, isOptions, namedArgs, tensorArg } from '../args.ts';
import {
  checkDType,
  checkDevice,
  hostArray,
  isFloatingPoint,
  type DType,
  type Device,
  type HostArray,
} from '../dtype.ts';
import { flatten } from './nested.ts';
import { defaultGenerator, type FloatKind, type Generator } from './random.ts';
import { formatShape, numel, shapeArgs } from './shape.ts';
import { Storage } from './storage.ts';
import { Tensor } from './tensor.ts';

export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}
export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

const TENSOR_KEYS = ['dtype', 'device', 'requiresGrad'] as const;
const RANDOM_KEYS = [...TENSOR_KEYS, 'generator'] as const;

/** A factory's options: known keys only (a `requires_grad` is an error, not ignored), a real dtype and device. */
function checkOptions(call: string, options: object, allowed: readonly string[] = TENSOR_KEYS): void {
  if (!isOptions(options))
    throw new TypeError(`torch.${call}: expected an options object last, got ${String(options)}`);
  checkKeys(`torch.${call}`, options, allowed);
  const { dtype, device } = options as TensorOptions;
  if (dtype !== undefined) checkDType(dtype);
  if (device !== undefined) checkDevice(device);
}

/** Wraps host values as a tensor of `shape` on the options' device: a copy, the caller keeps `values`. */
export function fromHost(values: HostArray, shape: readonly number[], options: TensorOptions = {}): Tensor {
  return wrapHost(values, shape, options, false);
}

/**
 * fromHost of an array made for this tensor and held nowhere else: the CPU keeps it as the storage
 * instead of copying it into another (half the memory and time of a large torch.ones or randn).
 */
export function adoptHost(values: HostArray, shape: readonly number[], options: TensorOptions = {}): Tensor {
  return wrapHost(values, shape, options, true);
}

function wrapHost(values: HostArray, shape: readonly number[], options: TensorOptions, owned: boolean): Tensor {
  const dtype = options.dtype ?? 'float32';
  const backend = backendFor(options.device ?? 'cpu');
  const buffer = owned && backend.adopt ? backend.adopt(values, dtype) : backend.upload(values, dtype);
  const t = new Tensor(new Storage(backend, buffer), shape);
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

function inferDtype(data: unknown, values: number[], requiresGrad: boolean): DType {
  const first = (function firstLeaf(d: unknown): unknown {
    return Array.isArray(d) ? firstLeaf(d[0]) : d;
  })(data);
  if (typeof first === 'boolean') return 'bool';
  // torch.tensor([]) is float32: with no values there is nothing to make it an integer tensor.
  if (values.length === 0) return getDefaultDtype();
  // JavaScript writes PyTorch's `2.0` as `2`, and only floating-point tensors can require grad: a
  // request for gradients says the numbers are floats, as `torch.tensor([2.0], requires_grad=True)` does.
  if (requiresGrad) return getDefaultDtype();
  return values.every(Number.isInteger) ? 'int32' : getDefaultDtype();
}

/**
 * torch.tensor(data): nested arrays or a number (dtype inferred as PyTorch does: bools → bool,
 * integers → int32 unless `requiresGrad`, otherwise float32), or a typed array with an explicit `{ shape }`.
 */
export function tensor(data: unknown, options: TensorOptions & { shape?: readonly number[] } = {}): Tensor {
  checkOptions('tensor', options, [...TENSOR_KEYS, 'shape']);
  if (data instanceof Tensor)
    return data
      .detach()
      .clone()
      .to({ dtype: options.dtype ?? data.dtype, device: options.device ?? data.device });
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const arr = data as unknown as HostArray;
    const shape = options.shape ? shapeArgs([options.shape]) : [arr.length];
    if (numel(shape) !== arr.length) {
      throw new RangeError(
        `tensor(): shape ${formatShape(shape)} holds ${numel(shape)} elements but the data has ${arr.length}`,
      );
    }
    const dtype =
      options.dtype ??
      (arr instanceof Float64Array
        ? 'float64'
        : arr instanceof Int32Array
          ? 'int32'
          : arr instanceof Int8Array
            ? 'int8'
            : arr instanceof Uint8Array
              ? 'bool'
              : 'float32');
    return fromHost(arr, shape, { ...options, dtype });
  }
  const { values, shape } = flatten(data);
  const dtype = options.dtype ?? inferDtype(data, values, options.requiresGrad === true);
  const host = hostArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) host[i] = values[i]!;
  const target = options.shape ? shapeArgs([options.shape]) : shape;
  if (numel(target) !== values.length) {
    throw new RangeError(
      `tensor(): shape ${formatShape(target)} holds ${numel(target)} elements but the data has ${values.length}`,
    );
  }
  return adoptHost(host, target, { ...options, dtype });
}

/** torch.as_tensor: a tensor already of the dtype and device is returned itself (no copy); anything else as torch.tensor makes it. */
export function asTensor(data: unknown, options: TensorOptions = {}): Tensor {
  checkOptions('asTensor', options, ['dtype', 'device']);
  if (data instanceof Tensor)
    return data.to({ dtype: options.dtype ?? data.dtype, device: options.device ?? data.device });
  return tensor(data, options);
}

export type ShapeAndOptions<O> = [...(number | readonly number[])[], O] | (number | readonly number[])[];

/** Splits zeros(2, 3, { dtype }) / zeros([2, 3], { dtype }) into a shape and checked options. */
function splitArgs<O extends object>(
  call: string,
  args: ShapeAndOptions<O>,
  allowed: readonly string[] = TENSOR_KEYS,
): [number[], O] {
  const last = args[args.length - 1];
  const hasOptions = typeof last === 'object' && last !== null && !Array.isArray(last);
  const dims = (hasOptions ? args.slice(0, -1) : args) as unknown[];
  const options = (hasOptions ? last : {}) as O;
  checkOptions(call, options, allowed);
  return [shapeArgs(dims), options];
}

export function full(shape: number | readonly number[], value: number | boolean, options: TensorOptions = {}): Tensor {
  checkOptions('full', options);
  const dims = shapeArgs([typeof shape === 'number' ? [shape] : shape]);
  const dtype = options.dtype ?? (typeof value === 'boolean' ? 'bool' : getDefaultDtype());
  const host = hostArray(dtype, numel(dims));
  const fill = Number(value);
  // A new array is zeros already; filling it anyway would touch every page of a large one.
  if (!Object.is(fill, 0)) host.fill(fill);
  return adoptHost(host, dims, { ...options, dtype });
}

export function zeros(...args: ShapeAndOptions<TensorOptions>): Tensor {
  const [shape, options] = splitArgs('zeros', args);
  return full(shape, 0, options);
}

export function ones(...args: ShapeAndOptions<TensorOptions>): Tensor {
  const [shape, options] = splitArgs('ones', args);
  return full(shape, 1, options);
}

/** Uninitialised in PyTorch; zero here, so that results never depend on leftover memory. */
export function empty(...args: ShapeAndOptions<TensorOptions>): Tensor {
  const [shape, options] = splitArgs('empty', args);
  return full(shape, 0, options);
}

function randomTensor(
  call: string,
  args: ShapeAndOptions<RandomOptions>,
  fill: (host: HostArray, g: Generator, dtype: DType) => void,
): Tensor {
  const [shape, options] = splitArgs(call, args, RANDOM_KEYS);
  const dtype = options.dtype ?? getDefaultDtype();
  const host = hostArray(dtype, numel(shape));
  fill(host, options.generator ?? defaultGenerator, dtype);
  return adoptHost(host, shape, { ...options, dtype });
}

/** The float dtype a uniform or normal draw is made for; PyTorch's own error for any other. */
function floatKind(dtype: DType, kernel: string): FloatKind {
  if (isFloatingPoint(dtype)) return dtype as FloatKind;
  throw new TypeError(`"${kernel}" not implemented for '${dtype}'`);
}

/** Uniform on [0, 1). */
export function rand(...args: ShapeAndOptions<RandomOptions>): Tensor {
  return randomTensor('rand', args, (host, g, dtype) => {
    const kind = floatKind(dtype, 'check_uniform_bounds');
    for (let i = 0; i < host.length; i++) host[i] = g.uniform(kind);
  });
}

/**
 * A bool tensor, true with probability `p` for each element: PyTorch's bernoulli_(p) on the CPU
 * (a float64 uniform below p), as dropout draws its mask.
 */
export function bernoulliMask(shape: readonly number[], p: number, device: Device): Tensor {
  const host = hostArray('bool', numel(shape));
  for (let i = 0; i < host.length; i++) host[i] = defaultGenerator.uniform53() < p ? 1 : 0;
  return adoptHost(host, shape, { dtype: 'bool', device });
}

/** Standard normal. */
export function randn(...args: ShapeAndOptions<RandomOptions>): Tensor {
  return randomTensor('randn', args, (host, g, dtype) =>
    g.fillNormal(host as Float32Array | Float64Array, floatKind(dtype, 'normal_kernel_cpu')),
  );
}

/** Integers uniform on [low, high), int32 by default; randint(high, shape) draws from [0, high). */
export function randint(low: number, high: number, shape: readonly number[], options?: RandomOptions): Tensor;
export function randint(high: number, shape: readonly number[], options?: RandomOptions): Tensor;
export function randint(...args: unknown[]): Tensor {
  const [low, high, shape, options = {}] = (Array.isArray(args[1]) ? [0, ...args] : args) as [
    number,
    number,
    readonly number[],
    RandomOptions?,
  ];
  checkOptions('randint', options, RANDOM_KEYS);
  return randomTensor('randint', [shape, { dtype: 'int32', ...options }], (host, g) => {
    for (let i = 0; i < host.length; i++) host[i] = g.integer(low, high);
  });
}

export function randperm(n: number, options: RandomOptions = {}): Tensor {
  checkOptions('randperm', options, RANDOM_KEYS);
  const perm = (options.generator ?? defaultGenerator).permutation(n);
  return fromHost(perm, [n], { dtype: 'int32', ...options });
}

type RangeOptions = TensorOptions & { end?: number; step?: number };

/** torch.arange(end), arange(start, end), arange(start, end, step); end and step may be named. */
export function arange(
  start: number,
  end?: number | RangeOptions,
  step?: number | RangeOptions,
  options?: TensorOptions,
): Tensor {
  const o = namedArgs<RangeOptions>(
    'torch.arange',
    ['end', 'step'],
    [end, step, options],
    [...TENSOR_KEYS, 'end', 'step'],
  );
  checkOptions('arange', o, [...TENSOR_KEYS, 'end', 'step']);
  ({ end, step = 1 } = o);
  if (end === undefined) [start, end] = [0, start];
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  if ((end - start) / step < 0) {
    throw new RangeError(
      `arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`,
    );
  }
  const n = Math.ceil((end - start) / step);
  const allInts = [start, end, step].every(Number.isInteger);
  const dtype = o.dtype ?? (allInts ? 'int32' : getDefaultDtype());
  const host = hostArray(dtype, n);
  for (let i = 0; i < n; i++) host[i] = start + i * step;
  return adoptHost(host, [n], { ...o, dtype });
}

export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  checkOptions('linspace', options);
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`linspace: number of steps must be non-negative, got ${steps}`);
  const dtype = options.dtype ?? getDefaultDtype();
  const host = hostArray(dtype, steps);
  // torch's kernel: float32 arithmetic for float32 (each operation rounded), doubles otherwise.
  const r = dtype === 'float64' || !isFloatingPoint(dtype) ? (v: number) => v : Math.fround;
  const [a, b] = [r(start), r(end)];
  const step = r(r(b - a) / (steps - 1));
  // Both halves are computed from their own end, as torch does, so the last value is exactly `end`.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) host[i] = i < half ? r(a + r(step * i)) : r(b - r(step * (steps - 1 - i)));
  if (steps === 1) host[0] = a;
  return adoptHost(host, [steps], { ...options, dtype });
}

export function eye(n: number, m?: number | (TensorOptions & { m?: number }), options?: TensorOptions): Tensor {
  const o = namedArgs<TensorOptions & { m: number }>('torch.eye', ['m'], [m, options], [...TENSOR_KEYS, 'm']);
  checkOptions('eye', o, [...TENSOR_KEYS, 'm']);
  m = o.m ?? n;
  const dtype = o.dtype ?? getDefaultDtype();
  const host = hostArray(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) host[i * m + i] = 1;
  return adoptHost(host, [n, m], { ...o, dtype });
}

/**
 * x.newZeros(2, 3), x.newFull([2, 3], v, { dtype }), …: a new tensor with x's dtype and device
 * unless the options name others (PyTorch's Tensor.new_*); no history, no gradient unless asked.
 */
export function newFull(
  x: Tensor,
  call: string,
  args: ShapeAndOptions<TensorOptions>,
  value: number | boolean,
): Tensor {
  const [shape, options] = splitArgs(call, args);
  return full(shape, value, { dtype: x.dtype, device: x.device, ...options });
}

function like(
  x: Tensor,
  options: TensorOptions,
  call: string,
  allowed: readonly string[] = TENSOR_KEYS,
): TensorOptions {
  checkOptions(call, options, allowed);
  return { dtype: x.dtype, device: x.device, ...options };
}

/** The shape of a *Like call's tensor, checked first: `zerosLike(undefined)` names the call. */
function shapeOf(x: Tensor, call: string): readonly number[] {
  return tensorArg(`torch.${call}`, 'input', 1, x).shape;
}

export function zerosLike(x: Tensor, options: TensorOptions = {}): Tensor {
  return full(shapeOf(x, 'zerosLike'), 0, like(x, options, 'zerosLike'));
}
/** Zero-filled, where PyTorch leaves the memory uninitialized (as torch.empty here). */
export function emptyLike(x: Tensor, options: TensorOptions = {}): Tensor {
  return full(shapeOf(x, 'emptyLike'), 0, like(x, options, 'emptyLike'));
}
export function onesLike(x: Tensor, options: TensorOptions = {}): Tensor {
  return full(shapeOf(x, 'onesLike'), 1, like(x, options, 'onesLike'));
}
export function fullLike(x: Tensor, value: number, options: TensorOptions = {}): Tensor {
  return full(shapeOf(x, 'fullLike'), value, like(x, options, 'fullLike'));
}
export function randLike(x: Tensor, options: RandomOptions = {}): Tensor {
  return rand(shapeOf(x, 'randLike'), like(x, options, 'randLike', RANDOM_KEYS));
}
export function randnLike(x: Tensor, options: RandomOptions = {}): Tensor {
  return randn(shapeOf(x, 'randnLike'), like(x, options, 'randnLike', RANDOM_KEYS));
}
