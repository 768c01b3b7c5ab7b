/** The 'webgpu' Backend: buffers from the pool, kernels from the generators, reads through staging buffers. */
import type {
  FusedProgram,
  AdamStepParams,
  ArgReduceOp,
  Backend,
  BinaryOp,
  DeviceBuffer,
  MemoryStats,
  ReduceOp,
  UnaryOp,
  View,
  WindowGeometry,
} from '../../backend/types.ts';
import type { DType, HostArray } from '../../dtype.ts';
import { hostArray } from '../../dtype.ts';
import { CommandBatch } from './batch.ts';
import { BindGroupCache } from './bind-groups.ts';
import { BufferPool, GpuBuffer } from './buffer-pool.ts';
import { binaryKernel, reluBackwardKernel, unaryKernel, whereKernel } from './codegen/elementwise.ts';
import { fusedKernel } from './codegen/fused.ts';
import { argReduceKernel, reduceKernel } from './codegen/reduce.ts';
import { argsortKernel } from './kernels/sort.ts';
import type { GpuContext } from './device.ts';
import { assertStorable, fromStorage, storageBytes, toStorage } from './dtypes.ts';
import { DeviceErrors } from './errors.ts';
import { FAULT_WORDS, type KernelCall } from './kernel.ts';
import { gatherKernel, scatterAddKernel } from './kernels/gather.ts';
import { adamKernel } from './kernels/adam.ts';
import { logSoftmaxBackwardKernel, nllLossBackwardKernel, nllLossKernel } from './kernels/loss.ts';
import { matmulKernel } from './kernels/matmul.ts';
import { softmaxKernel } from './kernels/softmax.ts';
import { col2imKernel, im2colKernel } from './kernels/windows.ts';
import { PipelineCache } from './pipelines.ts';
import { gpuWait } from './polling.ts';
import { contiguousStrides, isContiguous, numel } from './strided.ts';

export class WebGPUBackend implements Backend {
  readonly device = 'webgpu' as const;
  readonly errors = new DeviceErrors();
  private readonly pool: BufferPool;
  private readonly batch: CommandBatch;
  private readonly pipelines: PipelineCache;
  /** Bind groups kept across dispatches (see bind-groups.ts). */
  readonly bindGroups: BindGroupCache;
  /** The fault record kernels raise for an out-of-range index (see kernel.ts), and whether one may be raised. */
  private readonly faults: GPUBuffer;
  private faultsArmed = false;
  /**
   * Recycled blocks handed out by alloc() (zero-filled, by contract) and not cleared yet. Most
   * become the output of a kernel that writes every element, and then the clear is never
   * recorded: a training step allocated ~30 such outputs, and each clearBuffer also ended the
   * compute pass, costing lavapipe a pass and a barrier. Any other first use clears them first.
   */
  private readonly uncleared = new Set<GpuBuffer>();
  /**
   * Subgroup size the matmul kernel is generated for (the lane kernel, on a CPU adapter), or null
   * for the register-blocked kernel; settable so that tests check both kernels on one adapter.
   */
  matmulLanes: number | null;

  constructor(readonly context: GpuContext) {
    const { device, usage } = context;
    this.matmulLanes = context.cpuLanes;
    this.bindGroups = new BindGroupCache(device);
    this.pool = new BufferPool(
      device,
      usage.STORAGE | usage.COPY_SRC | usage.COPY_DST,
      this.errors,
      device.limits.maxStorageBufferBindingSize,
      device.limits.minStorageBufferOffsetAlignment,
      (gpu) => this.bindGroups.forget(gpu),
    );
    this.batch = new CommandBatch(
      device,
      this.bindGroups,
      usage.UNIFORM | usage.COPY_DST,
      usage.COPY_SRC | usage.COPY_DST,
    );
    this.pipelines = new PipelineCache(
      device,
      this.errors,
      context.compute,
      device.limits.maxDynamicStorageBuffersPerPipelineLayout,
    );
    this.faults = device.createBuffer({
      size: FAULT_WORDS * 4,
      usage: usage.STORAGE | usage.COPY_SRC | usage.COPY_DST,
    });
    // Errors outside a scope (e.g. a dispatch with a pipeline that failed to compile) would otherwise
    // only be printed by Dawn; hold them so the next call throws. The first one is the cause.
    device.onuncapturederror = (event) => this.errors.failUncaptured(new Error(`WebGPU error: ${event.error.message}`));
  }

  alloc(dtype: DType, length: number): GpuBuffer {
    const buffer = this.take(dtype, length);
    // Fresh GPU buffers are zero-filled by WebGPU; only recycled ones need clearing (see `uncleared`).
    if (buffer.recycled) this.uncleared.add(buffer);
    return buffer;
  }

  upload(data: HostArray, dtype: DType): GpuBuffer {
    const buffer = this.take(dtype, data.length);
    const bytes = toStorage(data, dtype);
    if (bytes.byteLength === 0 || this.batch.write(buffer.gpu, buffer.offset, bytes)) return buffer;
    // queue.writeBuffer runs before any commands not yet submitted; a recycled buffer may still be
    // read by them, so submit those first.
    this.batch.flush();
    this.context.device.queue.writeBuffer(buffer.gpu, buffer.offset, bytes);
    return buffer;
  }

