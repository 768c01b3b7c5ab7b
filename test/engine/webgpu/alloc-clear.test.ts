import { afterAll, expect, it } from 'vitest';
import type { GpuBuffer } from '../../../engine/backends/webgpu/buffer-pool.ts';
import { destroyWebGPU } from '../../../engine/backends/webgpu/index.ts';
import { contiguous, describeWebGPU, gpu, viewOf } from './harness.ts';

afterAll(destroyWebGPU);

const whole = contiguous([8]);
const firstHalf = { ...contiguous([4]), length: 8 };
const read = async (buffer: GpuBuffer) => Array.from(await gpu!.read(viewOf(buffer, whole)));
/** A buffer alloc() hands back recycled: the pool's oldest free buffer of its size held `dirt`. */
function recycled(...dirt: number[]): GpuBuffer {
  gpu!.release(gpu!.upload(Float32Array.from(dirt), 'float32'));
  const buffer = gpu!.alloc('float32', 8) as GpuBuffer;
  expect(buffer.recycled).toBe(true);
  return buffer;
}
const dirt = [9, 9, 9, 9, 9, 9, 9, 9];
const ones = () => gpu!.upload(new Float32Array(8).fill(1), 'float32') as GpuBuffer;

describeWebGPU('webgpu alloc() is zero-filled when its clear is left out', () => {
  it('read directly, or written over whole by a kernel', async () => {
    expect(await read(recycled(...dirt))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const out = recycled(...dirt);
    gpu!.unary('neg', viewOf(ones(), whole), viewOf(out, whole));
    expect(await read(out)).toEqual([-1, -1, -1, -1, -1, -1, -1, -1]);
  });

  it('written in part, or read by the kernel writing it (in place), or accumulated into', async () => {
    const half = recycled(...dirt);
    gpu!.unary('neg', viewOf(ones(), firstHalf), viewOf(half, firstHalf));
    expect(await read(half)).toEqual([-1, -1, -1, -1, 0, 0, 0, 0]);
    const inPlace = recycled(...dirt);
    gpu!.binary('add', viewOf(inPlace, whole), viewOf(ones(), whole), viewOf(inPlace, whole));
    expect(await read(inPlace)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    const sums = recycled(...dirt);
    const index = gpu!.upload(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 'int32');
    gpu!.scatterAdd(0, viewOf(index, whole), viewOf(ones(), whole), viewOf(sums, whole));
    expect(await read(sums)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });
});
