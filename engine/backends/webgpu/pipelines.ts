/**
 * Compiled pipelines keyed by kernel signature (op, dtypes, rank, layout), so one pipeline serves
 * every shape with that signature. Compilation runs inside a validation error scope: a WGSL error
 * becomes a JS error naming the kernel and quoting the compiler, not a silent wrong result.
 *
 * Layouts are explicit rather than 'auto': the parameter block and the storage blocks are bound with
 * dynamic offsets, so a bind group outlives the dispatch that made it and serves every tensor of the
 * slabs it names (see bind-groups.ts), and kernels with the same binding shape share one layout, so
 * one bind group serves all of them.
 *
 * Every storage binding is read_write ('storage'): two tensors in one slab are two bindings of one
 * GPUBuffer, which WebGPU accepts in a dispatch only when all of its bindings are writable storage.
 */
import type { DeviceErrors } from './errors.ts';

/** A kernel's bindings (see kernel.ts): `storage` buffers, then the parameter block, then the fault record if any. */
export interface LayoutShape {
  readonly storage: number;
  readonly faults: boolean;
}

export interface Layout {
  readonly layout: GPUBindGroupLayout;
  /** Small integer naming the layout in bind-group keys. */
  readonly id: number;
  /**
   * Whether the storage bindings take dynamic offsets: unless a kernel has more storage buffers
   * than the device allows dynamic ones, and then its groups bind each block at its offset.
   */
  readonly dynamic: boolean;
}

export interface Pipeline {
  readonly pipeline: GPUComputePipeline;
  readonly layout: Layout;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, Pipeline>();
  private readonly layouts = new Map<string, Layout & { readonly pipelineLayout: GPUPipelineLayout }>();

  constructor(
    private readonly device: GPUDevice,
    private readonly errors: DeviceErrors,
    private readonly computeStage: number,
    private readonly maxDynamicStorage: number,
  ) {}

  /** The pipeline for `key`, compiling `source()` the first time the key is seen. */
  get(key: string, source: () => string, shape: LayoutShape): Pipeline {
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const code = source();
    const layout = this.layout(shape);
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code, label: key });
    const pipeline = this.device.createComputePipeline({
      layout: layout.pipelineLayout,
      compute: { module, entryPoint: 'main' },
      label: key,
    });
    this.errors.watch(
      this.device.popErrorScope(),
      (error) => new Error(`WebGPU kernel '${key}' failed to compile: ${error.message}\n--- WGSL ---\n${code}`),
    );
    const entry = { pipeline, layout };
    this.pipelines.set(key, entry);
    return entry;
  }

  get size(): number {
    return this.pipelines.size;
  }

  private layout({ storage, faults }: LayoutShape): Layout & { readonly pipelineLayout: GPUPipelineLayout } {
    const name = `${storage}:${faults}`;
    const cached = this.layouts.get(name);
    if (cached) return cached;
    const visibility = this.computeStage;
    const dynamic = storage <= this.maxDynamicStorage;
    const entries: GPUBindGroupLayoutEntry[] = [];
    for (let k = 0; k < storage; k++)
      entries.push({ binding: k, visibility, buffer: { type: 'storage', hasDynamicOffset: dynamic } });
    entries.push({ binding: storage, visibility, buffer: { type: 'uniform', hasDynamicOffset: true } });
    if (faults) entries.push({ binding: storage + 1, visibility, buffer: { type: 'storage' } });
    const layout = this.device.createBindGroupLayout({ entries, label: `layout ${name}` });
    const pipelineLayout = this.device.createPipelineLayout({ bindGroupLayouts: [layout] });
    const entry = { layout, pipelineLayout, id: this.layouts.size, dynamic };
    this.layouts.set(name, entry);
    return entry;
  }
}
