/**
 * A tensor's memory: one device buffer shared by every view of it, plus PyTorch's version counter
 * (bumped by in-place ops so autograd can tell when a saved tensor was modified).
 *
 * JavaScript has no destructors, so a buffer goes back to its backend when the last tensor viewing
 * it is garbage-collected (a FinalizationRegistry), or at once through `release()` where the engine
 * knows nobody else can hold it. Its bytes count in torch.memory from allocation until the engine
 * lets go of it or the collector frees it (see ledger.ts).
 */
import type { Backend, DeviceBuffer } from '../backend/types.ts';
import * as ledger from './ledger.ts';

interface Held {
  backend: Backend;
  buffer: DeviceBuffer;
  released: boolean;
  /** Registered with the finalizer (see escape). */
  escaped: boolean;
  entry: ledger.Entry;
}

const finalizer = new FinalizationRegistry<Held>((held) => {
  if (!held.released) {
    held.released = true;
    held.backend.release(held.buffer);
    ledger.closeLater(held.entry);
  }
});

/** Storages made so far: a serial number tells which storages a piece of code created. */
let created = 0;

export function storagesCreated(): number {
  return created;
}

export class Storage {
  version = 0;
  /** Order of creation (see storagesCreated). */
  readonly serial = created++;
  /** Dies with this storage: the ledger watches it instead of the storage (see ledger.ts). */
  private readonly life = {};
  private readonly held: Held;

  constructor(
    readonly backend: Backend,
    readonly buffer: DeviceBuffer,
  ) {
    // The registry holds `held` strongly until its callback runs, and callbacks run only as macrotasks:
    // a training loop that awaits nothing but microtasks (for await over a DataLoader) would keep every
    // CPU typed array it ever made. CPU release() only counts bytes, so it gets the buffer without its data.
    const token: DeviceBuffer =
      buffer.device === 'cpu' ? { device: buffer.device, dtype: buffer.dtype, length: buffer.length } : buffer;
    this.held = {
      backend,
      buffer: token,
      released: false,
      escaped: false,
      entry: ledger.open(this, this.life, buffer),
    };
    if (!ledger.capturing()) this.escape();
  }

  /**
   * From now on the collector hands the buffer back once no tensor views it: the ledger calls this
   * when the engine code that made the storage returns without releasing it (see ledger.capture).
   */
  escape(): void {
    if (this.held.released || this.held.escaped) return;
    this.held.escaped = true;
    finalizer.register(this, this.held, this.held);
  }

  /** This storage's line in the memory ledger. */
  get entry(): ledger.Entry {
    return this.held.entry;
  }

  get released(): boolean {
    return this.held.released;
  }

  release(): void {
    if (this.held.released) return;
    this.held.released = true;
    if (this.held.escaped) finalizer.unregister(this.held);
    this.backend.release(this.buffer);
    ledger.close(this.held.entry);
  }
}
