/**
 * Memory accounting: the bytes of tensor storage per device, as torch.cuda.memory_allocated reports
 * them, and the peak of that figure.
 *
 * JavaScript frees a tensor when its garbage collector gets round to it, at times that differ from
 * run to run; even a forced collection can find an object still held by a compile job of V8 running
 * in the background. So the figures never wait for the collector where the engine knows better: a
 * storage stops counting as soon as the engine lets go of it (`close`), which it does for
 *  - the temporaries an op makes inside its forward or backward that are neither its output nor saved,
 *  - a graph's outputs and saved tensors when backward frees the graph (retainGraph: false),
 *  - whatever backward() or an optimizer's step allocated besides the gradients and state they keep,
 *  - a gradient backward() made, once zeroGrad() (or assigning `.grad`) replaces it.
 * Only the rest (tensors the program itself made and dropped) waits for the collector. Where Node
 * runs with --expose-gc (the tests, graders and bench do), those count until a settle point,
 * `torch.memory.collect()`, forces a collection and finds them gone; without it, until the collector
 * frees them. Closing only stops the count: the buffer itself goes back to the backend when the last
 * tensor viewing it is collected, so a tensor the program still holds stays valid; or at once
 * (its owner's release()) where no tensor the program can reach views it (what engine code made and
 * kept to itself: see capture, and autograd's Node.freeLater and backward walk), so the backend
 * reuses it.
 *
 * An entry never references its owner: it watches a token only the owner holds (`life`), which the
 * collector frees with it. A WeakRef to the owner itself would keep the owner, and its buffer, alive
 * to the end of the current job (WeakRef's KeepDuringJob): a loop that awaits only microtasks
 * (`for await` over a DataLoader) is one job, so every tensor of an epoch stayed in memory.
 */
import { itemSize, type Device } from '../dtype.ts';
import type { DeviceBuffer } from '../backend/types.ts';

/** What an entry counts: a storage, which can hand its buffer back at once (Storage.release). */
export interface Owner {
  readonly entry: Entry;
  release(): void;
}

export interface Entry {
  /** Cleared once the owner is collected (see above). */
  readonly life: WeakRef<object>;
  readonly device: Device;
  readonly bytes: number;
  /** Already subtracted from `allocated` (closed by the engine, or found gone at a settle point). */
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
/** The storages opened since the innermost `capture()` began, or null outside one. */
let captured: Owner[] | null = null;

function account(device: Device): Account {
  let a = accounts.get(device);
  if (!a) accounts.set(device, (a = { allocated: 0, peak: 0, freedSinceSettle: 0 }));
  return a;
}

/**
 * Starts counting a storage's buffer; returns the entry its owner reports back with. `life`: an
 * object only the owner references, so that it is collected with the owner.
 */
export function open(owner: Owner, life: object, buffer: DeviceBuffer): Entry {
  const entry: Entry = {
    life: new WeakRef(life),
    device: buffer.device,
    bytes: buffer.length * itemSize[buffer.dtype],
    settled: false,
  };
  const a = account(entry.device);
  a.allocated += entry.bytes;
  if (a.allocated > a.peak) a.peak = a.allocated;
  entries.add(entry);
  captured?.push(owner);
  return entry;
}

/** The engine let go of the storage: it stops counting at once. */
export function close(entry: Entry): void {
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
  if (!deferred()) return close(entry);
  entry.settled = true;
  entries.delete(entry);
  account(entry.device).freedSinceSettle += entry.bytes;
}

/**
 * Runs `fn`, then closes every storage it opened that `keep` (asked afterwards, with fn's result)
 * does not name: the engine knows nothing else holds them. With `freeing`, fn ran only engine code
 * that hands no tensor elsewhere, so no tensor anyone can reach views those storages either: their
 * buffers go back to the backend at once. Returns the result and the storages kept, which also
 * count as opened by the enclosing capture.
 */
export function capture<T>(
  fn: () => T,
  keep: (result: T) => Iterable<Entry>,
  freeing = false,
): { result: T; kept: Owner[] } {
  const outer = captured;
  const opened: Owner[] = (captured = []);
  let result: T;
  try {
    result = fn();
  } finally {
    captured = outer;
  }
  const keeping = new Set(keep(result));
  const kept: Owner[] = [];
  for (const owner of opened) {
    if (owner.entry.settled) continue;
    if (keeping.has(owner.entry)) kept.push(owner);
    else if (freeing) owner.release();
    else close(owner.entry);
  }
  if (outer) for (const owner of kept) outer.push(owner);
  return { result, kept };
}

/**
 * Subtracts every storage freed since the last settle point. Right after a full collection that is
 * exactly the set of storages no longer reachable, whichever of them the finalizers reached yet.
 */
export function settle(): void {
  for (const entry of entries) {
    if (entry.life.deref() === undefined) closeLater(entry);
  }
  for (const a of accounts.values()) {
    a.allocated -= a.freedSinceSettle;
    a.freedSinceSettle = 0;
  }
}

export function allocated(device: Device): number {
  return accounts.get(device)?.allocated ?? 0;
}

/** Bytes still counted in `allocated` whose buffers the backend already got back (until the next settle). */
export function awaitingSettle(device: Device): number {
  return accounts.get(device)?.freedSinceSettle ?? 0;
}

export function maxAllocated(device: Device): number {
  return accounts.get(device)?.peak ?? 0;
}

export function resetPeak(device: Device): void {
  const a = account(device);
  a.peak = a.allocated;
}
