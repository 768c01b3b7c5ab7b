import { describe, expect, it } from 'vitest';
import { SPIN_MS, deferred, gpuWait } from '../../../engine/backends/webgpu/polling.ts';

describe('webgpu waits let Dawn poll without spinning', () => {
  it('defers native callbacks (as Dawn queues its polls) once a wait has lasted SPIN_MS, never JavaScript ones', () => {
    const native = Math.max;
    const bound = function poll() {}.bind(null);
    expect(deferred(native, SPIN_MS)).toBe(true);
    expect(deferred(bound, 5)).toBe(true);
    expect(deferred(native, SPIN_MS / 2)).toBe(false);
    expect(deferred(() => {}, 5)).toBe(false);
    expect(deferred(function poll() {}, 5)).toBe(false);
    expect(deferred('not a function', 5)).toBe(false);
  });

  it('swaps setImmediate only while a wait is pending, restores it after nested waits and rejections', async () => {
    const original = globalThis.setImmediate;
    let release!: () => void;
    const outer = gpuWait(new Promise<void>((resolve) => (release = resolve)));
    expect(globalThis.setImmediate).not.toBe(original);
    // JavaScript callbacks still run through the swapped global.
    expect(await new Promise((resolve) => globalThis.setImmediate(() => resolve('ran')))).toBe('ran');
    await expect(gpuWait(Promise.reject(new Error('device lost')))).rejects.toThrow('device lost');
    expect(globalThis.setImmediate).not.toBe(original);
    release();
    await outer;
    expect(globalThis.setImmediate).toBe(original);
  });
});
