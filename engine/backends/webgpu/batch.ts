/**
 * Commands are recorded into one encoder and submitted together when something needs the results
 * (a read, an upload) or the batch is full: a queue.submit per tiny op would dominate a training step.
 * Kernel parameters (shapes, strides) of the whole batch go into one uniform buffer, written once
 * per submit; reusing it for the next batch is safe because queue writes run in submission order.
 */
import type { BindGroupCache } from './bind-groups.ts';
import type { GpuBuffer } from './buffer-pool.ts';
import type { Pipeline } from './pipelines.ts';

const PARAM_BYTES = 64 * 1024;
/**
 * Small uploads (scalars, small batches) are staged like the parameters: copied into one host
 * arena, written to its GPU twin once per submit, and copied to their buffers by commands in stream
 * order. So `x.add(1e-4)` records its scalar without submitting the batch, where queue.writeBuffer
 * would first have to submit whatever still reads the (recycled) target buffer.
 */
const STAGE_BYTES = 256 * 1024;
const STAGE_MAX_WRITE = 16 * 1024;
/** Uniform buffer offsets must be multiples of minUniformBufferOffsetAlignment (256 on every adapter). */
const SLOT = 256;

export interface Dispatch {
  readonly pipeline: Pipeline;
  /** Storage blocks in binding order 0, 1, …; the parameters take the next binding. */
  readonly buffers: readonly GpuBuffer[];
  readonly params: readonly number[];
  readonly workgroups: readonly [number, number, number];
  /** Storage buffers bound after the parameters. */
  readonly after?: readonly GPUBuffer[];
}

export class CommandBatch {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** The pipeline set in the open pass: runs of one kernel skip setPipeline (a Dawn call, several µs). */
  private passPipeline: GPUComputePipeline | null = null;
  private readonly params = new Int32Array(PARAM_BYTES / 4);
  private used = 0;
  private readonly paramBuffer: GPUBuffer;
  private readonly stage = new Uint8Array(STAGE_BYTES);
  private staged = 0;
  private readonly stageBuffer: GPUBuffer;

  constructor(
    private readonly device: GPUDevice,
    private readonly bindGroups: BindGroupCache,
    uniformUsage: number,
    copyUsage: number,
  ) {
    this.paramBuffer = device.createBuffer({ size: PARAM_BYTES, usage: uniformUsage });
    this.stageBuffer = device.createBuffer({ size: STAGE_BYTES, usage: copyUsage });
  }

  /**
   * Records writing `bytes` (a multiple of 4 long) to `target` at `targetOffset`, in order with the
   * commands around it. False when they are too many to stage: the caller flushes and writes them
   * through the queue.
   */
  write(target: GPUBuffer, targetOffset: number, bytes: ArrayBufferView): boolean {
    const size = bytes.byteLength;
    if (size > STAGE_MAX_WRITE) return false;
    if (this.staged + size > STAGE_BYTES) this.flush();
    const offset = this.staged;
    this.stage.set(new Uint8Array(bytes.buffer, bytes.byteOffset, size), offset);
    this.staged += size;
    this.commands().copyBufferToBuffer(this.stageBuffer, offset, target, targetOffset, size);
    return true;
  }

  dispatch({ pipeline, buffers, params, workgroups, after = [] }: Dispatch): void {
    const size = Math.max(SLOT, Math.ceil((params.length * 4) / SLOT) * SLOT);
    if (this.used + size > PARAM_BYTES) this.flush();
    const offset = this.used;
    this.params.set(params, offset / 4);
    this.used += size;
    const bindGroup = this.bindGroups.get(pipeline.layout, buffers, this.paramBuffer, size, after);
    const pass = this.computePass();
    if (this.passPipeline !== pipeline.pipeline) pass.setPipeline(pipeline.pipeline);
    this.passPipeline = pipeline.pipeline;
    const offsets = pipeline.layout.dynamic ? buffers.map((block) => block.offset) : [];
    offsets.push(offset);
    pass.setBindGroup(0, bindGroup, offsets);
    pass.dispatchWorkgroups(...workgroups);
  }

  clear(buffer: GPUBuffer, offset?: number, size?: number): void {
    this.commands().clearBuffer(buffer, offset, size);
  }

  copy(source: GPUBuffer, sourceOffset: number, target: GPUBuffer, targetOffset: number, size: number): void {
    this.commands().copyBufferToBuffer(source, sourceOffset, target, targetOffset, size);
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    this.pass?.end();
    this.pass = null;
    this.passPipeline = null;
    if (this.used > 0) this.device.queue.writeBuffer(this.paramBuffer, 0, this.params, 0, this.used / 4);
    this.used = 0;
    if (this.staged > 0) this.device.queue.writeBuffer(this.stageBuffer, 0, this.stage, 0, this.staged);
    this.staged = 0;
    const commands = this.encoder.finish();
    this.encoder = null;
    this.device.queue.submit([commands]);
  }

  destroy(): void {
    this.paramBuffer.destroy();
    this.stageBuffer.destroy();
  }

  private computePass(): GPUComputePassEncoder {
    this.pass ??= this.encoderOpen().beginComputePass();
    return this.pass;
  }

  /** The encoder with no compute pass open, for buffer-level commands. */
  private commands(): GPUCommandEncoder {
    this.pass?.end();
    this.pass = null;
    this.passPipeline = null;
    return this.encoderOpen();
  }

  private encoderOpen(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }
}
