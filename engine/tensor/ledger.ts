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
 * (`for await` over a DataLoader) is one job, so every tensor of an epoch stayed in memory. The
 * entry holds the token itself until a settle point is near (`watch`), and only then a WeakRef to
 * it: most storages are closed long before, and a WeakRef cost a microsecond a storage. Holding the
 * token keeps nothing else alive, and a WeakRef made later clears just the same once the owner is
 * gone, since the owner is the token's only other holder.
 */
import { itemSize, type Device } from '../dtype.ts';
import type { DeviceBuffer } from '../backend/types.ts';

/**
 * What an entry counts: a storage, which can hand its buffer back at once (Storage.release), or
 * have the collector hand it back once nothing views it (escape).
 */
export interface Owner {
  readonly entry: Entry;
  readonly released: boolean;
  release(): void;
  escape(): void;
}

export interface Entry {
  /** The owner's token, held until `watch` hands it to `life`. */
  token: object | null;
  /** Cleared once the owner is collected (see above); null until `watch`. */
  life: WeakRef<object> | null;
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
/** The entries not yet settled, and settled ones until the next compaction (see open). */
let entries: Entry[] = [];
/** entries.length at which open() next drops the settled ones: twice what was left the last time. */
let compactAt = 1024;
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
    token: life,
    life: null,
    device: buffer.device,
    bytes: buffer.length * itemSize[buffer.dtype],
    settled: false,
  };
  const a = account(entry.device);
  a.allocated += entry.bytes;
  if (a.allocated > a.peak) a.peak = a.allocated;
  if (entries.length >= compactAt) compact();
  entries.push(entry);
  captured?.push(owner);
  return entry;
}

/** Whether engine code is running under capture: a storage opened now escapes when it ends, if ever. */
export function capturing(): boolean {
  return captured !== null;
}

/** Drops settled entries from the list (amortized: the list at least halves, or the bound doubles). */
function compact(): void {
  entries = entries.filter((entry) => !entry.settled);
  compactAt = Math.max(1024, 2 * entries.length);
}

/** The engine let go of the storage: it stops counting at once. */
export function close(entry: Entry): void {
  if (entry.settled) return;
  entry.settled = true;
  entry.token = null;
  account(entry.device).allocated -= entry.bytes;
}

/** Whether frees wait for a settle point: only where a settle point can force a collection. */
const deferred = (): boolean => typeof (globalThis as { gc?: unknown }).gc === 'function';

/** The collector freed the storage: it stops counting at the next settle point (or now, see above). */
export function closeLater(entry: Entry): void {
  if (entry.settled) return;
  if (!deferred()) return close(entry);
  entry.settled = true;
  entry.token = null;
  account(entry.device).freedSinceSettle += entry.bytes;
}

/**
 * Runs `fn`, then closes every storage it opened that `keep` (asked afterwards, with fn's result)
 * does not name: the engine knows nothing else holds them. With `freeing`, fn ran only engine code
 * that hands no tensor elsewhere, so no tensor anyone can reach views those storages either: their
 * buffers go back to the backend at once. Returns the result and the storages kept, which also
 * count as opened by the enclosing capture.
 *
 * A storage escapes to the collector (Owner.escape, a no-op once released) when a capture lets go of
 * it unreleased, or when the outermost capture keeps it: most of a step's storages are released
 * before, and never cost a registration.
 */
export function capture<T>(
  fn: () => T,
  keep: (result: T) => readonly Entry[],
  freeing = false,
): { result: T; kept: Owner[] } {
  const outer = captured;
  const opened: Owner[] = (captured = []);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    captured = outer;
    for (const owner of opened) owner.escape();
    throw error;
  }
  captured = outer;
  const named = keep(result);
  // A scan of a short list costs less than making a Set of it (most ops keep one to three).
  const keeping = named.length > 16 ? new Set(named) : named;
  const kept: Owner[] = [];
  for (const owner of opened) {
    if (owner.entry.settled) owner.escape();
    else if (keeping instanceof Set ? keeping.has(owner.entry) : keeping.includes(owner.entry)) {
      kept.push(owner);
      if (outer) outer.push(owner);
      else owner.escape();
    } else if (freeing) owner.release();
    else {
      close(owner.entry);
      owner.escape();
    }
  }
  return { result, kept };
}

/**
 * Starts watching every open entry's token through a WeakRef (see above), ahead of a settle point: in
 * an earlier job than the collection, since a WeakRef keeps its target to the end of the job that
 * made it.
 */
export function watch(): void {
  compact();
  for (const entry of entries) {
    if (entry.life !== null) continue;
    entry.life = new WeakRef(entry.token!);
    entry.token = null;
  }
}

/**
 * Subtracts every storage freed since the last settle point. Right after a full collection that is
 * exactly the set of watched storages no longer reachable, whichever of them the finalizers reached
 * yet; one opened since the last `watch` counts until the next settle point.
 */
export function settle(): void {
  for (const entry of entries) {
    if (!entry.settled && entry.life !== null && entry.life.deref() === undefined) closeLater(entry);
  }
  compact();
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
