import { afterAll, expect, it } from 'vitest';
import * as torch from '#engine';
import { BindGroupCache } from '../../../engine/backends/webgpu/bind-groups.ts';
import { GpuBuffer } from '../../../engine/backends/webgpu/buffer-pool.ts';
import { destroyWebGPU } from '../../../engine/backends/webgpu/index.ts';
import { contiguous, describeWebGPU, gpu, viewOf } from './harness.ts';

afterAll(destroyWebGPU);

const whole = contiguous([4]);
const add = (a: GpuBuffer, b: GpuBuffer, out: GpuBuffer) =>
  gpu!.binary('add', viewOf(a, whole), viewOf(b, whole), viewOf(out, whole));
const read = async (buffer: GpuBuffer) => Array.from(await gpu!.read(viewOf(buffer, whole)));
const upload = (...values: number[]) => gpu!.upload(Float32Array.from(values), 'float32') as GpuBuffer;

describeWebGPU('webgpu bind groups are reused', () => {
  it('by a training step in steady state, which creates none though its tensors take other blocks each step', async () => {
    torch.manualSeed(0);
    const device = 'webgpu';
    const model = new torch.nn.Sequential(
      new torch.nn.Linear(784, 128),
      new torch.nn.ReLU(),
      new torch.nn.Linear(128, 10),
    ).to(device);
    const optimizer = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    const lossFn = new torch.nn.CrossEntropyLoss();
    const x = torch.randn([64, 784]).to(device);
    const y = torch.randint(0, 10, [64]).to(device);
    // The program keeps the logits and losses of the last few steps, as one that logs them does: their
    // blocks come back only when it drops them and the collector runs, as those of the tensors it never
    // named (the hidden activations) come back whenever the collector runs.
    let kept: torch.Tensor[] = [];
    const logitBlocks = new Set<string>();
    const step = async (i: number) => {
      optimizer.zeroGrad();
      const logits = model.call(x);
      const loss = lossFn.call(logits, y);
      loss.backward();
      optimizer.step();
      const block = logits.storage.buffer as GpuBuffer;
      logitBlocks.add(`${block.offset}`);
      kept.push(logits, loss);
      if (i % 3 === 2) {
        kept = [];
        await torch.memory.collect();
      }
      await loss.item();
    };
    for (let i = 0; i < 6; i++) await step(i);
    const misses = gpu!.bindGroups.misses;
    const hits = gpu!.bindGroups.hits;
    logitBlocks.clear();
    for (let i = 6; i < 12; i++) await step(i);
    expect(gpu!.bindGroups.misses).toBe(misses);
    // Every dispatch asked the cache, 19 per step: forward two matmuls, two bias adds, ReLU,
    // log-softmax and nll_loss; backward nll_loss's and log-softmax's kernels, two bias-gradient sums,
    // three matmuls and ReLU's; four Adam steps. (Cross-entropy composed from small ops took 36.)
    // And the logits took at least three blocks.
    expect(gpu!.bindGroups.hits - hits).toBe(6 * 19);
    expect(logitBlocks.size).toBeGreaterThanOrEqual(3);
  });

  it('on a block the pool recycled for another tensor, and the kernel reads the new data', async () => {
    const a = upload(1, 2, 3, 4);
    const b = upload(10, 20, 30, 40);
    const out = gpu!.alloc('float32', 4) as GpuBuffer;
    add(a, b, out);
    expect(await read(out)).toEqual([11, 22, 33, 44]);
    gpu!.release(out);
    gpu!.release(a);
    // The pool hands the same blocks back (earliest first) for the next tensors of their size.
    const c = upload(5, 6, 7, 8);
    const out2 = gpu!.alloc('float32', 4) as GpuBuffer;
    expect([c.gpu, c.offset]).toEqual([a.gpu, a.offset]);
    expect([out2.gpu, out2.offset]).toEqual([out.gpu, out.offset]);
    const { hits, size } = gpu!.bindGroups;
    add(c, b, out2);
    expect(gpu!.bindGroups.hits).toBe(hits + 1);
    expect(gpu!.bindGroups.size).toBe(size);
    expect(await read(out2)).toEqual([15, 26, 37, 48]);
    for (const buffer of [b, c, out2]) gpu!.release(buffer);
  });

  it('in the next step, whatever order the last one gave its blocks back in (the earliest free block goes first)', async () => {
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
    const blocks = (buffers: GpuBuffer[]) => buffers.map((buffer) => [buffer.gpu, buffer.offset]);
    expect(blocks(second)).toEqual(blocks(first));
    expect(gpu!.bindGroups.hits).toBe(hits + 1);
    for (const k of [1, 2, 0]) gpu!.release(second[k]!);
    const third = step();
    expect(blocks(third)).toEqual(blocks(first));
    await gpu!.synchronize();
    for (const buffer of third) gpu!.release(buffer);
  });

  it('never on a destroyed slab: emptyCache destroys the slabs no tensor holds a block of, and drops their groups', async () => {
    // A size class no other test here uses, so its slab holds these tensors only.
    const shape = contiguous([3000]);
    const filled = (value: number) => gpu!.upload(new Float32Array(3000).fill(value), 'float32') as GpuBuffer;
    const sum = async (a: GpuBuffer, b: GpuBuffer) => {
      const out = gpu!.alloc('float32', 3000) as GpuBuffer;
      gpu!.binary('add', viewOf(a, shape), viewOf(b, shape), viewOf(out, shape));
      const values = await gpu!.read(viewOf(out, shape));
      gpu!.release(out);
      return new Set(values);
    };
    const a = filled(1);
    const b = filled(2);
    expect(await sum(a, b)).toEqual(new Set([3]));
    const slab = a.gpu;
    expect(b.gpu).toBe(slab);
    gpu!.release(a);
    gpu!.emptyCache();
    // b still holds a block of it: the slab stays, and so do its groups.
    expect(gpu!.bindGroups.holds(slab)).toBe(true);
    expect(await sum(b, b)).toEqual(new Set([4]));
    gpu!.release(b);
    gpu!.emptyCache();
    expect(gpu!.bindGroups.holds(slab)).toBe(false);
    // New tensors of the same size: a fresh slab, fresh groups, no validation error at submit.
    const c = filled(4);
    const d = filled(5);
    expect(c.gpu).not.toBe(slab);
    expect(await sum(c, d)).toEqual(new Set([9]));
    await gpu!.synchronize();
    for (const buffer of [c, d]) gpu!.release(buffer);
  });

  it('up to a bound, dropping the least recently used group first; keyed by slab, or by block without dynamic offsets', () => {
    const { device, usage, compute } = gpu!.context;
    const layoutFor = (id: number, dynamic: boolean) => ({
      id,
      dynamic,
      layout: device.createBindGroupLayout({
        entries: [
          { binding: 0, visibility: compute, buffer: { type: 'storage', hasDynamicOffset: dynamic } },
          { binding: 1, visibility: compute, buffer: { type: 'uniform', hasDynamicOffset: true } },
        ],
      }),
    });
    const layout = layoutFor(0, true);
    const params = device.createBuffer({ size: 512, usage: usage.UNIFORM });
    const [x, y, z] = [0, 1, 2].map(() => device.createBuffer({ size: 512, usage: usage.STORAGE }));
    const block = (slab: GPUBuffer, offset = 0) => [new GpuBuffer('float32', 4, slab, offset, 256, false)];
    const cache = new BindGroupCache(device, 2);
    const gx = cache.get(layout, block(x!), params, 256, []);
    cache.get(layout, block(y!), params, 256, []);
    expect(cache.get(layout, block(x!), params, 256, [])).toBe(gx); // x is now the most recent
    cache.get(layout, block(z!), params, 256, []); // evicts y
    expect(cache.size).toBe(2);
    expect([cache.holds(x!), cache.holds(y!), cache.holds(z!)]).toEqual([true, false, true]);
    // Another block of the slab binds at its own (dynamic) offset: the same group.
    expect(cache.get(layout, block(x!, 256), params, 256, [])).toBe(gx);
    // A different parameter size is another group.
    expect(cache.get(layout, block(x!), params, 512, [])).not.toBe(gx);
    cache.forget(x!);
    expect(cache.holds(x!)).toBe(false);
    // Without dynamic storage offsets each block is bound at its offset: a group per block.
    const fixed = layoutFor(1, false);
    const g0 = cache.get(fixed, block(z!, 0), params, 256, []);
    expect(cache.get(fixed, block(z!, 256), params, 256, [])).not.toBe(g0);
    expect(cache.get(fixed, block(z!, 0), params, 256, [])).toBe(g0);
    for (const buffer of [params, x!, y!, z!]) buffer.destroy();
  });
});
