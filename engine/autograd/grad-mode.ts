/**
 * Whether operations are recorded for autograd. Kept per async context (AsyncLocalStorage), so
 * `await torch.noGrad(async () => { for await (const b of loader) … })` turns recording off only
 * for that evaluation loop, not for a training step interleaved with it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { argTypeError } from '../args.ts';

const mode = new AsyncLocalStorage<boolean>();
let defaultEnabled = true;
/** The mode while engine code runs synchronously under withGradModeSync, else undefined. */
let syncMode: boolean | undefined;

export function isGradEnabled(): boolean {
  return syncMode ?? mode.getStore() ?? defaultEnabled;
}

/** Runs fn with recording on or off; a promise it returns keeps that mode until it settles. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const outer = syncMode;
  syncMode = undefined;
  try {
    return mode.run(enabled, fn);
  } finally {
    syncMode = outer;
  }
}

/**
 * withGradMode for engine code that does all its work before it returns (an op's forward): the mode
 * holds until fn returns, with no async context, which cost an AsyncLocalStorage.run per op.
 */
export function withGradModeSync<T>(enabled: boolean, fn: () => T): T {
  const outer = syncMode;
  syncMode = enabled;
  try {
    return fn();
  } finally {
    syncMode = outer;
  }
}

// AsyncLocalStorage.run with a non-function fails in Node's own words ("ReflectApply is not a function").
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw argTypeError('torch.noGrad', 'fn', 1, 'a function', fn);
  return withGradMode(false, fn);
}

export function enableGrad<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw argTypeError('torch.enableGrad', 'fn', 1, 'a function', fn);
  return withGradMode(true, fn);
}

/** torch.set_grad_enabled(mode) outside of any noGrad/enableGrad scope. */
export function setGradEnabled(enabled: boolean): void {
  defaultEnabled = enabled;
}
