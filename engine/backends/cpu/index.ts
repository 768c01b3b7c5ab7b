/** The CPU backend: typed arrays and JavaScript kernels (the reference every other backend matches). */
import type { Backend, DeviceBuffer, MemoryStats, View } from '../../backend/types.ts';
import { hostArray, itemSize, storeRounding, type DType, type HostArray } from '../../dtype.ts';
import { contiguousStrides } from '../../tensor/shape.ts';
import { makeCpuBuffer, type CpuBuffer } from './buffer.ts';
import { ArrayPool } from './pool.ts';
import { binary, reluBackward, unary, where } from './elementwise.ts';
import { gather, scatterAdd } from './gather.ts';
import { col2im, im2col } from './im2col.ts';
import { logSoftmaxBackward, nllLoss, nllLossBackward } from './loss.ts';
import { matmul } from './matmul.ts';
import { adamStep } from './optim.ts';
import { fused } from './fused.ts';
import { argReduce, reduce, softmax } from './reduce.ts';
import { argsort } from './sort.ts';
import { contiguous, elementwise } from './strided.ts';

class CpuMemory implements MemoryStats {
  allocated = 0;
  maxAllocated = 0;
  readonly pool = new ArrayPool();
  get reserved(): number {
    return this.allocated + this.pool.pooled;
  }
  /** Arrays the backend kept as made for it (adopt): new arrays all the same. */
  adopted = 0;
  get freshAllocations(): number {
    return this.pool.misses + this.adopted;
  }
  add(bytes: number): void {
    this.allocated += bytes;
    if (this.allocated > this.maxAllocated) this.maxAllocated = this.allocated;
  }
}

class CpuBackend implements Backend {
  readonly device = 'cpu' as const;
  readonly memory = new CpuMemory();

  alloc(dtype: DType, length: number): CpuBuffer {
    this.memory.add(length * itemSize[dtype]);
    return makeCpuBuffer(dtype, this.memory.pool.take(dtype, length));
  }

  upload(data: HostArray, dtype: DType): CpuBuffer {
    const buffer = this.alloc(dtype, data.length);
    const round = storeRounding(dtype);
    if (round) {
      for (let i = 0; i < data.length; i++) buffer.data[i] = round(data[i]!);
    } else if (dtype === 'bool') {
      for (let i = 0; i < data.length; i++) buffer.data[i] = data[i] !== 0 ? 1 : 0;
    } else {
      buffer.data.set(data);
    }
    return buffer;
  }

  /**
   * Keeps the array itself where a copy would only move it: the dtype's own array type, needing no
   * rounding (float16, bfloat16) or normalising (bool), and owning all of its ArrayBuffer (so the
   * bytes counted are the bytes held). A 188 MB torch.ones then costs one array, not two and a copy.
   */
  adopt(data: HostArray, dtype: DType): CpuBuffer {
    const own =
      !storeRounding(dtype) &&
      dtype !== 'bool' &&
      data.constructor === hostArray(dtype, 0).constructor &&
      data.byteOffset === 0 &&
      data.byteLength === data.buffer.byteLength;
    if (!own) return this.upload(data, dtype);
    this.memory.add(data.length * itemSize[dtype]);
    this.memory.adopted++;
    return makeCpuBuffer(dtype, data);
  }

  async read(view: View): Promise<HostArray> {
    return this.readSync(view);
  }

  /** The CPU can answer at once; the op layer uses this where a value decides control flow. */
  readSync(view: View): HostArray {
    const n = view.shape.reduce((a, b) => a * b, 1);
    // A contiguous view is a run of its array: one memcpy (a 188 MB MNIST tensor in a tenth of the loop's time).
    if (contiguous(view)) return (view.buffer as CpuBuffer).data.slice(view.offset, view.offset + n);
    const out = makeCpuBuffer(view.buffer.dtype, hostArray(view.buffer.dtype, n));
    elementwise('copy', 'v0', [view], {
      buffer: out,
      shape: view.shape,
      strides: contiguousStrides(view.shape),
      offset: 0,
    });
    return out.data;
  }

  /** A buffer the engine freed brings its array to the pool; the collector's (see Storage) only its count. */
  release(buffer: DeviceBuffer): void {
    this.memory.allocated -= buffer.length * itemSize[buffer.dtype];
    const data = (buffer as Partial<CpuBuffer>).data;
    if (data) this.memory.pool.give(buffer.dtype, data);
  }

  resetPeakStats(): void {
    this.memory.maxAllocated = this.memory.allocated;
  }

  unary = unary;
  binary = binary;
  where = where;
  reluBackward = reluBackward;
  logSoftmaxBackward = logSoftmaxBackward;
  nllLoss = nllLoss;
  nllLossBackward = nllLossBackward;
  reduce = reduce;
  argReduce = argReduce;
  argsort = argsort;
  matmul = matmul;
  gather = gather;
  scatterAdd = scatterAdd;
  softmax = softmax;
  adamStep = adamStep;
  fused = fused;
  im2col = im2col;
  col2im = col2im;
}

export type { CpuBackend };
export const cpuBackend = new CpuBackend();
