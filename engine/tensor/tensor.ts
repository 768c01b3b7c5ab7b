/**
 * torch.Tensor: a strided view onto a Storage, plus its place in the autograd graph. The methods
 * are thin: each forwards to the op of the same name in engine/ops, where forward and backward
 * live side by side.
 */
import type { MinMax, ValuesIndices } from './values-indices.ts';
import type { View } from '../backend/types.ts';
import type { Node } from '../autograd/node.ts';
import { isFloatingPoint, itemSize, type DType, type Device, type HostArray } from '../dtype.ts';
import * as el from '../ops/elementwise.ts';
import * as idx from '../ops/indexing.ts';
import * as inplace from '../ops/inplace.ts';
import * as mm from '../ops/matmul.ts';
import * as mv from '../ops/movement.ts';
import * as red from '../ops/reduce.ts';
import * as srt from '../ops/sort.ts';
import * as cnt from '../ops/counting.ts';
import * as mth from '../ops/math.ts';
import { nonzero, type NonzeroOptions } from '../ops/nonzero.ts';
import * as uq from '../ops/unique.ts';
import * as rnd from '../ops/random.ts';
import * as mx from '../ops/math-extra.ts';
import * as arr from '../ops/arrange.ts';
import * as ord from '../ops/order.ts';
import * as ixo from '../ops/index-ops.ts';
import * as cr from './create.ts';
import * as grad from '../autograd/api.ts';
import { isGradEnabled } from '../autograd/grad-mode.ts';
import { formatTensor, inspectCustom } from './format.ts';
import { installIntegerIndexing } from './integer-index.ts';
import { namedArgs, optionsOf, tensorArg } from '../args.ts';
import { nest } from './nested.ts';
import { contiguousStrides, numel } from './shape.ts';
import { close } from './ledger.ts';
import type { Storage } from './storage.ts';

export type Scalar = number | boolean;
export type TensorLike = Tensor | Scalar;
export type DimArgs = number[] | [readonly number[]];
export interface DimOptions {
  dim?: number | readonly number[];
  keepdim?: boolean;
}
export interface SliceOptions {
  dim?: number;
  start?: number | null;
  end?: number | null;
  step?: number;
}
export interface VarOptions extends DimOptions {
  unbiased?: boolean;
  /** torch's correction: 1 is Bessel's (unbiased), 0 the population variance. */
  correction?: number;
}

export interface ClampOptions {
  min?: number | Tensor | null;
  max?: number | Tensor | null;
}

/** clamp(min, max), clamp({ min }), clamp(min, { max }): the bounds, however given. */
function bounds(
  call: string,
  min: number | Tensor | null | ClampOptions | undefined,
  max: number | Tensor | null | ClampOptions | undefined,
) {
  return namedArgs<ClampOptions>(call, ['min', 'max'], [min, max]);
}

/** A trailing optional dim given as a number or as { dim }, as in x.squeeze({ dim: 1 }). */
function optionalDim(call: string, dim: number | { dim?: number } | undefined): number | undefined {
  return namedArgs<{ dim: number }>(call, ['dim'], [dim]).dim;
}

export interface BackwardOptions {
  gradient?: Tensor | null;
  retainGraph?: boolean;
  createGraph?: boolean;
}

export class Tensor {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  /** Whether autograd records operations on this tensor. */
  private requires = false;
  private node: Node | null = null;
  private keepsGrad = false;
  /** x[i]: x.index(i), and x[i] = v writes row i in place (integer-index.ts). */
  [index: number]: Tensor;
  private gradient: Tensor | null = null;
  /** Whether `gradient` is a tensor backward() made, which nothing else holds (see grad's setter). */
  private gradIsOwn = false;
  /** Whether the program may hold `gradient`: it read `.grad`, or backward's custom code saw it. */
  private gradSeen = false;

  /** Internal: tensors are made by torch.tensor, zeros, ops… not by `new`. */
  constructor(
    readonly storage: Storage,
    shape: readonly number[],
    strides?: readonly number[],
    readonly offset = 0,
  ) {
    // Only the engine builds tensors this way; a learner writing PyTorch's torch.Tensor(data) is told the way here.
    if (!Array.isArray(shape) || typeof storage?.buffer !== 'object')
      throw new TypeError(
        "new torch.Tensor(…) is the engine's internal constructor: make a tensor with torch.tensor(data), torch.zeros(shape) or torch.empty(shape)",
      );
    // A frozen array (another tensor's shape) is shared as it is: nobody can change it.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.strides =
      strides === undefined
        ? Object.freeze(contiguousStrides(shape))
        : Object.isFrozen(strides)
          ? strides
          : Object.freeze([...strides]);
  }

