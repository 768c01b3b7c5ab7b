/**
 * The kernel layer: the small set of primitives every backend implements. Everything else in the
 * engine (autograd, nn, optim) is composed from these, so a new backend (WebGPU today, WebAssembly
 * SIMD later) costs a handful of kernels rather than hundreds.
 *
 * Kernels read strided views and write into a strided view: movement ops (view, permute, expand,
 * slice, transpose) never copy, they only change shape/strides/offset, and a broadcast operand is a
 * view with stride 0. The op layer has already checked shapes and promoted dtypes; kernels trust them.
 */
import type { DType, Device, HostArray } from '../dtype.ts';

/** Memory a backend owns. Length is in elements of dtype. */
export interface DeviceBuffer {
  readonly device: Device;
  readonly dtype: DType;
  readonly length: number;
}

/** A strided window onto a buffer: element (i0, i1, …) lives at offset + Σ ik·strides[k]. */
export interface View {
  readonly buffer: DeviceBuffer;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export type UnaryOp =
  | 'identity' // copy, with a cast when in and out dtypes differ
  | 'neg'
  | 'abs'
  | 'sign'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'reciprocal'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'atan'
  | 'sigmoid'
  | 'relu'
  | 'floor'
  | 'ceil'
  | 'round' // half to even, as torch.round
  | 'not' // logical not, out is bool
  | 'isnan'; // out is bool (a NaN test that WGSL's fast-math `x != x` cannot fold away)

export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'eq' // comparisons and logical ops write bool
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'and'
  | 'or';

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min';

/**
 * A chain of elementwise ops run as one kernel (torch.compile's fusion). Values are numbered: the
 * inputs first (0 … inputs − 1), then one per step in order; each step applies a unary op to one
 * earlier value or a binary op to two, and the last step's value is the kernel's output. Every value
 * has the output's dtype and shape (inputs arrive broadcast to it), and is rounded to that dtype
 * after each step, as the unfused ops store it. A `reluBackward` step is Backend.reluBackward's
 * select (args: the gradient, then ReLU's output), for fused backward kernels.
 */
export interface FusedProgram {
  readonly inputs: number;
  readonly steps: readonly FusedStep[];
}
export type FusedStep =
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly args: readonly [number] }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly args: readonly [number, number] }
  | { readonly kind: 'reluBackward'; readonly args: readonly [number, number] };
export type ArgReduceOp = 'argmax' | 'argmin';

/** The hyper-parameters of one fused Adam step (see Backend.adamStep). */
export interface AdamStepParams {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW: p ← p·(1 − lr·weightDecay) instead of adding weightDecay·p to the gradient. */
  readonly decoupledWeightDecay: boolean;
  readonly maximize: boolean;
  /** The step number t, from 1, for the bias corrections 1 − β^t. */
  readonly step: number;
}

/**
 * The windows of a 2-D convolution or pooling over an [N, C, H, W] input (see Backend.im2col):
 * window (y, x) of kernel offset (i, j) reads input row y·stride[0] + i·dilation[0] − padding[0]
 * and column x·stride[1] + j·dilation[1] − padding[1], for y < out[0] and x < out[1]. A position
 * outside the input (the padding, above or below, left or right) reads the pad value instead.
 */
export interface WindowGeometry {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Rows above and columns left of the input that windows start in; any size below or right. */
  readonly padding: readonly [number, number];
  readonly out: readonly [number, number];
}

export interface MemoryStats {
  /** Bytes held by live tensors' storage on this device. */
  readonly allocated: number;
  /** The most `allocated` has been since the last resetPeak(). */
  readonly maxAllocated: number;
  /** Bytes the backend holds from the system (allocated plus its cache/pool). */
  readonly reserved: number;
  /** Buffers made new since the start because its pool had none to reuse (where it counts them). */
  readonly freshAllocations?: number;
}

export interface Backend {
  readonly device: Device;

  /** A new zero-filled buffer. */
  alloc(dtype: DType, length: number): DeviceBuffer;
  /** A new buffer holding `data` converted to dtype (any host array; float16 values arrive as float32). */
  upload(data: HostArray, dtype: DType): DeviceBuffer;
  /**
   * upload() of an array the engine just made and holds nowhere else, which the backend may keep
   * as the buffer itself instead of copying (the CPU does, where it is already the dtype's array).
   */
  adopt?(data: HostArray, dtype: DType): DeviceBuffer;
  /** The view's elements in row-major order, as a fresh host array (float16 → Float32Array). */
  read(view: View): Promise<HostArray>;
  /** The same, at once, where the device can answer synchronously (the CPU can; a GPU may not). */
  readSync?(view: View): HostArray;
  /** Gives the buffer's memory back (to a pool or the system). The buffer must not be used again. */
  release(buffer: DeviceBuffer): void;

