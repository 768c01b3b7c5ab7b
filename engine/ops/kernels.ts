/**
 * Launching kernels on tensors, without autograd: checks devices, broadcasts operands as stride-0
 * views, allocates the output and calls the tensor's backend. Differentiable ops are built on these.
 */
import type { ArgReduceOp, Backend, BinaryOp, ReduceOp, UnaryOp } from '../backend/types.ts';
import { backendFor } from '../backend/registry.ts';
import { hostArray, type DType, type Device } from '../dtype.ts';
import { broadcastShapes, expandStrides, formatShape } from '../tensor/shape.ts';
import { Storage } from '../tensor/storage.ts';
import { Tensor } from '../tensor/tensor.ts';
import { tracer, withTracer } from '../compile/hooks.ts';

export function emptyTensor(shape: readonly number[], dtype: DType, device: Device): Tensor {
  const backend = backendFor(device);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(new Storage(backend, backend.alloc(dtype, n)), shape);
}

/** The one device all operands live on, or PyTorch's error naming two of them. */
export function commonDevice(tensors: readonly Tensor[]): Device {
  const device = tensors[0]!.device;
  for (const t of tensors) {
    if (t.device !== device) {
      throw new Error(
        `Expected all tensors to be on the same device, but found at least two devices, ${device} and ${t.device}!`,
      );
    }
  }
  return device;
}

function backendOf(tensors: readonly Tensor[]): Backend {
  return backendFor(commonDevice(tensors));
}

/**
 * A launcher that torch.compile's tracer records as an op of its own when called outside every op
 * (a comparison, argmax in max pooling: kernels with no gradient), so such code stays in the graph;
 * replayed, it launches again without autograd, as here. A write into an existing tensor (`out` at
 * argument `outAt`) is an in-place op and is not recorded (the trace breaks on it).
 */
function traced<A extends unknown[]>(name: string, launch: (...args: A) => Tensor, outAt = -1) {
  return (...args: A): Tensor => {
    const t = tracer();
    if (t === null || (outAt >= 0 && args[outAt] !== undefined)) return launch(...args);
    const out = withTracer(null, () => launch(...args));
    t.op({ name, forward: (_ctx, ...a) => launch(...(a as A)), backward: () => [], args, out, raw: true });
    return out;
  };
}

/** A view of t broadcast to shape (stride 0 along expanded dims). */
export function broadcastView(t: Tensor, shape: readonly number[]) {
  return { ...t.strided, shape, strides: expandStrides(t.shape, t.strides, shape) };
}

/** op(x); with `out`, written into out's memory (x's shape; out may be x itself). */
function launchUnaryNow(op: UnaryOp, x: Tensor, dtype: DType = x.dtype, out?: Tensor): Tensor {
  const target = out ?? emptyTensor(x.shape, dtype, x.device);
  backendOf(out ? [x, out] : [x]).unary(op, x.strided, target.strided);
  return target;
}

/** a op b; with `out`, written into out's memory (which must have the broadcast shape). */
function launchBinaryNow(op: BinaryOp, a: Tensor, b: Tensor, dtype: DType, out?: Tensor): Tensor {
  const backend = backendOf(out ? [a, b, out] : [a, b]);
  const shape = broadcastShapes(a.shape, b.shape);
  const target = out ?? emptyTensor(shape, dtype, a.device);
  if (target.ndim !== shape.length || shape.some((d, i) => d !== target.shape[i])) {
    throw new RangeError(
      `output with shape ${formatShape(target.shape)} doesn't match the broadcast shape ${formatShape(shape)}`,
    );
  }
  backend.binary(op, broadcastView(a, shape), broadcastView(b, shape), target.strided);
  return target;
}

function launchWhereNow(cond: Tensor, a: Tensor, b: Tensor, dtype: DType): Tensor {
  const backend = backendOf([cond, a, b]);
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape);
  const out = emptyTensor(shape, dtype, a.device);
  backend.where(broadcastView(cond, shape), broadcastView(a, shape), broadcastView(b, shape), out.strided);
  return out;
}

/** ReLU's backward in one pass where the backend has it (same values as where(y > 0, g, 0)); else null. */
export function launchReluBackward(g: Tensor, y: Tensor): Tensor | null {
  const backend = backendOf([g, y]);
  if (!backend.reluBackward || g.dtype !== y.dtype || g.shape.some((d, i) => d !== y.shape[i])) return null;
  const out = emptyTensor(y.shape, y.dtype, y.device);
  backend.reluBackward(g.strided, y.strided, out.strided);
  return out;
}

/** Log-softmax's backward along axis in one pass where the backend has it (y: its output); else null. */
export function launchLogSoftmaxBackward(g: Tensor, y: Tensor, axis: number): Tensor | null {
  const backend = backendOf([g, y]);
  if (!backend.logSoftmaxBackward || g.dtype !== y.dtype || g.shape.some((d, i) => d !== y.shape[i])) return null;
  const out = emptyTensor(y.shape, y.dtype, y.device);
  backend.logSoftmaxBackward(g.strided, y.strided, axis, out.strided);
  return out;
}

