import { afterAll, expect, it } from 'vitest';
import { DeviceErrors } from '../../../engine/backends/webgpu/errors.ts';
import { destroyWebGPU } from '../../../engine/backends/webgpu/index.ts';
import { PipelineCache } from '../../../engine/backends/webgpu/pipelines.ts';
import { assertStorable } from '../../../engine/backends/webgpu/dtypes.ts';
import { sizeClass } from '../../../engine/backends/webgpu/buffer-pool.ts';
import { contiguous, describeWebGPU, gpu, viewOf } from './harness.ts';

afterAll(destroyWebGPU);

describeWebGPU('webgpu memory statistics', () => {
  it('count logical bytes per dtype (bool is 1 byte, float16 2) and return to the same figure after release', () => {
    const before = gpu!.memory.allocated;
    const buffers = [
      gpu!.alloc('bool', 10),
      gpu!.alloc('float16', 10),
      gpu!.alloc('int32', 10),
      gpu!.alloc('float32', 10),
    ];
    expect(gpu!.memory.allocated - before).toBe(10 + 20 + 40 + 40);
    for (const b of buffers) gpu!.release(b);
    expect(gpu!.memory.allocated).toBe(before);
  });

  it('stay flat in a training-like loop: allocated returns, the peak is exact, the pool stops growing', () => {
    gpu!.resetPeakStats();
    const base = gpu!.memory.allocated;
    const step = (): void => {
      const x = gpu!.alloc('float32', 64 * 784);
      const h = gpu!.alloc('float32', 64 * 128);
      gpu!.release(x);
      const y = gpu!.alloc('float32', 64 * 10);
      gpu!.release(h);
      gpu!.release(y);
    };
    step();
    const reserved = gpu!.memory.reserved;
    for (let i = 0; i < 50; i++) step();
    expect(gpu!.memory.allocated).toBe(base);
    expect(gpu!.memory.maxAllocated).toBe(base + 4 * (64 * 784 + 64 * 128));
    expect(gpu!.memory.reserved).toBe(reserved);
    gpu!.resetPeakStats();
    expect(gpu!.memory.maxAllocated).toBe(base);
  });

  it('emptyCache gives pooled buffers back', () => {
    const b = gpu!.alloc('float32', 100_000);
    gpu!.release(b);
    const before = gpu!.memory.reserved;
    gpu!.emptyCache();
    expect(gpu!.memory.reserved).toBeLessThanOrEqual(before - sizeClass(400_000));
  });
});

describeWebGPU('webgpu errors are clear JS errors', () => {
  it('float64 is refused, and float16 without shader-f16 names the adapter', () => {
    expect(() => gpu!.alloc('float64', 4)).toThrow(/WebGPU has no float64; use \.float\(\)/);
    expect(() => assertStorable('float16', false, 'Some GPU')).toThrow(
      'float16 on webgpu needs the adapter feature shader-f16, which Some GPU lacks',
    );
  });

  it('a buffer beyond the adapter limit says how much was asked and how much is in use', () => {
    expect(() => gpu!.alloc('float32', 2 ** 30)).toThrow(
      /out of memory: a float32 buffer of 1073741824 elements asks for 4096\.0 MiB.*is in use by tensors/,
    );
  });

  it('invalid WGSL becomes an error naming the kernel and quoting the compiler', async () => {
    const errors = new DeviceErrors();
    const cache = new PipelineCache(gpu!.context.device, errors, gpu!.context.compute, 4);
    cache.get('broken-kernel', () => '@compute @workgroup_size(1) fn main() { let x: f32 = 1u; }', {
      storage: 0,
      faults: false,
    });
    await expect(errors.settle()).rejects.toThrow(
      /WebGPU kernel 'broken-kernel' failed to compile: .*cannot initialize/s,
    );
  });

  it('a read after a dispatch that failed throws instead of returning stale data', async () => {
    const x = gpu!.alloc('float32', 4);
    gpu!.errors.fail(new Error('simulated kernel failure'));
    await expect(gpu!.read(viewOf(x, contiguous([4])))).rejects.toThrow('simulated kernel failure');
    // The error is reported once; the backend stays usable.
    await expect(gpu!.read(viewOf(x, contiguous([4])))).resolves.toEqual(new Float32Array(4));
    gpu!.release(x);
  });
});

it('size classes have at most 25% slack', () => {
  for (const bytes of [1, 255, 256, 257, 1000, 4096, 4097, 1e6, 3e7]) {
    const size = sizeClass(bytes);
    expect(size).toBeGreaterThanOrEqual(bytes);
    expect(size).toBeLessThanOrEqual(Math.max(256, bytes * 1.25));
    expect(size % 64).toBe(0);
  }
});
