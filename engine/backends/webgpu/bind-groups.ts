/**
 * Bind groups kept for reuse. Creating one costs about 50 µs in Dawn on lavapipe, more than many
 * small kernels take to run, and a training step dispatches the same kernels on the same slabs
 * every step.
 *
 * A group names slabs (buffer-pool.ts), not tensors: each storage binding spans one block of its
 * slab and takes the block's offset at dispatch (a dynamic offset), as the parameter block does. So
 * one group serves every dispatch of a layout on blocks of the same slabs, whichever blocks the pool
 * handed the step's tensors this time, and the kernel reads the new data. What does invalidate a
 * group is destroying a slab it names: the pool reports every slab it destroys (`forget`) and each
 * group naming it is dropped, so a destroyed buffer is never bound again, nor kept alive here.
 * A layout with more storage bindings than the device allows dynamic offsets binds each block at its
 * offset instead, and its groups are keyed by the blocks. The cache is bounded; the least recently
 * used group goes first.
 */
import type { GpuBuffer } from './buffer-pool.ts';
import type { Layout } from './pipelines.ts';

interface Entry {
  readonly group: GPUBindGroup;
  /** Ids of the buffers the group names. */
  readonly ids: readonly number[];
}

export class BindGroupCache {
  /** By key: layout, parameter size, buffer ids (and offsets). Map order is recency order (oldest first). */
  private readonly groups = new Map<string, Entry>();
  private readonly ids = new WeakMap<GPUBuffer, number>();
  /** Keys of the groups naming each buffer id. */
  private readonly byBuffer = new Map<number, Set<string>>();
  private nextId = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly capacity = 4096,
  ) {}

  /**
   * The group binding the blocks of `storage` at 0, 1, …, then `paramSize` bytes of `params` (at a
   * dynamic offset), then `after`, as kernel.ts lays kernels out.
   */
  get(
    layout: Layout,
    storage: readonly GpuBuffer[],
    params: GPUBuffer,
    paramSize: number,
    after: readonly GPUBuffer[],
  ): GPUBindGroup {
    const ids: number[] = [];
    let key = `${layout.id}/${paramSize}`;
    for (const block of storage) {
      key += `,${this.idOf(block.gpu, ids)}`;
      if (!layout.dynamic) key += `@${block.offset}`;
    }
    key += `;${this.idOf(params, ids)}`;
    for (const buffer of after) key += `,${this.idOf(buffer, ids)}`;
    const cached = this.groups.get(key);
    if (cached) {
      this.hits++;
      this.groups.delete(key);
      this.groups.set(key, cached);
      return cached.group;
    }
    this.misses++;
    const entries: GPUBindGroupEntry[] = storage.map((block, binding) => ({
      binding,
      resource: { buffer: block.gpu, offset: layout.dynamic ? 0 : block.offset, size: block.size },
    }));
    entries.push({ binding: storage.length, resource: { buffer: params, offset: 0, size: paramSize } });
    after.forEach((buffer, k) => entries.push({ binding: storage.length + 1 + k, resource: { buffer } }));
    const group = this.device.createBindGroup({ layout: layout.layout, entries });
    if (this.groups.size >= this.capacity) this.drop(this.groups.keys().next().value!);
    this.groups.set(key, { group, ids });
    for (const id of ids) {
      const keys = this.byBuffer.get(id);
      if (keys) keys.add(key);
      else this.byBuffer.set(id, new Set([key]));
    }
    return group;
  }

  /** Drops every group naming `buffer`, which is about to be destroyed. */
  forget(buffer: GPUBuffer): void {
    const id = this.ids.get(buffer);
    if (id === undefined) return;
    this.ids.delete(buffer);
    for (const key of [...(this.byBuffer.get(id) ?? [])]) this.drop(key);
    this.byBuffer.delete(id);
  }

  /** Whether a cached group names `buffer`. */
  holds(buffer: GPUBuffer): boolean {
    const id = this.ids.get(buffer);
    return id !== undefined && (this.byBuffer.get(id)?.size ?? 0) > 0;
  }

  get size(): number {
    return this.groups.size;
  }

  private idOf(buffer: GPUBuffer, ids: number[]): number {
    let id = this.ids.get(buffer);
    if (id === undefined) this.ids.set(buffer, (id = this.nextId++));
    ids.push(id);
    return id;
  }

  private drop(key: string): void {
    const entry = this.groups.get(key);
    if (!entry) return;
    this.groups.delete(key);
    for (const id of entry.ids) {
      const keys = this.byBuffer.get(id);
      keys?.delete(key);
      if (keys?.size === 0) this.byBuffer.delete(id);
    }
  }
}