/** Whether nllLoss below runs on x's backend. */
export function hasNllLoss(x: Tensor): boolean {
  return x.storage.backend.nllLoss !== undefined && x.storage.backend.nllLossBackward !== undefined;
}

/** The mean (or sum) nll_loss of x [N, C] at int32 labels [N], 0-d (see Backend.nllLoss). */
export function launchNllLoss(x: Tensor, labels: Tensor, ignoreIndex: number, mean: boolean): Tensor {
  const out = emptyTensor([], x.dtype, x.device);
  backendOf([x, labels]).nllLoss!(x.strided, labels.strided, ignoreIndex, mean, out.strided);
  return out;
}

/** launchNllLoss's gradient for x, from the gradient g (0-d) of its output. */
export function launchNllLossBackward(
  g: Tensor,
  labels: Tensor,
  shape: readonly number[],
  ignoreIndex: number,
  mean: boolean,
): Tensor {
  const out = emptyTensor(shape, g.dtype, g.device);
  backendOf([g, labels]).nllLossBackward!(g.strided, labels.strided, ignoreIndex, mean, out.strided);
  return out;
}

/** Reduces `axes` away (the result has x's shape without them). */
function launchReduceNow(op: ReduceOp, x: Tensor, axes: readonly number[], dtype: DType = x.dtype): Tensor {
  const shape = x.shape.filter((_, i) => !axes.includes(i));
  const out = emptyTensor(shape, dtype, x.device);
  if (axes.length === 0) backendOf([x]).unary('identity', x.strided, out.strided);
  else backendOf([x]).reduce(op, x.strided, axes, out.strided);
  return out;
}

function launchArgReduceNow(op: ArgReduceOp, x: Tensor, axis: number): Tensor {
  const out = emptyTensor(
    x.shape.filter((_, i) => i !== axis),
    'int32',
    x.device,
  );
  backendOf([x]).argReduce(op, x.strided, axis, out.strided);
  return out;
}

/** The int32 indices that sort x along axis (stable, NaN largest); x's shape. */
function launchArgsortNow(x: Tensor, axis: number, descending: boolean): Tensor {
  const out = emptyTensor(x.shape, 'int32', x.device);
  backendOf([x]).argsort(x.strided, axis, descending, out.strided);
  return out;
}

function launchMatmulNow(a: Tensor, b: Tensor, outShape: readonly number[], dtype: DType): Tensor {
  const backend = backendOf([a, b]);
  const out = emptyTensor(outShape, dtype, a.device);
  const batch = outShape.slice(0, -2);
  const aView = broadcastView(a, [...batch, ...a.shape.slice(-2)]);
  const bView = broadcastView(b, [...batch, ...b.shape.slice(-2)]);
  backend.matmul(aView, bView, out.strided);
  return out;
}

function launchGatherNow(x: Tensor, dim: number, index: Tensor): Tensor {
  const out = emptyTensor(index.shape, x.dtype, x.device);
  backendOf([x, index]).gather(x.strided, dim, index.strided, out.strided);
  return out;
}

/** A zero tensor of `shape` with src scattered into it along dim (duplicates summed). */
function launchScatterAddNow(shape: readonly number[], dim: number, index: Tensor, src: Tensor): Tensor {
  const out = emptyTensor(shape, src.dtype, src.device);
  backendOf([index, src]).scatterAdd(dim, index.strided, src.strided, out.strided);
  return out;
}

function launchSoftmaxNow(x: Tensor, axis: number, log: boolean): Tensor {
  const out = emptyTensor(x.shape, x.dtype, x.device);
  backendOf([x]).softmax(x.strided, axis, log, out.strided);
  return out;
}

export const launchUnary = traced('launchUnary', launchUnaryNow, 3);
export const launchBinary = traced('launchBinary', launchBinaryNow, 4);
export const launchWhere = traced('launchWhere', launchWhereNow);
export const launchReduce = traced('launchReduce', launchReduceNow);
export const launchArgReduce = traced('launchArgReduce', launchArgReduceNow);
export const launchArgsort = traced('launchArgsort', launchArgsortNow);
export const launchMatmul = traced('launchMatmul', launchMatmulNow);
export const launchGather = traced('launchGather', launchGatherNow);
export const launchScatterAdd = traced('launchScatterAdd', launchScatterAddNow);
export const launchSoftmax = traced('launchSoftmax', launchSoftmaxNow);

/** Writes src (broadcast to dst's shape, cast to dst's dtype) into dst's memory. */
export function launchAssign(dst: Tensor, src: Tensor): void {
  const backend = backendOf([dst, src]);
  backend.unary('identity', broadcastView(src, dst.shape), dst.strided);
}

/** A 0-d tensor holding a scalar, on `device`. */
export function scalarTensor(value: number | boolean, dtype: DType, device: Device): Tensor {
  const backend = backendFor(device);
  const data = hostArray(dtype, 1);
  data[0] = Number(value);
  const t = new Tensor(new Storage(backend, backend.upload(data, dtype)), []);
  tracer()?.scalar(t, value);
  return t;
}
