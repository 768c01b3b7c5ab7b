/**
 * torch.memory: bytes held by live tensors on a device (torch.cuda.memory_allocated and friends).
 *
 * The figures depend only on the program (see tensor/ledger.ts): what the engine knows is dead (op
 * and backward temporaries, a graph backward freed, optimizer temporaries, replaced gradients) stops
 * counting at once; a tensor the program drops counts until `await torch.memory.collect()` finds it
 * unreachable (under node --expose-gc, as the tests, graders and `npm run bench` run; without it,
 * until the garbage collector frees it). So a training loop reads the same live peak on every run
 * with no collect() between steps; engine/API.md says how to measure a region.
 */
import { backendFor, hasBackend } from './backend/registry.ts';
import type { Device } from './dtype.ts';
import * as ledger from './tensor/ledger.ts';

/** Bytes of live tensor storage on the device (as of the last collect(), plus what was allocated since). */
export function allocated(device: Device = 'cpu'): number {
  return ledger.allocated(device);
}

/** The most `allocated` has been since the start or the last resetPeakStats(). */
export function maxAllocated(device: Device = 'cpu'): number {
  return ledger.maxAllocated(device);
}

/**
 * Bytes held from the system: buffers of live tensors and of garbage not yet collected, the backend's
 * pool of free buffers, and buffers already freed that `allocated` still counts until the next
 * collect(); so never less than allocated().
 */
export function reserved(device: Device = 'cpu'): number {
  return (hasBackend(device) ? backendFor(device).memory.reserved : 0) + ledger.awaitingSettle(device);
}

export function resetPeakStats(device: Device = 'cpu'): void {
  ledger.resetPeak(device);
  if (hasBackend(device)) backendFor(device).resetPeakStats();
}

/** Whether collect() can force a collection (node --expose-gc). */
export function canCollect(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

/** Frees every tensor nobody can reach any more and brings the figures up to date. */
export async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  // A fresh task first: objects touched in the current one (and the ledger's watch) are kept alive until it ends.
  ledger.watch();
  await new Promise((resolve) => setImmediate(resolve));
  gc?.();
  ledger.settle();
  // Let the finalizers hand the buffers back to their backends (the pool, on a GPU).
  await new Promise((resolve) => setTimeout(resolve, 0));
}
