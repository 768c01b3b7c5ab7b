/**
 * Typed arrays the engine freed, kept for the next tensor of the same dtype and length. A training
 * step allocates the same shapes every step, so once the engine hands back what it knows is dead
 * (tensor/storage.ts: release) a steady-state step takes every array from here, and neither
 * allocates nor leaves garbage for the collector. Arrays a collection freed never come here: the
 * collector reclaims them itself.
 */
import { hostArray, itemSize, type DType, type HostArray } from '../../dtype.ts';

/** Above this many bytes waiting, a freed array goes to the collector instead (a bound on idle memory). */
const MAX_POOLED_BYTES = 256 * 2 ** 20;

export class ArrayPool {
  private readonly free = new Map<DType, Map<number, HostArray[]>>();
  /** Bytes waiting in the pool. */
  pooled = 0;
  /** Arrays allocated fresh because none of their dtype and length was waiting. */
  misses = 0;

  /** A zero-filled array: a freed one when one waits, else a new one. */
  take(dtype: DType, length: number): HostArray {
    const waiting = this.free.get(dtype)?.get(length)?.pop();
    if (!waiting) {
      this.misses++;
      return hostArray(dtype, length);
    }
    this.pooled -= length * itemSize[dtype];
    return waiting.fill(0);
  }

  give(dtype: DType, data: HostArray): void {
    const bytes = data.length * itemSize[dtype];
    if (data.length === 0 || this.pooled + bytes > MAX_POOLED_BYTES) return;
    let byLength = this.free.get(dtype);
    if (!byLength) this.free.set(dtype, (byLength = new Map()));
    const list = byLength.get(data.length);
    if (list) list.push(data);
    else byLength.set(data.length, [data]);
    this.pooled += bytes;
  }
}
