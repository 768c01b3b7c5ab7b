/**
 * GPU memory recycled by size class. Creating a GPUBuffer is slow and a training loop frees and
 * re-allocates the same sizes every step, so released memory waits in a free list for the next
 * request of its class. Figures are deterministic: they depend only on the sequence of
 * alloc/release calls, never on garbage collection.
 *
 * A tensor's storage is a block of a slab: one GPUBuffer holding blocks of one size class, bound at
 * a dynamic offset (see bind-groups.ts). Bind groups then name slabs, not tensors, and a training
 * step finds every one in the cache, however the tensors of the last steps came back. They do not
 * come back in a fixed order: a tensor the program made and dropped (the loss, the logits) returns
 * its memory only when the garbage collector finds it, so the same role takes a different block from
 * step to step; with one GPUBuffer per tensor the MNIST MLP step created 11 of its 36 bind groups
 * anew. A class's slabs grow geometrically (twice the blocks of the last), so a handful of slabs
 * hold any class and at most half of one is idle.
 *
 * A request gets the free block made earliest (lowest slab, then lowest offset), so use stays in
 * the first slabs and later ones empty out for emptyCache() to destroy.
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
    /** The slab holding the block. */
    readonly gpu: GPUBuffer,
    /** Where the block starts in `gpu`, in bytes. */
    readonly offset: number,
    /** The block's size in bytes (its size class): what a binding of it spans. */
    readonly size: number,
    /** True when the block held earlier data (a fresh GPUBuffer is zero-filled by WebGPU). */
    readonly recycled: boolean,
  ) {}
}

/** Four classes per power of two (at most 25% slack), never below 256 bytes. */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const step = 2 ** Math.floor(Math.log2(bytes)) / 4;
  return Math.ceil(bytes / step) * step;
}

/** The first slab of a class spans at least this much; its blocks number a power of two. */
const FIRST_SLAB_BYTES = 1024 * 1024;
/** No slab beyond this holds more than one block, so a large tensor never reserves twice its size. */
const MAX_SLAB_BYTES = 64 * 1024 * 1024;

interface Slab {
  readonly gpu: GPUBuffer;
  /** Bytes from one block to the next: the class rounded up to the offset alignment. */
  readonly stride: number;
  /** Rank of block 0 among all blocks the pool made: the order requests take free blocks in. */
  readonly first: number;
  /** Blocks that have held a tensor: a block taken again must be cleared before use. */
  readonly used: Uint8Array;
  taken: number;
}

interface Block {
  readonly slab: Slab;
  readonly index: number;
}

export class BufferPool {
  /** Free blocks by size class, latest made first, so pop() takes the earliest. */
  private readonly free = new Map<number, Block[]>();
  /** Slabs made per class, whose count sets the next one's size. */
  private readonly slabs = new Map<number, Slab[]>();
  private readonly slabOf = new Map<GPUBuffer, Slab>();
  private ranks = 0;
  private live = 0;
  private peak = 0;
  private held = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
    private readonly errors: DeviceErrors,
    private readonly maxBytes: number,
    /** Alignment of a storage binding's offset (minStorageBufferOffsetAlignment). */
    private readonly alignment: number,
    /** Told of each slab just before it is destroyed (cached bind groups naming it must go). */
    private readonly destroying: (gpu: GPUBuffer) => void,
  ) {}

  /** A block for `length` elements taking `bytes` of GPU memory; `counted` tensors' storage shows in `allocated`. */
  take(dtype: DType, length: number, bytes: number, counted = true): GpuBuffer {
    const size = sizeClass(bytes);
    if (size > this.maxBytes) {
      throw new Error(
        `WebGPU out of memory: a ${dtype} buffer of ${length} elements asks for ${mib(size)}, more than ` +
          `the adapter's largest buffer (${mib(this.maxBytes)}); ${mib(this.live)} is in use by tensors. ` +
          'Work in smaller pieces (e.g. smaller batches).',
      );
    }
    let list = this.free.get(size);
    if (!list?.length) list = this.grow(size, dtype, length);
    const { slab, index } = list.pop()!;
    slab.taken++;
    const recycled = slab.used[index] === 1;
    slab.used[index] = 1;
    if (counted) {
      this.live += length * itemSize[dtype];
      this.peak = Math.max(this.peak, this.live);
    }
    return new GpuBuffer(dtype, length, slab.gpu, index * slab.stride, size, recycled);
  }

  give(buffer: GpuBuffer, counted = true): void {
    if (counted) this.live -= buffer.length * itemSize[buffer.dtype];
    const slab = this.slabOf.get(buffer.gpu)!;
    slab.taken--;
    const block = { slab, index: buffer.offset / slab.stride };
    const list = this.free.get(buffer.size)!;
    // Insertion into a list sorted by rank: a class rarely holds more than a few dozen free blocks.
    const rank = slab.first + block.index;
    let at = list.length;
    while (at > 0 && rankOf(list[at - 1]!) < rank) at--;
    list.splice(at, 0, block);
  }

  /** Destroys every slab no tensor has a block in (torch.cuda.empty_cache). */
  trim(): void {
    for (const [size, slabs] of this.slabs) {
      const idle = new Set(slabs.filter((slab) => slab.taken === 0));
      if (idle.size === 0) continue;
      for (const slab of idle) {
        this.held -= slab.gpu.size;
        this.slabOf.delete(slab.gpu);
        this.destroying(slab.gpu);
        slab.gpu.destroy();
      }
      this.slabs.set(
        size,
        slabs.filter((slab) => !idle.has(slab)),
      );
      this.free.set(
        size,
        this.free.get(size)!.filter((block) => !idle.has(block.slab)),
      );
    }
  }

  stats(): MemoryStats {
    return { allocated: this.live, maxAllocated: this.peak, reserved: this.held };
  }

  resetPeak(): void {
    this.peak = this.live;
  }

  /** Makes the class's next slab; returns the class's free list, now holding its blocks. */
  private grow(size: number, dtype: DType, length: number): Block[] {
    const slabs = this.slabs.get(size) ?? [];
    this.slabs.set(size, slabs);
    const stride = Math.ceil(size / this.alignment) * this.alignment;
    const most = Math.max(1, Math.floor(MAX_SLAB_BYTES / stride));
    const first = 2 ** Math.max(0, Math.ceil(Math.log2(FIRST_SLAB_BYTES / stride)));
    const bytes = Math.min(most, first * 2 ** slabs.length) * stride;
    this.device.pushErrorScope('out-of-memory');
    const gpu = this.device.createBuffer({ size: bytes, usage: this.usage });
    const inUse = this.live;
    this.errors.watch(
      this.device.popErrorScope(),
      () =>
        new Error(
          `WebGPU out of memory: a ${dtype} buffer of ${length} elements asked for ${mib(bytes)} while ` +
            `${mib(inUse)} was in use by tensors (${mib(this.held)} reserved). Free tensors you no ` +
            'longer need, or use smaller batches.',
        ),
    );
    this.held += bytes;
    const count = bytes / stride;
    const slab: Slab = { gpu, stride, first: this.ranks, used: new Uint8Array(count), taken: 0 };
    this.ranks += count;
    slabs.push(slab);
    this.slabOf.set(gpu, slab);
    // Called when the class has no free block: the list is the new slab's, latest first.
    const list: Block[] = [];
    for (let index = count - 1; index >= 0; index--) list.push({ slab, index });
    this.free.set(size, list);
    return list;
  }
}

function rankOf(block: Block): number {
  return block.slab.first + block.index;
}

function mib(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes} bytes`;
}
