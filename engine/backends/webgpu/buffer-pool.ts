/**
 * GPU buffers recycled by size class. Creating a GPUBuffer is slow and a training loop frees and
 * re-allocates the same sizes every step, so released buffers wait in a free list for the next
 * request of their class. Figures are deterministic: they depend only on the sequence of
 * alloc/release calls, never on garbage collection.
 *
 * A request gets the class's oldest free buffer, not the last one given back: which buffers are
 * free at a point of a training step repeats from step to step while the order they came back in
 * does not, so each tensor of a step gets the same GPUBuffer every step and the bind groups naming
 * them are found in the cache (bind-groups.ts) instead of being created again (with a
 * last-in-first-out list the MNIST MLP step found 4–13 of its 36 in the cache).
 */
import type { DType, Device } from '../../dtype.ts';
import { itemSize } from '../../dtype.ts';
import type { DeviceBuffer, MemoryStats } from '../../backend/types.ts';
import type { DeviceErrors } from './errors.ts';

export class GpuBuffer implements DeviceBuffer {
  readonly device: Device = 'webgpu';
  constructor(
    readonly dtype: DType,
    readonly length: number,
    readonly gpu: GPUBuffer,
    /** True when the GPU memory held earlier data (a fresh GPUBuffer is zero-filled by WebGPU). */
    readonly recycled: boolean,
  ) {}
}

/** Four classes per power of two (at most 25% slack), never below 256 bytes. */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const step = 2 ** Math.floor(Math.log2(bytes)) / 4;
  return Math.ceil(bytes / step) * step;
}

export class BufferPool {
  /** Free buffers by size class, newest first, so pop() takes the oldest. */
  private readonly free = new Map<number, GPUBuffer[]>();
  /** Creation order of each buffer the pool made. */
  private readonly age = new WeakMap<GPUBuffer, number>();
  private created = 0;
  private live = 0;
  private peak = 0;
  private held = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
    private readonly errors: DeviceErrors,
    private readonly maxBytes: number,
    /** Told of each buffer just before it is destroyed (cached bind groups naming it must go). */
    private readonly destroying: (gpu: GPUBuffer) => void,
  ) {}

  /** A buffer for `length` elements taking `bytes` of GPU memory; `counted` tensors' storage shows in `allocated`. */
  take(dtype: DType, length: number, bytes: number, counted = true): GpuBuffer {
    const size = sizeClass(bytes);
    if (size > this.maxBytes) {
      throw new Error(
        `WebGPU out of memory: a ${dtype} buffer of ${length} elements asks for ${mib(size)}, more than ` +
          `the adapter's largest buffer (${mib(this.maxBytes)}); ${mib(this.live)} is in use by tensors. ` +
          'Work in smaller pieces (e.g. smaller batches).',
      );
    }
    const cached = this.free.get(size)?.pop();
    const gpu = cached ?? this.create(size, dtype, length);
    if (counted) {
      this.live += length * itemSize[dtype];
      this.peak = Math.max(this.peak, this.live);
    }
    return new GpuBuffer(dtype, length, gpu, cached !== undefined);
  }

  give(buffer: GpuBuffer, counted = true): void {
    if (counted) this.live -= buffer.length * itemSize[buffer.dtype];
    const size = buffer.gpu.size;
    const list = this.free.get(size);
    if (!list) {
      this.free.set(size, [buffer.gpu]);
      return;
    }
    // Insertion into a list sorted by age: a class rarely holds more than a few dozen buffers.
    const age = this.age.get(buffer.gpu)!;
    let at = list.length;
    while (at > 0 && this.age.get(list[at - 1]!)! < age) at--;
    list.splice(at, 0, buffer.gpu);
  }

  /** Destroys every cached buffer (torch.cuda.empty_cache). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const gpu of list) {
        this.held -= gpu.size;
        this.destroying(gpu);
        gpu.destroy();
      }
    }
    this.free.clear();
  }

  stats(): MemoryStats {
    return { allocated: this.live, maxAllocated: this.peak, reserved: this.held };
  }

  resetPeak(): void {
    this.peak = this.live;
  }

  private create(size: number, dtype: DType, length: number): GPUBuffer {
    this.device.pushErrorScope('out-of-memory');
    const gpu = this.device.createBuffer({ size, usage: this.usage });
    const inUse = this.live;
    this.errors.watch(
      this.device.popErrorScope(),
      () =>
        new Error(
          `WebGPU out of memory: a ${dtype} buffer of ${length} elements asked for ${mib(size)} while ` +
            `${mib(inUse)} was in use by tensors (${mib(this.held)} reserved). Free tensors you no ` +
            'longer need, or use smaller batches.',
        ),
    );
    this.held += size;
    this.age.set(gpu, this.created++);
    return gpu;
  }
}

function mib(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes} bytes`;
}
