/** Creating tensors: torch.tensor, zeros/ones/full/empty, random ones, ranges and eye. */
import { backendFor } from '../backend/registry.ts';
import { hostArray, isDType, isDevice, type DType, type Device, type HostArray } from '../dtype.ts';
import { flatten } from './nested.ts';
import { defaultGenerator, type Generator } from './random.ts';
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

function checkOptions(options: TensorOptions): void {
  if (options.dtype !== undefined && !isDType(options.dtype)) {
    throw new TypeError(
      `unknown dtype '${String(options.dtype)}': expected one of float32, float64, float16, int32, bool`,
    );
  }
  if (options.device !== undefined && !isDevice(options.device)) {
    throw new TypeError(`Expected one of cpu, webgpu device type at start of device string: ${String(options.device)}`);
  }
}

/** Wraps host values as a tensor of `shape` on the options' device. */
export function fromHost(values: HostArray, shape: readonly number[], options: TensorOptions = {}): Tensor {
  checkOptions(options);
  const dtype = options.dtype ?? 'float32';
  const backend = backendFor(options.device ?? 'cpu');
  const t = new Tensor(new Storage(backend, backend.upload(values, dtype)), shape);
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

function inferDtype(data: unknown, values: number[]): DType {
  const first = (function firstLeaf(d: unknown): unknown {
    return Array.isArray(d) ? firstLeaf(d[0]) : d;
  })(data);
  if (typeof first === 'boolean') return 'bool';
  // torch.tensor([]) is float32: with no values there is nothing to make it an integer tensor.
  if (values.length === 0) return 'float32';
  return values.every(Number.isInteger) ? 'int32' : 'float32';
}

/**
 * torch.tensor(data): nested arrays or a number (dtype inferred as PyTorch does: bools → bool,
 * integers → int32, otherwise float32), or a typed array with an explicit `{ shape }`.
 */
export function tensor(data: unknown, options: TensorOptions & { shape?: readonly number[] } = {}): Tensor {
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
  checkOptions(options);
  const { values, shape } = flatten(data);
  const dtype = options.dtype ?? inferDtype(data, values);
  const host = hostArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) host[i] = values[i]!;
  const target = options.shape ? shapeArgs([options.shape]) : shape;
  if (numel(target) !== values.length) {
    throw new RangeError(
      `tensor(): shape ${formatShape(target)} holds ${numel(target)} elements but the data has ${values.length}`,
    );
  }
  return fromHost(host, target, { ...options, dtype });
}

type ShapeAndOptions<O> = [...(number | readonly number[])[], O] | (number | readonly number[])[];

/** Splits zeros(2, 3, { dtype }) / zeros([2, 3], { dtype }) into a shape and options. */
function splitArgs<O extends object>(args: ShapeAndOptions<O>): [number[], O] {
  const last = args[args.length - 1];
  const hasOptions = typeof last === 'object' && last !== null && !Array.isArray(last);
  const dims = (hasOptions ? args.slice(0, -1) : args) as unknown[];
  return [shapeArgs(dims), (hasOptions ? last : {}) as O];
}

export function full(shape: number | readonly number[], value: number | boolean, options: TensorOptions = {}): Tensor {
  checkOptions(options);
  const dims = shapeArgs([typeof shape === 'number' ? [shape] : shape]);
  const dtype = options.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  const host = hostArray(dtype, numel(dims));
  host.fill(Number(value));
  return fromHost(host, dims, { ...options, dtype });
}

export function zeros(...args: ShapeAndOptions<TensorOptions>): Tensor {
  const [shape, options] = splitArgs(args);
  return full(shape, 0, options);
}

export function ones(...args: ShapeAndOptions<TensorOptions>): Tensor {
  const [shape, options] = splitArgs(args);
  return full(shape, 1, options);
}

/** Uninitialised in PyTorch; zero here, so that results never depend on leftover memory. */
export function empty(...args: ShapeAndOptions<TensorOptions>): Tensor {
  return zeros(...args);
}

function randomTensor(args: ShapeAndOptions<RandomOptions>, draw: (g: Generator, dtype: DType) => number): Tensor {
  const [shape, options] = splitArgs(args);
  checkOptions(options);
  const dtype = options.dtype ?? 'float32';
  const g = options.generator ?? defaultGenerator;
  const host = hostArray(dtype, numel(shape));
  for (let i = 0; i < host.length; i++) host[i] = draw(g, dtype);
  return fromHost(host, shape, { ...options, dtype });
}

/** Uniform on [0, 1). */
export function rand(...args: ShapeAndOptions<RandomOptions>): Tensor {
  return randomTensor(args, (g, dtype) => (dtype === 'float64' ? g.uniform53() : g.uniform24()));
}

/** Standard normal. */
export function randn(...args: ShapeAndOptions<RandomOptions>): Tensor {
  return randomTensor(args, (g) => g.normal());
}

/** Integers uniform on [low, high), int32 by default. */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  return randomTensor([shape, { dtype: 'int32', ...options }], (g) => g.integer(low, high));
}

export function randperm(n: number, options: RandomOptions = {}): Tensor {
  const perm = (options.generator ?? defaultGenerator).permutation(n);
  return fromHost(perm, [n], { dtype: 'int32', ...options });
}

/** torch.arange(end), arange(start, end), arange(start, end, step). */
export function arange(
  start: number,
  end?: number | TensorOptions,
  step: number | TensorOptions = 1,
  options: TensorOptions = {},
): Tensor {
  if (typeof end === 'object') [end, step, options] = [undefined, 1, end]; // arange(5, { dtype })
  if (typeof step === 'object') [step, options] = [1, step];
  if (end === undefined) [start, end] = [0, start];
  checkOptions(options);
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  if ((end - start) / step < 0) {
    throw new RangeError(
      `arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`,
    );
  }
  const n = Math.ceil((end - start) / step);
  const allInts = [start, end, step].every(Number.isInteger);
  const dtype = options.dtype ?? (allInts ? 'int32' : 'float32');
  const host = hostArray(dtype, n);
  for (let i = 0; i < n; i++) host[i] = start + i * step;
  return fromHost(host, [n], { ...options, dtype });
}

export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  checkOptions(options);
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`linspace: number of steps must be non-negative, got ${steps}`);
  const dtype = options.dtype ?? 'float32';
  const host = hostArray(dtype, steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Both halves are computed from their own end, as torch does, so the last value is exactly `end`.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) host[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  return fromHost(host, [steps], { ...options, dtype });
}

export function eye(n: number, m: number | TensorOptions = n, options: TensorOptions = {}): Tensor {
  if (typeof m === 'object') [m, options] = [n, m];
  checkOptions(options);
  const dtype = options.dtype ?? 'float32';
  const host = hostArray(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) host[i * m + i] = 1;
  return fromHost(host, [n, m], { ...options, dtype });
}

function like(x: Tensor, options: TensorOptions): TensorOptions {
  return { dtype: x.dtype, device: x.device, ...options };
}

export function zerosLike(x: Tensor, options: TensorOptions = {}): Tensor {
  return full(x.shape, 0, like(x, options));
}
export function onesLike(x: Tensor, options: TensorOptions = {}): Tensor {
  return full(x.shape, 1, like(x, options));
}
export function fullLike(x: Tensor, value: number, options: TensorOptions = {}): Tensor {
  return full(x.shape, value, like(x, options));
}
export function randLike(x: Tensor, options: RandomOptions = {}): Tensor {
  return rand(x.shape, like(x, options));
}
export function randnLike(x: Tensor, options: RandomOptions = {}): Tensor {
  return randn(x.shape, like(x, options));
}