  async read(view: View): Promise<HostArray> {
    this.errors.throwIfFailed();
    const { dtype } = view.buffer;
    const n = numel(view.shape);
    if (n === 0) return hostArray(dtype, 0);
    const elementBytes = storageBytes(dtype);
    // copyBufferToBuffer needs 4-byte alignment; other layouts are first gathered by a copy kernel.
    this.settleClear(view.buffer as GpuBuffer);
    const direct = isContiguous(view) && (view.offset * elementBytes) % 4 === 0;
    const source = direct ? (view.buffer as GpuBuffer) : this.pool.take(dtype, n, n * elementBytes, false);
    const device = this.context.device;
    let staging: GPUBuffer | null = null;
    try {
      if (!direct)
        this.unary('identity', view, {
          buffer: source,
          shape: view.shape,
          strides: contiguousStrides(view.shape),
          offset: 0,
        });
      const start = source.offset + (direct ? view.offset * elementBytes : 0);
      const size = Math.ceil((n * elementBytes) / 4) * 4;
      // The fault record, when a kernel may have raised it, rides in the same staging buffer.
      // (getMappedRange offsets are multiples of 8.)
      const faults = this.takeFaults();
      const tail = Math.ceil(size / 8) * 8;
      staging = device.createBuffer({
        size: faults ? tail + FAULT_WORDS * 4 : size,
        usage: this.context.usage.MAP_READ | this.context.usage.COPY_DST,
      });
      this.batch.copy(source.gpu, start, staging, 0, size);
      if (faults) this.batch.copy(this.faults, 0, staging, tail, FAULT_WORDS * 4);
      this.batch.flush();
      await gpuWait(staging.mapAsync(this.context.mapRead));
      await gpuWait(this.errors.settle());
      if (faults) this.throwFault(new Int32Array(staging.getMappedRange(tail, FAULT_WORDS * 4)));
      return fromStorage(staging.getMappedRange(0, size).slice(0), dtype, n);
    } finally {
      staging?.destroy();
      if (!direct) this.pool.give(source, false);
    }
  }

  release(buffer: DeviceBuffer): void {
    this.uncleared.delete(buffer as GpuBuffer);
    this.pool.give(buffer as GpuBuffer);
  }

  unary(op: UnaryOp, x: View, out: View): void {
    this.run(unaryKernel(op, x, out), out, [x]);
  }

  binary(op: BinaryOp, a: View, b: View, out: View): void {
    this.run(binaryKernel(op, a, b, out), out, [a, b]);
  }

  where(cond: View, a: View, b: View, out: View): void {
    this.run(whereKernel(cond, a, b, out), out, [cond, a, b]);
  }

  fused(program: FusedProgram, inputs: readonly View[], out: View): void {
    this.run(fusedKernel(program, inputs, out), out, inputs);
  }

  reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void {
    this.run(reduceKernel(op, x, axes, out), out, [x]);
  }

  argReduce(op: ArgReduceOp, x: View, axis: number, out: View): void {
    this.run(argReduceKernel(op, x, axis, out), out, [x]);
  }

  argsort(x: View, axis: number, descending: boolean, out: View): void {
    this.run(argsortKernel(x, axis, descending, out), out, [x]);
  }

  matmul(a: View, b: View, out: View): void {
    if (a.buffer !== b.buffer) {
      this.run(matmulKernel(a, b, out, this.matmulLanes), out, [a, b]);
      return;
    }
    // x @ x.T: the kernel binds A and B apart (each read its own way), and two bindings of one block
    // would alias writable storage (see pipelines.ts), so B is read from a copy.
    const n = numel(b.shape);
    const copy = this.pool.take(b.buffer.dtype, n, n * storageBytes(b.buffer.dtype), false);
    const contiguous = { buffer: copy, shape: b.shape, strides: contiguousStrides(b.shape), offset: 0 };
    try {
      this.unary('identity', b, contiguous);
      this.run(matmulKernel(a, contiguous, out, this.matmulLanes), out, [a, contiguous]);
    } finally {
      this.pool.give(copy, false);
    }
  }

  adamStep(
    param: View,
    grad: View,
    expAvg: View,
    expAvgSq: View,
    maxExpAvgSq: View | null,
    params: AdamStepParams,
  ): void {
    this.run(adamKernel(param, grad, expAvg, expAvgSq, maxExpAvgSq, params));
  }

  gather(x: View, dim: number, index: View, out: View): void {
    this.run(gatherKernel(x, dim, index, out), out, [x, index]);
  }

  scatterAdd(dim: number, index: View, src: View, out: View): void {
    this.run(scatterAddKernel(dim, index, src, out));
  }

  softmax(x: View, axis: number, log: boolean, out: View): void {
    this.run(softmaxKernel(x, axis, log, out), out, [x]);
  }

  reluBackward(grad: View, y: View, out: View): void {
    this.run(reluBackwardKernel(grad, y, out), out, [grad, y]);
  }