  /** out[i] = op(x[i]); x and out have the same shape. */
  unary(op: UnaryOp, x: View, out: View): void;
  /** out[i] = op(a[i], b[i]); a, b, out have the same shape (broadcast operands have stride 0). */
  binary(op: BinaryOp, a: View, b: View, out: View): void;
  /** out[i] = cond[i] ? a[i] : b[i]; cond is bool. */
  where(cond: View, a: View, b: View, out: View): void;
  /** Reduces `axes` of x (sorted, unique, non-empty); out has x's shape without those axes. */
  reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void;
  /** Index (int32) of the first max/min along `axis`; out has x's shape without that axis. */
  argReduce(op: ArgReduceOp, x: View, axis: number, out: View): void;
  /**
   * The indices (int32, x's shape) that sort x along `axis`, ascending or descending: stable (equal
   * values keep their index order) with NaN above every number, as torch.sort(stable=True).
   */
  argsort(x: View, axis: number, descending: boolean, out: View): void;
  /** out[..., m, n] = Σk a[..., m, k]·b[..., k, n]; batch dims already broadcast to out's. */
  matmul(a: View, b: View, out: View): void;
  /** torch.gather: out[i][j][k] = x[i][index[i][j][k]][k] (for dim = 1); index is int32. */
  gather(x: View, dim: number, index: View, out: View): void;
  /** out[i][index[i][j][k]][k] += src[i][j][k] (for dim = 1), duplicates summed. */
  scatterAdd(dim: number, index: View, src: View, out: View): void;
  /** Numerically stable softmax (or log-softmax) along `axis`. */
  softmax(x: View, axis: number, log: boolean, out: View): void;

  /**
   * Optional: im2col, the windows of x [N, C, H, W] as the columns of out [N, C, kh, kw, Ho, Wo]
   * (torch.nn.functional.unfold's layout): out[n][c][i][j][y][x] = x[n][c][row][col] at the
   * position `windows` gives, or padValue outside x. Without it the op layer gathers through an
   * index tensor (slower, same values).
   */
  im2col?(x: View, windows: WindowGeometry, padValue: number, out: View): void;
  /**
   * Optional: col2im, im2col's adjoint: out [N, C, H, W] = the sum of every element of cols
   * [N, C, kh, kw, Ho, Wo] whose window position is that element (0 where none is), added in
   * kernel-offset order (i, j). Without it the op layer scatter-adds.
   */
  col2im?(cols: View, windows: WindowGeometry, out: View): void;

  /**
   * Optional: ReLU's backward, out[i] = y[i] > 0 ? grad[i] : 0 (PyTorch's threshold_backward at 0),
   * in one pass; same shape and dtype. Without it the op layer selects through a boolean mask.
   */
  reluBackward?(grad: View, y: View, out: View): void;

  /**
   * Optional: log-softmax's backward along `axis` in one pass, out = grad − exp(y)·Σ_axis grad (y the
   * log-softmax's output; all one shape and dtype). Without it the op layer composes exp, sum, mul
   * and sub (the same values).
   */
  logSoftmaxBackward?(grad: View, y: View, axis: number, out: View): void;

  /**
   * Optional: nll_loss of class targets without class weights in one pass: out (0-d) = Σᵢ −x[i, tᵢ]
   * over the rows whose label tᵢ (int32, labels [N]) is not ignoreIndex, divided by their count when
   * `mean`; x is [N, C]. A label outside [−C, C) is gather's out-of-bounds error. Without it the op
   * layer composes gather, mul, neg, sum and div (the same values).
   */
  nllLoss?(x: View, labels: View, ignoreIndex: number, mean: boolean, out: View): void;

  /** Optional, with nllLoss: its gradient for x, out [N, C], from the output's gradient `grad` (0-d). */
  nllLossBackward?(grad: View, labels: View, ignoreIndex: number, mean: boolean, out: View): void;

  /**
   * Optional: one Adam/AdamW update of a parameter in a single pass (PyTorch's fused=True), all
   * views contiguous with one dtype. Without it the optimizer composes the same update from
   * in-place ops, a pass and a temporary per op.
   */
  adamStep?(
    param: View,
    grad: View,
    expAvg: View,
    expAvgSq: View,
    maxExpAvgSq: View | null,
    params: AdamStepParams,
  ): void;

  /**
   * Optional: a FusedProgram over float32 (or, where the device has it, float64) views in one pass,
   * out = the last step's value. Without it torch.compile runs the chain op by op.
   */
  fused?(program: FusedProgram, inputs: readonly View[], out: View): void;

  readonly memory: MemoryStats;
  resetPeakStats(): void;
}
