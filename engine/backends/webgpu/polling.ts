/**
 * Waiting on the GPU without spinning the JavaScript thread. Dawn for Node settles its promises
 * (mapAsync, onSubmittedWorkDone, popErrorScope) by polling: while one is pending it queues a native
 * callback with the global `setImmediate`, which queues the next, so an `await` keeps this thread
 * busy for as long as the GPU works. On lavapipe the GPU is the CPU, and that loop took a core from
 * the driver's threads: in the MNIST MLP benchmark (a read every 20 steps) the JavaScript thread
 * spent 7–10 of its 11–14 CPU-ms per step polling.
 *
 * While the backend awaits the GPU (`gpuWait`), Dawn's polls run as they did for the first
 * SPIN_MS, then through a 1 ms `setTimeout`: the thread sleeps between polls, and a read that waits
 * on real work answers at most about a millisecond later. Dawn looks `setImmediate` up on the global
 * object at every poll, so the swap takes effect at its next one; callbacks written in JavaScript
 * (everyone else's) go to the real `setImmediate` throughout, and the global is restored when the
 * last wait ends.
 */

/** How long Dawn's polls run back to back before they sleep: short waits stay as quick as before. */
export const SPIN_MS = 0.5;

const realTimeout = globalThis.setTimeout;
let waits = 0;
let since = 0;
let original: typeof setImmediate | null = null;

/**
 * Whether a callback Dawn (or other native code) queued is deferred by a timer: true for a native
 * function once the current wait has lasted SPIN_MS.
 */
export function deferred(callback: unknown, waitedMs: number): boolean {
  return (
    waitedMs >= SPIN_MS &&
    typeof callback === 'function' &&
    Function.prototype.toString.call(callback).endsWith('{ [native code] }')
  );
}

function politeImmediate(callback: (...args: unknown[]) => void, ...args: unknown[]): unknown {
  if (deferred(callback, performance.now() - since)) return realTimeout(callback, 1, ...args);
  return original!(callback, ...args);
}

/** Awaits `promise`, a Dawn promise already created, with Dawn's polling slowed as above. */
export async function gpuWait<T>(promise: Promise<T>): Promise<T> {
  if (waits++ === 0) {
    since = performance.now();
    original = globalThis.setImmediate;
    globalThis.setImmediate = politeImmediate as unknown as typeof setImmediate;
  }
  try {
    return await promise;
  } finally {
    if (--waits === 0) {
      // Someone who replaced it meanwhile (a test's fake timers) keeps theirs.
      if (globalThis.setImmediate === (politeImmediate as unknown)) globalThis.setImmediate = original!;
      original = null;
    }
  }
}
