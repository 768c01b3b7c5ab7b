/**
 * A tensor's memory: one device buffer shared by every view of it, plus PyTorch's version counter
 * (bumped by in-place ops so autograd can tell when a saved tensor was modified).
 *
 * JavaScript has no destructors, so a buffer goes back to its backend when the last tensor viewing
 * it is garbage-collected (a FinalizationRegistry), or at once through `release()` where the engine
 * knows nobody else can hold it.
 */
import type { Backend, DeviceBuffer } from '../backend/types.ts';

const finalizer = new FinalizationRegistry<{ backend: Backend; buffer: DeviceBuffer; released: boolean }>((held) => {
  if (!held.released) {
    held.released = true;
    held.backend.release(held.buffer);
  }
});

export class Storage {
  version = 0;
  private readonly held: { backend: Backend; buffer: DeviceBuffer; released: boolean };

  constructor(
    readonly backend: Backend,
    readonly buffer: DeviceBuffer,
  ) {
    this.held = { backend, buffer, released: false };
    finalizer.register(this, this.held, this.held);
  }

  get released(): boolean {
    return this.held.released;
  }

  release(): void {
    if (this.held.released) return;
    this.held.released = true;
    finalizer.unregister(this.held);
    this.backend.release(this.buffer);
  }
}
