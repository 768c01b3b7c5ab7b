import { afterAll, expect, it } from 'vitest';
import { BindGroupCache } from '../../../engine/backends/webgpu/bind-groups.ts';
import type { GpuBuffer } from '../../../engine/backends/webgpu/buffer-pool.ts';
import { destroyWebGPU } from '../../../engine/backends/webgpu/index.ts';
import { contiguous, describeWebGPU, gpu, viewOf } from './harness.ts';

afterAll(destroyWebGPU);

const whole = contiguous([4]);
const add = (a: GpuBuffer, b: GpuBuffer, out: GpuBuffer) =>
  gpu!.binary('add', viewOf(a, whole), viewOf(b, whole), viewOf(out, whole));
const read = async (buffer: GpuBuffer) => Array.from(await gpu!.read(viewOf(buffer, whole)));
const upload = (...values: number[]) => gpu!.upload(Float32Array.from(values), 'float32') as GpuBuffer;

describeWebGPU('webgpu bind groups are reused', () => {
  it('on a buffer the pool recycled for another tensor, and the kernel reads the new data', async () => {
    const a = upload(1, 2, 3, 4);
    const b = upload(10, 20, 30, 40);
    const out = gpu!.alloc('float32', 4) as GpuBuffer;
    add(a, b, out);
    expect(await read(out)).toEqual([11, 22, 33, 44]);
    gpu!.release(out);
    gpu!.release(a);
    // The pool hands the same GPUBuffers back (oldest first) for the next tensors of their size.
    const c = upload(5, 6, 7, 8);
    const out2 = gpu!.alloc('float32', 4) as GpuBuffer;
    expect(c.gpu).toBe(a.gpu);
    expect(out2.gpu).toBe(out.gpu);
    const { hits, size } = gpu!.bindGroups;
    add(c, b, out2);
    expect(gpu!.bindGroups.hits).toBe(hits + 1);
    expect(gpu!.bindGroups.size).toBe(size);
    expect(await read(out2)).toEqual([15, 26, 37, 48]);
    for (const buffer of [b, c, out2]) gpu!.release(buffer);
  });

  it('in the next step, whatever order the last one gave its buffers back in (the oldest free buffer goes first)', async () => {
    // A size class no other test here uses, so the pool holds no older buffers of it.
    const shape = contiguous([1000]);
    const step = () => {
      const [a, b, out] = [0, 1, 2].map(() => gpu!.alloc('float32', 1000) as GpuBuffer);
      gpu!.binary('add', viewOf(a!, shape), viewOf(b!, shape), viewOf(out!, shape));
      return [a!, b!, out!];
    };
    const first = step();
    for (const k of [2, 0, 1]) gpu!.release(first[k]!);
    const { hits } = gpu!.bindGroups;
    const second = step();
    expect(second.map((buffer) => buffer.gpu)).toEqual(first.map((buffer) => buffer.gpu));
    expect(gpu!.bindGroups.hits).toBe(hits + 1);
    for (const k of [1, 2, 0]) gpu!.release(second[k]!);
    const third = step();
    expect(third.map((buffer) => buffer.gpu)).toEqual(first.map((buffer) => buffer.gpu));
    await gpu!.synchronize();
    for (const buffer of third) gpu!.release(buffer);
  });

  it('never on a destroyed buffer: emptyCache drops the groups naming the buffers it destroys', async () => {
    const a = upload(1, 1, 1, 1);
    const b = upload(2, 2, 2, 2);
    const out = gpu!.alloc('float32', 4) as GpuBuffer;
    add(a, b, out);
    expect(await read(out)).toEqual([3, 3, 3, 3]);
    const destroyed = [a.gpu, b.gpu, out.gpu];
    expect(destroyed.every((buffer) => gpu!.bindGroups.holds(buffer))).toBe(true);
    for (const buffer of [a, b, out]) gpu!.release(buffer);
    gpu!.emptyCache();
    expect(destroyed.some((buffer) => gpu!.bindGroups.holds(buffer))).toBe(false);
    // New buffers of the same sizes: fresh GPUBuffers, fresh groups, no validation error at submit.
    const c = upload(4, 4, 4, 4);
    const d = upload(5, 5, 5, 5);
    const out2 = gpu!.alloc('float32', 4) as GpuBuffer;
    expect(destroyed).not.toContain(c.gpu);
    add(c, d, out2);
    expect(await read(out2)).toEqual([9, 9, 9, 9]);
    await gpu!.synchronize();
    for (const buffer of [c, d, out2]) gpu!.release(buffer);
  });

  it('up to a bound, dropping the least recently used group first', () => {
    const { device, usage, compute } = gpu!.context;
    const layout = {
      id: 0,
      layout: device.createBindGroupLayout({
        entries: [
          { binding: 0, visibility: compute, buffer: { type: 'storage' } },
          { binding: 1, visibility: compute, buffer: { type: 'uniform', hasDynamicOffset: true } },
        ],
      }),
    };
    const params = device.createBuffer({ size: 512, usage: usage.UNIFORM });
    const [x, y, z] = [0, 1, 2].map(() => device.createBuffer({ size: 16, usage: usage.STORAGE }));
    const cache = new BindGroupCache(device, 2);
    const gx = cache.get(layout, [x!], params, 256, []);
    cache.get(layout, [y!], params, 256, []);
    expect(cache.get(layout, [x!], params, 256, [])).toBe(gx); // x is now the most recent
    cache.get(layout, [z!], params, 256, []); // evicts y
    expect(cache.size).toBe(2);
    expect([cache.holds(x!), cache.holds(y!), cache.holds(z!)]).toEqual([true, false, true]);
    expect(cache.get(layout, [x!], params, 256, [])).toBe(gx);
    // A different parameter size is another group.
    expect(cache.get(layout, [x!], params, 512, [])).not.toBe(gx);
    cache.forget(x!);
    expect(cache.holds(x!)).toBe(false);
    for (const buffer of [params, x!, y!, z!]) buffer.destroy();
  });
});