  logSoftmaxBackward(grad: View, y: View, axis: number, out: View): void {
    this.run(logSoftmaxBackwardKernel(grad, y, axis, out), out, [grad, y]);
  }

  nllLoss(x: View, labels: View, ignoreIndex: number, mean: boolean, out: View): void {
    this.run(nllLossKernel(x, labels, ignoreIndex, mean, out), out, [x, labels]);
  }

  nllLossBackward(grad: View, labels: View, ignoreIndex: number, mean: boolean, out: View): void {
    this.run(nllLossBackwardKernel(grad, labels, ignoreIndex, mean, out), out, [grad, labels]);
  }

  im2col(x: View, windows: WindowGeometry, padValue: number, out: View): void {
    this.run(im2colKernel(x, windows, padValue, out), out, [x]);
  }

  col2im(cols: View, windows: WindowGeometry, out: View): void {
    this.run(col2imKernel(cols, windows, out));
  }

  get memory(): MemoryStats {
    return this.pool.stats();
  }

  resetPeakStats(): void {
    this.pool.resetPeak();
  }

  /** Gives cached buffers back to the driver (torch.cuda.empty_cache); `reserved` drops to `allocated`'s buffers. */
  emptyCache(): void {
    this.batch.flush();
    this.pool.trim();
  }

  /** How many distinct kernels have been compiled (each signature once). */
  get pipelineCount(): number {
    return this.pipelines.size;
  }

  /** Submits pending work and waits until the GPU has finished it; throws what a kernel reported. */
  async synchronize(): Promise<void> {
    const faults = this.takeFaults();
    let staging: GPUBuffer | null = null;
    try {
      if (faults) {
        staging = this.context.device.createBuffer({
          size: FAULT_WORDS * 4,
          usage: this.context.usage.MAP_READ | this.context.usage.COPY_DST,
        });
        this.batch.copy(this.faults, 0, staging, 0, FAULT_WORDS * 4);
      }
      this.batch.flush();
      await gpuWait(this.context.device.queue.onSubmittedWorkDone());
      await gpuWait(this.errors.settle());
      if (staging) {
        await gpuWait(staging.mapAsync(this.context.mapRead));
        this.throwFault(new Int32Array(staging.getMappedRange()));
      }
    } finally {
      staging?.destroy();
    }
  }

  destroy(): void {
    this.batch.flush();
    this.pool.trim();
    this.batch.destroy();
    this.faults.destroy();
    this.context.device.destroy();
  }

  private take(dtype: DType, length: number): GpuBuffer {
    this.errors.throwIfFailed();
    assertStorable(dtype, this.context.hasF16, this.context.adapterName);
    return this.pool.take(dtype, length, length * storageBytes(dtype));
  }

  /**
   * `written`: the output view of a kernel that writes each of its elements without reading them
   * (elementwise, reductions, matmul, …), whose `inputs` are read; a pending clear of its buffer is
   * dropped when the view covers the whole buffer and no input shares it. Other kernels (scatterAdd,
   * col2im, Adam) accumulate into or update their outputs, and every buffer they name is cleared first.
   */
  private run(call: KernelCall | null, written?: View, inputs: readonly View[] = []): void {
    this.errors.throwIfFailed();
    if (!call) return;
    if (this.uncleared.size > 0) {
      const overwritten =
        written &&
        written.offset === 0 &&
        numel(written.shape) === written.buffer.length &&
        isContiguous(written) &&
        !inputs.some((v) => v.buffer === written.buffer)
          ? written.buffer
          : null;
      for (const block of call.buffers) {
        if (block === overwritten) this.uncleared.delete(block);
        else this.settleClear(block);
      }
    }
    const pipeline = this.pipelines.get(call.key, call.source, {
      storage: call.buffers.length,
      faults: call.reportsFaults === true,
    });
    this.faultsArmed ||= call.reportsFaults === true;
    this.batch.dispatch({
      pipeline,
      buffers: call.buffers,
      params: call.params,
      workgroups: call.workgroups,
      ...(call.reportsFaults ? { after: [this.faults] } : {}),
    });
  }

  /** Records the clear alloc() owes `block`, if it is still owed, before a command that uses it. */
  private settleClear(block: GpuBuffer): void {
    if (this.uncleared.delete(block)) this.batch.clear(block.gpu, block.offset, block.size);
  }

  /**
   * Whether the fault record must be read back with the next submission: true when a kernel able to
   * raise it ran since the last check. A raised record is cleared once reported (throwFault).
   */
  private takeFaults(): boolean {
    if (!this.faultsArmed) return false;
    this.faultsArmed = false;
    return true;
  }

  /** Throws the error a kernel recorded (count, index, dim, size), as the CPU backend throws it. */
  private throwFault(record: Int32Array): void {
    const [count, index, dim, size] = record;
    if (!count) return;
    this.batch.clear(this.faults);
    throw new RangeError(
      `index ${index} is out of bounds for dimension ${dim} with size ${size} ` +
        '(reported by a webgpu kernel at the first read after it ran, as GPU kernels cannot throw)',
    );
  }
}