  get dtype(): DType {
    return this.storage.buffer.dtype;
  }
  get device(): Device {
    return this.storage.buffer.device;
  }
  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  numel(): number {
    return numel(this.shape);
  }
  // Overloads, so that the guide's `x.view(x.size(0), -1)` type-checks: size(dim) is a number.
  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): number | readonly number[] {
    return dim === undefined ? this.shape : this.shape[mv.dimIndex(this, dim)]!;
  }
  elementSize(): number {
    return this.storage.buffer.length === 0 ? 0 : itemBytes(this);
  }
  /** x.stride(): the step in elements along each dim (x.strides); x.stride(dim) one of them. */
  stride(): readonly number[];
  stride(dim: number): number;
  stride(dim?: number): number | readonly number[] {
    return dim === undefined ? this.strides : this.strides[mv.dimIndex(this, dim)]!;
  }
  /** Where this view starts in its storage, in elements. */
  storageOffset(): number {
    return this.offset;
  }
  /** numel()'s older name. */
  nelement(): number {
    return numel(this.shape);
  }
  /** dim()'s older name. */
  ndimension(): number {
    return this.shape.length;
  }
  /** PyTorch's device index: −1 on the CPU, 0 on the (one) WebGPU device, as on the first CUDA device. */
  getDevice(): number {
    return this.device === 'cpu' ? -1 : 0;
  }
  isFloatingPoint(): boolean {
    return isFloatingPoint(this.dtype);
  }

  /** The kernel layer's view of this tensor. */
  get strided(): View {
    // Loud, never silent: a buffer the engine freed may already hold another tensor's values.
    if (this.storage.released) {
      throw new Error(
        `internal error: the storage of a ${this.dtype} tensor of shape [${this.shape.join(', ')}] was freed while in use`,
      );
    }
    return { buffer: this.storage.buffer, shape: this.shape, strides: this.strides, offset: this.offset };
  }

  // ---- autograd state -------------------------------------------------------------------------
  get requiresGrad(): boolean {
    return this.requires;
  }
  set requiresGrad(value: boolean) {
    this.requiresGrad_(value);
  }
  get gradFn(): Node | null {
    return this.node;
  }
  get isLeaf(): boolean {
    return this.node === null;
  }
  get retainsGrad(): boolean {
    return this.keepsGrad;
  }
  get _version(): number {
    return this.storage.version;
  }

  requiresGrad_(requiresGrad: boolean | { requiresGrad?: boolean } = true): this {
    const { requiresGrad: value = true } = namedArgs<{ requiresGrad: boolean }>(
      'Tensor.requiresGrad_',
      ['requiresGrad'],
      [requiresGrad],
    );
    if (!this.isLeaf) {
      if (value) return this;
      throw new Error(
        "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use y = x.detach().",
      );
    }
    if (value && !isFloatingPoint(this.dtype)) {
      throw new TypeError(
        `Only Tensors of floating point dtype can require gradients (got ${this.dtype}). ` +
          "torch.tensor infers int32 from whole numbers (JavaScript writes 1.0 as 1): pass { dtype: 'float32' } or call x.float().",
      );
    }
    this.requires = value;
    return this;
  }

  retainGrad(): void {
    if (!this.requires) throw new Error("can't retain_grad on Tensor that has requires_grad=False");
    if (this.node) {
      this.keepsGrad = true;
      this.node.retained = new WeakRef(this);
    }
  }

  /** Internal: hangs this tensor on the graph as the output of `node`. */
  _setGradFn(node: Node): void {
    this.node = node;
    this.requires = true;
  }

  /** Internal: the same data under a new tensor object, with no history. */
  _alias(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset);
  }

  /** The gradient accumulated by backward(); may be assigned or set to null, as in PyTorch. */
  get grad(): Tensor | null {
    this.gradSeen = true;
    return this.gradient;
  }
  set grad(value: Tensor | null) {
    // A gradient backward() made is dropped here (zeroGrad, or a new sum replacing it), as PyTorch
    // frees it: it stops counting in torch.memory now, not whenever the collector notices; and
    // where the program never had it (nobody read .grad) its buffer goes back for the next one.
    const old = this.gradient;
    if (this.gradIsOwn && old && value !== old) {
      if (this.gradSeen || old.requiresGrad) close(old.storage.entry);
      else old.storage.release();
    }
    this.gradient = value;
    this.gradIsOwn = false;
    this.gradSeen = false;
  }

  /** Internal: `.grad` for engine code that hands it to nobody (the program reads `.grad` itself). */
  _grad(): Tensor | null {
    return this.gradient;
  }

  /** Internal: code other than the engine's (a custom Function, a hook) may hold this tensor's gradient. */
  _gradReachable(): void {
    this.gradSeen = true;
  }

  /**
   * Internal: grad += g for leaves and retained non-leaves. `owned` says nothing else can reach g's storage (backward made it for this
   * leaf alone); then a first gradient that fills its storage contiguously becomes `.grad` as it is,
   * as PyTorch's AccumulateGrad steals it, instead of being copied.
   */
  _accumulateGrad(g: Tensor, owned = false): void {
    if (!this.gradient && owned && !isGradEnabled() && fillsStorage(g)) {
      this.grad = g.detach();
      this.gradIsOwn = true;
      return;
    }
    // Otherwise a copy, never an alias: one gradient tensor can reach several leaves (AddBackward
    // passes g to both inputs), and an in-place update of one .grad (clipGradNorm_) must not change
    // another's. Under createGraph the copy keeps its history, so the gradient can be differentiated again.
    this.grad = this.gradient ? this.gradient.add(g) : isGradEnabled() ? g.clone() : g.detach().clone();
    this.gradIsOwn = true;
  }

  backward(gradient?: Tensor | null | BackwardOptions, options: BackwardOptions = {}): void {
    // Keyword arguments come as a last options object, which may stand alone: backward({ retainGraph: true }).
    if (gradient && !(gradient instanceof Tensor)) [gradient, options] = [gradient.gradient, gradient];
    optionsOf('Tensor.backward', options, ['gradient', 'retainGraph', 'createGraph']);
    grad.backward(this, gradient ?? undefined, options);
  }

  detach(): Tensor {
    return this._alias();
  }
  detach_(): this {
    this.node = null;
    this.requires = false;
    return this;
  }

  // ---- reading values (async: a GPU answers later) ---------------------------------------------
  async data(): Promise<HostArray> {
    return this.storage.backend.read(this.strided);
  }
  async item(): Promise<number> {
    if (this.numel() !== 1) {
      throw new RangeError(`a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    }
    return (await this.data())[0]!;
  }
  async toArray(): Promise<unknown> {
    const values = Array.from(await this.data(), (v) => (this.dtype === 'bool' ? v !== 0 : v));
    return nest(values, this.shape);
  }
  /** Alias of toArray(), as tensor.tolist(). */
  tolist(): Promise<unknown> {
    return this.toArray();
  }
  toString(): string {
    return formatTensor(this);
  }
  [inspectCustom](): string {
    return this.toString();
  }

  // ---- device and dtype ----------------------------------------------------------------------
  to(target: Device | DType | { device?: Device; dtype?: DType }): Tensor {
    return el.to(this, target);
  }
  /**
   * to() for any source, GPU included: reads the values (asynchronously where the device answers
   * later) and uploads them to the target. From a GPU the copy is not recorded by autograd.
   */
  toAsync(target: Device | DType | { device?: Device; dtype?: DType }): Promise<Tensor> {
    return el.toAsync(this, target);
  }
  cpu(): Tensor {
    return this.to('cpu');
  }
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
  half(): Tensor {
    return this.to('float16');
  }
  bfloat16(): Tensor {
    return this.to('bfloat16');
  }
  int(): Tensor {
    return this.to('int32');
  }
  bool(): Tensor {
    return this.to('bool');
  }
  type(dtype: DType): Tensor {
    return this.to(dtype);
  }
  /** PyTorch's type_as: this tensor in other's dtype (itself when it already has it). */
  typeAs(other: Tensor): Tensor {
    return this.to(tensorArg('Tensor.typeAs', 'other', 1, other).dtype);
  }
  // ---- new tensors with this one's dtype and device (PyTorch's Tensor.new_*) -----------------
  newZeros(...size: cr.ShapeAndOptions<cr.TensorOptions>): Tensor {
    return cr.newFull(this, 'Tensor.newZeros', size, 0);
  }
  newOnes(...size: cr.ShapeAndOptions<cr.TensorOptions>): Tensor {
    return cr.newFull(this, 'Tensor.newOnes', size, 1);
  }
  /** Zero-filled, where PyTorch leaves the memory uninitialized (as torch.empty here). */
  newEmpty(...size: cr.ShapeAndOptions<cr.TensorOptions>): Tensor {
    return cr.newFull(this, 'Tensor.newEmpty', size, 0);
  }
  newFull(size: number | readonly number[], fillValue: number | boolean, options: cr.TensorOptions = {}): Tensor {
    return cr.newFull(this, 'Tensor.newFull', [size, options], fillValue);
  }
  /** torch.tensor(data) with this tensor's dtype and device unless the options say otherwise. */
  newTensor(data: unknown, options: cr.TensorOptions = {}): Tensor {
    if (data instanceof Tensor) data = data.detach();
    return cr.tensor(data, {
      dtype: this.dtype,
      device: this.device,
      ...optionsOf('Tensor.newTensor', options, ['dtype', 'device', 'requiresGrad']),
    });
  }
  clone(): Tensor {
    return el.clone(this);
  }
  contiguous(): Tensor {
    return mv.contiguous(this);
  }
  isContiguous(): boolean {
    return mv.isContiguousTensor(this);
  }

  // ---- elementwise ---------------------------------------------------------------------------
  add(other: TensorLike, options?: { alpha?: number }): Tensor {
    return el.add(this, other, options);
  }
  sub(other: TensorLike, options?: { alpha?: number }): Tensor {
    return el.sub(this, other, options);
  }
  mul(other: TensorLike): Tensor {
    return el.mul(this, other);
  }
  div(other: TensorLike, options?: mx.DivOptions | null): Tensor {
    return options ? mx.divide(this, other, options) : el.div(this, other);
  }
  divide(other: TensorLike, options?: mx.DivOptions | null): Tensor {
    return mx.divide(this, other, options);
  }
  subtract(other: TensorLike, options?: { alpha?: number }): Tensor {
    return el.sub(this, other, options);
  }
  multiply(other: TensorLike): Tensor {
    return el.mul(this, other);
  }
  absolute(): Tensor {
    return el.abs(this);
  }
  negative(): Tensor {
    return el.neg(this);
  }
  pow(exponent: TensorLike): Tensor {
    return el.pow(this, exponent);
  }
  maximum(other: TensorLike): Tensor {
    return el.maximum(this, other);
  }
  minimum(other: TensorLike): Tensor {
    return el.minimum(this, other);
  }
  neg(): Tensor {
    return el.neg(this);
  }
  abs(): Tensor {
    return el.abs(this);
  }
  sign(): Tensor {
    return el.sign(this);
  }
  exp(): Tensor {
    return el.exp(this);
  }
  log(): Tensor {
    return el.log(this);
  }
  sqrt(): Tensor {
    return el.sqrt(this);
  }
  rsqrt(): Tensor {
    return el.rsqrt(this);
  }
  reciprocal(): Tensor {
    return el.reciprocal(this);
  }
  square(): Tensor {
    return el.square(this);
  }
  sin(): Tensor {
    return el.sin(this);
  }
  cos(): Tensor {
    return el.cos(this);
  }
  tanh(): Tensor {
    return el.tanh(this);
  }
  sigmoid(): Tensor {
    return el.sigmoid(this);
  }
  relu(): Tensor {
    return el.relu(this);
  }
  floor(): Tensor {
    return el.floor(this);
  }
  ceil(): Tensor {
    return el.ceil(this);
  }
  round(): Tensor {
    return el.round(this);
  }
  clamp(min?: number | Tensor | null | ClampOptions, max?: number | Tensor | null | ClampOptions): Tensor {
    const o = bounds('Tensor.clamp', min, max);
    return el.clamp(this, o.min, o.max);
  }
  clip(min?: number | Tensor | null | ClampOptions, max?: number | Tensor | null | ClampOptions): Tensor {
    const o = bounds('Tensor.clip', min, max);
    return el.clamp(this, o.min, o.max);
  }
  eq(other: TensorLike): Tensor {
    return el.eq(this, other);
  }
  ne(other: TensorLike): Tensor {
    return el.ne(this, other);
  }
  lt(other: TensorLike): Tensor {
    return el.lt(this, other);
  }
  le(other: TensorLike): Tensor {
    return el.le(this, other);
  }
  gt(other: TensorLike): Tensor {
    return el.gt(this, other);
  }
  ge(other: TensorLike): Tensor {
    return el.ge(this, other);
  }
  logicalNot(): Tensor {
    return el.logicalNot(this);
  }
  logicalAnd(other: TensorLike): Tensor {
    return el.logicalAnd(this, other);
  }
  logicalOr(other: TensorLike): Tensor {
    return el.logicalOr(this, other);
  }
  where(condition: Tensor, other: TensorLike): Tensor {
    return el.where(tensorArg('Tensor.where', 'condition', 1, condition), this, other);
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return el.maskedFill(this, tensorArg('Tensor.maskedFill', 'mask', 1, mask), value);
  }

  // ---- reductions ----------------------------------------------------------------------------
  sum(dim?: number | readonly number[] | DimOptions, keepdim?: boolean): Tensor {
    return red.sum(this, dim, keepdim);
  }
  mean(dim?: number | readonly number[] | DimOptions, keepdim?: boolean): Tensor {
    return red.mean(this, dim, keepdim);
  }
  prod(dim?: number | DimOptions, keepdim?: boolean): Tensor {
    return red.prod(this, dim, keepdim);
  }
  var(dim?: number | readonly number[] | VarOptions, keepdim?: boolean): Tensor {
    return red.variance(this, dim, keepdim);
  }
  std(dim?: number | readonly number[] | VarOptions, keepdim?: boolean): Tensor {
    return red.std(this, dim, keepdim);
  }
  max(): Tensor;
  max(dim: number | DimOptions, keepdim?: boolean): ValuesIndices;
  max(dim?: number | DimOptions, keepdim?: boolean): Tensor | ValuesIndices {
    return dim === undefined ? red.maxAll(this) : red.maxDim(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number | DimOptions, keepdim?: boolean): ValuesIndices;
  min(dim?: number | DimOptions, keepdim?: boolean): Tensor | ValuesIndices {
    return dim === undefined ? red.minAll(this) : red.minDim(this, dim, keepdim);
  }
  argmax(dim?: number | DimOptions, keepdim?: boolean): Tensor {
    return red.argmax(this, dim, keepdim);
  }
  argmin(dim?: number | DimOptions, keepdim?: boolean): Tensor {
    return red.argmin(this, dim, keepdim);
  }
  norm(
    p: number | (DimOptions & { p?: number }) = 2,
    dim?: number | readonly number[] | DimOptions,
    keepdim?: boolean,
  ): Tensor {
    if (typeof p === 'object') {
      const { p: order = 2, ...rest } = namedArgs<DimOptions & { p: number }>(
        'torch.norm',
        [],
        [p],
        ['p', 'dim', 'keepdim'],
      );
      return red.norm(this, order, rest);
    }
    return red.norm(this, p, dim, keepdim);
  }
  logsumexp(dim: number | DimOptions, keepdim?: boolean): Tensor {
    return red.logsumexp(this, dim, keepdim);
  }
  softmax(dim: number | { dim: number }): Tensor {
    return red.softmax(this, dim);
  }
  logSoftmax(dim: number | { dim: number }): Tensor {
    return red.logSoftmax(this, dim);
  }
  /** Sums broadcast dims away so the result has `shape` (torch's sum_to_size). */
  sumToSize(...shape: DimArgs): Tensor {
    return red.sumToSize(this, mv.dimsOf(shape));
  }

  // ---- linear algebra ------------------------------------------------------------------------
  matmul(other: Tensor): Tensor {
    return mm.matmul(this, tensorArg('Tensor.matmul', 'other', 1, other));
  }
  mm(other: Tensor): Tensor {
    return mm.mm(this, tensorArg('Tensor.mm', 'mat2', 1, other));
  }
  bmm(other: Tensor): Tensor {
    return mm.bmm(this, tensorArg('Tensor.bmm', 'mat2', 1, other));
  }
  dot(other: Tensor): Tensor {
    return mm.dot(this, tensorArg('Tensor.dot', 'tensor', 1, other));
  }

  // ---- movement (views share storage) --------------------------------------------------------
  view(...shape: DimArgs): Tensor {
    return mv.view(this, mv.dimsOf(shape));
  }
  reshapeAs(other: Tensor): Tensor {
    return mv.reshape(this, tensorArg('Tensor.reshapeAs', 'other', 1, other).shape);
  }
  viewAs(other: Tensor): Tensor {
    return mv.view(this, tensorArg('Tensor.viewAs', 'other', 1, other).shape);
  }
  reshape(...shape: DimArgs): Tensor {
    return mv.reshape(this, mv.dimsOf(shape));
  }
  permute(...dims: DimArgs): Tensor {
    return mv.permute(this, mv.dimsOf(dims));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return mv.transpose(this, dim0, dim1);
  }
  t(): Tensor {
    return mv.t(this);
  }
  get T(): Tensor {
    return mv.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  }
  expand(...shape: DimArgs): Tensor {
    return mv.expand(this, mv.dimsOf(shape));
  }
  expandAs(other: Tensor): Tensor {
    return mv.expand(this, tensorArg('Tensor.expandAs', 'other', 1, other).shape);
  }
  squeeze(dim?: number | { dim?: number }): Tensor {
    return mv.squeeze(this, optionalDim('Tensor.squeeze', dim));
  }
  unsqueeze(dim: number): Tensor {
    return mv.unsqueeze(this, dim);
  }
  flatten(startDim?: number | { startDim?: number; endDim?: number }, endDim?: number): Tensor {
    const o = namedArgs<{ startDim: number; endDim: number }>(
      'Tensor.flatten',
      ['startDim', 'endDim'],
      [startDim, endDim],
    );
    return mv.flatten(this, o.startDim ?? 0, o.endDim ?? -1);
  }
  unflatten(dim: number, sizes: readonly number[]): Tensor {
    return mv.unflatten(this, dim, sizes);
  }
  slice(dim: number | SliceOptions, start?: number | null | SliceOptions, end?: number | null, step?: number): Tensor {
    const o = namedArgs<SliceOptions>('Tensor.slice', ['dim', 'start', 'end', 'step'], [dim, start, end, step]);
    return mv.slice(this, o.dim ?? 0, o.start ?? undefined, o.end ?? undefined, o.step ?? 1);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return mv.slice(this, dim, start, start + length, 1);
  }
  /** x[i]: selects along dim 0 (or `dim`), removing that dim. */
  index(i: number, dim?: number | { dim?: number }): Tensor {
    return mv.select(this, optionalDim('Tensor.index', dim) ?? 0, i);
  }
  select(dim: number, i: number): Tensor {
    return mv.select(this, dim, i);
  }
  chunk(chunks: number, dim?: number | { dim?: number }): Tensor[] {
    return mv.chunk(this, chunks, optionalDim('Tensor.chunk', dim) ?? 0);
  }
  split(splitSize: number | readonly number[], dim?: number | { dim?: number }): Tensor[] {
    return mv.split(this, splitSize, optionalDim('Tensor.split', dim) ?? 0);
  }

  // ---- indexing ------------------------------------------------------------------------------
  gather(dim: number, index: Tensor): Tensor {
    return idx.gather(this, dim, tensorArg('Tensor.gather', 'index', 2, index));
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return idx.scatterAdd(
      this,
      dim,
      tensorArg('Tensor.scatterAdd', 'index', 2, index),
      tensorArg('Tensor.scatterAdd', 'src', 3, src),
    );
  }
  indexAdd(dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): Tensor {
    return ixo.indexAdd(this, dim, index, source, options);
  }
  indexAdd_(dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): this {
    return ixo.indexAdd_(this, dim, index, source, options);
  }
  indexPut(indices: readonly Tensor[], values: Tensor | number, accumulate?: boolean | ixo.IndexPutOptions): Tensor {
    return ixo.indexPut(this, indices, values, accumulate);
  }
  indexPut_(indices: readonly Tensor[], values: Tensor | number, accumulate?: boolean | ixo.IndexPutOptions): this {
    return ixo.indexPut_(this, indices, values, accumulate);
  }
  indexCopy(dim: number, index: Tensor, source: Tensor): Tensor {
    return ixo.indexCopy(this, dim, index, source);
  }
  indexCopy_(dim: number, index: Tensor, source: Tensor): this {
    return ixo.indexCopy_(this, dim, index, source);
  }
  indexFill(dim: number, index: Tensor, value: number | Tensor): Tensor {
    return ixo.indexFill(this, dim, index, value);
  }
  indexFill_(dim: number, index: Tensor, value: number | Tensor): this {
    return ixo.indexFill_(this, dim, index, value);
  }
  scatter(dim: number, index: Tensor, src: Tensor | number): Tensor {
    return ixo.scatter(this, dim, index, src);
  }
  scatter_(dim: number, index: Tensor, src: Tensor | number): this {
    return ixo.scatter_(this, dim, index, src);
  }
  scatterAdd_(dim: number, index: Tensor, src: Tensor): this {
    return ixo.scatterAdd_(this, dim, index, src);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return idx.indexSelect(this, dim, tensorArg('Tensor.indexSelect', 'index', 2, index));
  }

  diagonal(offset = 0, dim1 = 0, dim2 = 1): Tensor {
    return mv.diagonal(this, offset, dim1, dim2);
  }

  // ---- ordering and counting -----------------------------------------------------------------
  sort(dim?: number | srt.SortOptions, descending?: boolean): srt.ValuesIndices {
    return srt.sort(this, dim, descending);
  }
  argsort(dim?: number | srt.SortOptions, descending?: boolean): Tensor {
    return srt.argsort(this, dim, descending);
  }
  topk(k: number, dim?: number | srt.TopkOptions, largest?: boolean, sorted?: boolean): srt.ValuesIndices {
    return srt.topk(this, k, dim, largest, sorted);
  }
  bincount(options?: cnt.BincountOptions): Tensor {
    return cnt.bincount(this, options);
  }
  histc(bins?: number, min?: number, max?: number): Tensor {
    return cnt.histc(this, bins, min, max);
  }

  // ---- composed math (engine/ops/math.ts) ------------------------------------------------------
  isclose(other: TensorLike, ...options: unknown[]): Tensor {
    return mth.isclose(this, other, ...options);
  }
  /** Whether every element is close to other's (see isclose): read back, so async, as item(). */
  allclose(other: TensorLike, ...options: unknown[]): Promise<boolean> {
    return mth.allclose(this, other, ...options);
  }
  /** Whether other has this shape and these values: read back, so async, as item(). */
  equal(other: Tensor): Promise<boolean> {
    return mth.equal(this, other);
  }
  /** The indices of the nonzero elements, [n, ndim] int32 (or one [n] per dim with asTuple): read back, so async. */
  nonzero(options?: NonzeroOptions & { asTuple?: false }): Promise<Tensor>;
  nonzero(options: NonzeroOptions & { asTuple: true }): Promise<Tensor[]>;
  nonzero(options: NonzeroOptions = {}): Promise<Tensor | Tensor[]> {
    return nonzero(this, options as NonzeroOptions & { asTuple: true });
  }
  /** The sorted unique elements (and inverse indices, counts as asked): read back, so async. */
  unique(options?: uq.UniqueOptions & { returnInverse?: false; returnCounts?: false }): Promise<Tensor>;
  unique(options: uq.UniqueOptions): Promise<Tensor[]>;
  unique(
    sorted?: boolean,
    returnInverse?: boolean,
    returnCounts?: boolean,
    dim?: number | null,
  ): Promise<Tensor | Tensor[]>;
  unique(...args: unknown[]): Promise<Tensor | Tensor[]> {
    return (uq.unique as (x: Tensor, ...rest: unknown[]) => Promise<Tensor | Tensor[]>)(this, ...args);
  }
  uniqueConsecutive(
    options?: uq.UniqueConsecutiveOptions & { returnInverse?: false; returnCounts?: false },
  ): Promise<Tensor>;
  uniqueConsecutive(options: uq.UniqueConsecutiveOptions): Promise<Tensor[]>;
  uniqueConsecutive(returnInverse?: boolean, returnCounts?: boolean, dim?: number | null): Promise<Tensor | Tensor[]>;
  uniqueConsecutive(...args: unknown[]): Promise<Tensor | Tensor[]> {
    return (uq.uniqueConsecutive as (x: Tensor, ...rest: unknown[]) => Promise<Tensor | Tensor[]>)(this, ...args);
  }
  /** The elements where mask is true, 1-D: read back, so async. */
  maskedSelect(mask: Tensor): Promise<Tensor> {
    return uq.maskedSelect(this, mask);
  }
  isnan(): Tensor {
    return mth.isnan(this);
  }
  isinf(): Tensor {
    return mth.isinf(this);
  }
  isfinite(): Tensor {
    return mth.isfinite(this);
  }
  all(dim?: number | readonly number[] | DimOptions | null, keepdim?: boolean): Tensor {
    return mth.all(this, dim, keepdim);
  }
  any(dim?: number | readonly number[] | DimOptions | null, keepdim?: boolean): Tensor {
    return mth.any(this, dim, keepdim);
  }
  clampMin(min: number | Tensor): Tensor {
    return mth.clampMin(this, min);
  }
  clampMax(max: number | Tensor): Tensor {
    return mth.clampMax(this, max);
  }
  log1p(): Tensor {
    return mth.log1p(this);
  }
  expm1(): Tensor {
    return mth.expm1(this);
  }
  log2(): Tensor {
    return mth.log2(this);
  }
  log10(): Tensor {
    return mth.log10(this);
  }
  trunc(): Tensor {
    return mth.trunc(this);
  }
  frac(): Tensor {
    return mth.frac(this);
  }
  tan(): Tensor {
    return mth.tan(this);
  }
  erf(): Tensor {
    return mth.erf(this);
  }
  nanToNum(...options: unknown[]): Tensor {
    return mth.nanToNum(this, ...options);
  }
  remainder(other: TensorLike): Tensor {
    return mth.remainder(this, other);
  }
  fmod(other: TensorLike): Tensor {
    return mth.fmod(this, other);
  }
  floorDivide(other: TensorLike): Tensor {
    return mth.floorDivide(this, other);
  }
  lerp(end: Tensor, weight: TensorLike): Tensor {
    return mth.lerp(this, end, weight);
  }
  addcmul(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor {
    return mth.addcmul(this, tensor1, tensor2, options);
  }
  addcdiv(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor {
    return mth.addcdiv(this, tensor1, tensor2, options);
  }
  amax(dim?: number | readonly number[] | DimOptions | null, keepdim?: boolean): Tensor {
    return mth.amax(this, dim, keepdim);
  }
  amin(dim?: number | readonly number[] | DimOptions | null, keepdim?: boolean): Tensor {
    return mth.amin(this, dim, keepdim);
  }
  cumsum(dim: number | mth.ScanOptions, options?: mth.ScanOptions): Tensor {
    return mth.cumsum(this, dim, options);
  }
  cumprod(dim: number | mth.ScanOptions, options?: mth.ScanOptions): Tensor {
    return mth.cumprod(this, dim, options);
  }
  flip(...dims: DimArgs): Tensor {
    return mth.flip(this, ...dims);
  }
  repeat(...sizes: DimArgs): Tensor {
    return mth.repeat(this, ...sizes);
  }
  tile(...dims: DimArgs): Tensor {
    return mth.tile(this, ...dims);
  }
  tril(diagonal?: number | { diagonal?: number }): Tensor {
    return mth.tril(this, diagonal);
  }
  triu(diagonal?: number | { diagonal?: number }): Tensor {
    return mth.triu(this, diagonal);
  }
  diag(diagonal?: number | { diagonal?: number }): Tensor {
    return mth.diag(this, diagonal);
  }
  outer(vec2: Tensor): Tensor {
    return mth.outer(this, vec2);
  }
  mv(vec: Tensor): Tensor {
    return mth.mv(this, vec);
  }
  addmm(mat1: Tensor, mat2: Tensor, options?: mth.AddmmOptions): Tensor {
    return mth.addmm(this, mat1, mat2, options);
  }
  unbind(dim?: number | { dim?: number }): Tensor[] {
    return mth.unbind(this, dim);
  }
  movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor {
    return mth.movedim(this, source, destination);
  }
  swapaxes(axis0: number, axis1: number): Tensor {
    return mv.transpose(this, axis0, axis1);
  }
  asin(): Tensor {
    return mx.asin(this);
  }
  acos(): Tensor {
    return mx.acos(this);
  }
  atan(): Tensor {
    return mx.atan(this);
  }
  atan2(other: TensorLike): Tensor {
    return mx.atan2(this, other);
  }
  sinh(): Tensor {
    return mx.sinh(this);
  }
  cosh(): Tensor {
    return mx.cosh(this);
  }
  exp2(): Tensor {
    return mx.exp2(this);
  }
  logaddexp(other: TensorLike): Tensor {
    return mx.logaddexp(this, other);
  }
  logaddexp2(other: TensorLike): Tensor {
    return mx.logaddexp2(this, other);
  }
  xlogy(other: TensorLike): Tensor {
    return mx.xlogy(this, other);
  }
  hypot(other: TensorLike): Tensor {
    return mx.hypot(this, other);
  }
  signbit(): Tensor {
    return mx.signbit(this);
  }
  deg2rad(): Tensor {
    return mx.deg2rad(this);
  }
  rad2deg(): Tensor {
    return mx.rad2deg(this);
  }
  logicalXor(other: TensorLike): Tensor {
    return mx.logicalXor(this, other);
  }
  trueDivide(other: TensorLike): Tensor {
    return el.div(this, other);
  }
  countNonzero(dim?: number | readonly number[] | { dim?: number | readonly number[] }): Tensor {
    return mx.countNonzero(this, dim);
  }
  nansum(
    dim?: number | readonly number[] | NanReduceOptions,
    keepdim?: boolean | NanReduceOptions,
    options?: NanReduceOptions,
  ): Tensor {
    return mx.nansum(this, dim, keepdim, options);
  }
  nanmean(
    dim?: number | readonly number[] | NanReduceOptions,
    keepdim?: boolean | NanReduceOptions,
    options?: NanReduceOptions,
  ): Tensor {
    return mx.nanmean(this, dim, keepdim, options);
  }
  logcumsumexp(dim: number | { dim: number }): Tensor {
    return mx.logcumsumexp(this, dim);
  }
  trace(): Tensor {
    return mx.trace(this);
  }
  median(): Tensor;
  median(dim: number | { dim?: number; keepdim?: boolean }, keepdim?: boolean): ValuesIndices;
  median(dim?: number | { dim?: number; keepdim?: boolean }, keepdim?: boolean): Tensor | ValuesIndices {
    return dim === undefined ? ord.median(this) : ord.median(this, dim, keepdim);
  }
  nanmedian(): Tensor;
  nanmedian(dim: number | { dim?: number; keepdim?: boolean }, keepdim?: boolean): ValuesIndices;
  nanmedian(dim?: number | { dim?: number; keepdim?: boolean }, keepdim?: boolean): Tensor | ValuesIndices {
    return dim === undefined ? ord.nanmedian(this) : ord.nanmedian(this, dim, keepdim);
  }
  kthvalue(k: number, dim?: number | { dim?: number; keepdim?: boolean }, keepdim?: boolean): ValuesIndices {
    return ord.kthvalue(this, k, dim, keepdim);
  }
  multinomial(
    numSamples: number,
    replacement?: boolean | rnd.MultinomialOptions,
    options?: rnd.MultinomialOptions,
  ): Tensor {
    return rnd.multinomial(this, numSamples, replacement, options);
  }
  cummax(dim: number | { dim: number }): ValuesIndices {
    return ord.cummax(this, dim);
  }
  cummin(dim: number | { dim: number }): ValuesIndices {
    return ord.cummin(this, dim);
  }
  mode(dim?: number | { dim?: number; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices {
    return ord.mode(this, dim, keepdim);
  }
  quantile(q: number | Tensor, ...options: unknown[]): Tensor {
    return ord.quantile(this, q, ...options);
  }
  nanquantile(q: number | Tensor, ...options: unknown[]): Tensor {
    return ord.nanquantile(this, q, ...options);
  }
  broadcastTo(...shape: DimArgs): Tensor {
    return arr.broadcastTo(this, ...shape);
  }
  roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
    return arr.roll(this, shifts, dims);
  }
  fliplr(): Tensor {
    return arr.fliplr(this);
  }
  flipud(): Tensor {
    return arr.flipud(this);
  }
  rot90(k?: number | { k?: number; dims?: readonly number[] }, dims?: readonly number[]): Tensor {
    return arr.rot90(this, k, dims);
  }
  repeatInterleave(
    repeats?: number | Tensor | null,
    dim?: number | arr.RepeatInterleaveOptions | null,
    options?: arr.RepeatInterleaveOptions,
  ): Tensor {
    return arr.repeatInterleave(this, repeats, dim, options);
  }
  kron(other: Tensor): Tensor {
    return arr.kron(this, other);
  }
  inner(other: Tensor): Tensor {
    return arr.inner(this, other);
  }
  cross(other: Tensor, dim?: number | { dim?: number | null } | null): Tensor {
    return arr.cross(this, other, dim);
  }
  take(index: Tensor): Tensor {
    return arr.take(this, index);
  }
  takeAlongDim(indices: Tensor, dim?: number | { dim?: number | null } | null): Tensor {
    return arr.takeAlongDim(this, indices, dim);
  }
  diff(n?: number | mx.DiffOptions, dim?: number, prepend?: Tensor | null, append?: Tensor | null): Tensor {
    return mx.diff(this, n, dim, prepend, append);
  }
  arcsin(): Tensor {
    return mx.asin(this);
  }
  arccos(): Tensor {
    return mx.acos(this);
  }
  arctan(): Tensor {
    return mx.atan(this);
  }
  arcsinh(): Tensor {
    return mx.asinh(this);
  }
  arccosh(): Tensor {
    return mx.acosh(this);
  }
  arctanh(): Tensor {
    return mx.atanh(this);
  }
  arctan2(other: TensorLike): Tensor {
    return mx.atan2(this, other);
  }
  asinh(): Tensor {
    return mx.asinh(this);
  }
  acosh(): Tensor {
    return mx.acosh(this);
  }
  atanh(): Tensor {
    return mx.atanh(this);
  }
  logit(eps?: number | null | { eps?: number | null }): Tensor {
    return mx.logit(this, eps);
  }
  sgn(): Tensor {
    return mx.sgn(this);
  }
  aminmax(options?: { dim?: number | null; keepdim?: boolean }): MinMax {
    return mx.aminmax(this, options);
  }
  vsplit(indicesOrSections: number | readonly number[]): Tensor[] {
    return arr.vsplit(this, indicesOrSections);
  }
  hsplit(indicesOrSections: number | readonly number[]): Tensor[] {
    return arr.hsplit(this, indicesOrSections);
  }
  dsplit(indicesOrSections: number | readonly number[]): Tensor[] {
    return arr.dsplit(this, indicesOrSections);
  }

  // ---- in place (a trailing _ as in PyTorch) -------------------------------------------------
  add_(other: TensorLike, options?: { alpha?: number }): this {
    const { alpha = 1 } = optionsOf('Tensor.add_', options, ['alpha']);
    const operand = alpha === 1 ? other : other instanceof Tensor ? other.mul(alpha) : Number(other) * alpha;
    return inplace.binary(this, 'add', operand, (x) => el.add(x, operand));
  }
  sub_(other: TensorLike, options?: { alpha?: number }): this {
    const { alpha = 1 } = optionsOf('Tensor.sub_', options, ['alpha']);
    if (alpha === 1) return inplace.binary(this, 'sub', other, (x) => el.sub(x, other));
    return this.add_(other instanceof Tensor ? other.neg() : -Number(other), { alpha });
  }
  mul_(other: TensorLike): this {
    return inplace.binary(this, 'mul', other, (x) => el.mul(x, other));
  }
  div_(other: TensorLike): this {
    return inplace.binary(this, 'div', other, (x) => el.div(x, other));
  }
  clamp_(min?: number | Tensor | null | ClampOptions, max?: number | Tensor | null | ClampOptions): this {
    const o = bounds('Tensor.clamp_', min, max);
    return inplace.apply(this, (x) => el.clamp(x, o.min, o.max), 'clamp_');
  }
  relu_(): this {
    return inplace.unary(this, 'relu', (x) => el.relu(x));
  }
  neg_(): this {
    return inplace.unary(this, 'neg', (x) => el.neg(x));
  }
  sqrt_(): this {
    return inplace.unary(this, 'sqrt', (x) => el.sqrt(x));
  }
  reciprocal_(): this {
    return inplace.unary(this, 'reciprocal', (x) => el.reciprocal(x));
  }
  exp_(): this {
    return inplace.unary(this, 'exp', (x) => el.exp(x));
  }
  log_(): this {
    return inplace.unary(this, 'log', (x) => el.log(x));
  }
  addcmul_(t1: Tensor, t2: Tensor, options?: { value?: number }): this {
    return this.add_(el.mul(t1, t2), { alpha: optionsOf('Tensor.addcmul_', options, ['value']).value ?? 1 });
  }
  addcdiv_(t1: Tensor, t2: Tensor, options?: { value?: number }): this {
    return this.add_(el.div(t1, t2), { alpha: optionsOf('Tensor.addcdiv_', options, ['value']).value ?? 1 });
  }
  lerp_(end: Tensor, weight: number): this {
    return this.add_(el.sub(end, this), { alpha: weight });
  }
  maskedFill_(mask: Tensor, value: number): this {
    tensorArg('Tensor.maskedFill_', 'mask', 1, mask);
    return inplace.apply(this, (x) => el.maskedFill(x, mask, value), 'maskedFill_');
  }
  copy_(src: Tensor): this {
    return inplace.copy(this, tensorArg('Tensor.copy_', 'src', 1, src));
  }
  fill_(value: number): this {
    return inplace.fill(this, value);
  }
  zero_(): this {
    return inplace.fill(this, 0);
  }
  fillDiagonal_(fillValue: number, wrap?: boolean | { wrap?: boolean }): this {
    return rnd.fillDiagonal_(this, fillValue, wrap);
  }

  // ---- random draws in place (engine/ops/random.ts) ---------------------------------------------
  uniform_(from?: number | UniformOptions, to?: number | UniformOptions, options?: rnd.GeneratorOptions): this {
    return rnd.uniform_(this, from, to, options);
  }
  normal_(mean?: number | NormalOptions, std?: number | NormalOptions, options?: rnd.GeneratorOptions): this {
    return rnd.normal_(this, mean, std, options);
  }
  /** random_(): integers on [0, 2^digits]; random_(to): on [0, to); random_(from, to). */
  random_(
    from?: number | RandomIntOptions,
    to?: number | null | RandomIntOptions,
    options?: rnd.GeneratorOptions,
  ): this {
    return rnd.random_(this, from, to, options);
  }
  bernoulli_(p?: number | Tensor | BernoulliOptions, options?: rnd.GeneratorOptions): this {
    return rnd.bernoulli_(this, p, options);
  }
  exponential_(lambd?: number | ExponentialOptions, options?: rnd.GeneratorOptions): this {
    return rnd.exponential_(this, lambd, options);
  }
  bernoulli(p?: number | BernoulliOptions, options?: rnd.GeneratorOptions): Tensor {
    return rnd.bernoulli(this, p, options);
  }
}

interface NanReduceOptions extends DimOptions {
  dtype?: DType;
}
interface UniformOptions extends rnd.GeneratorOptions {
  from?: number;
  to?: number;
}
interface NormalOptions extends rnd.GeneratorOptions {
  mean?: number;
  std?: number;
}
interface RandomIntOptions extends rnd.GeneratorOptions {
  from?: number;
  to?: number | null;
}
interface BernoulliOptions extends rnd.GeneratorOptions {
  p?: number | Tensor;
}
interface ExponentialOptions extends rnd.GeneratorOptions {
  lambd?: number;
}

installIntegerIndexing(Tensor);

// PyTorch's `x.data` (the values without autograd history) is `x.detach()` here, and `x.data()` the
// async read, so the guide's `p.grad.data.norm(2)` met "norm is not a function". Every tensor
// method and field read off the `data` method itself says so instead (getters on the one shared
// function object: `await x.data()` costs nothing more).
for (const name of new Set([...Object.getOwnPropertyNames(Tensor.prototype), 'shape', 'dtype', 'device'])) {
  if (name in Function.prototype || name === 'data') continue;
  Object.defineProperty(Tensor.prototype.data, name, {
    get() {
      throw new TypeError(
        `x.data.${name}: PyTorch's x.data (the values without autograd history) is x.detach() here, ` +
          `and x.data() reads the values (await x.data()): write x.detach().${name}`,
      );
    },
  });
}

function itemBytes(t: Tensor): number {
  return itemSize[t.dtype];
}

/** Whether t is its storage's only view: contiguous, from offset 0, over every element. */
function fillsStorage(t: Tensor): boolean {
  return t.strided.offset === 0 && t.numel() === t.storage.buffer.length && t.isContiguous();
}
