/**
 * Compiled pipelines keyed by kernel signature (op, dtypes, rank, layout), so one pipeline serves
 * every shape with that signature. Compilation runs inside a validation error scope: a WGSL error
 * becomes a JS error naming the kernel and quoting the compiler, not a silent wrong result.
 */
import type { DeviceErrors } from './errors.ts';

export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(
    private readonly device: GPUDevice,
    private readonly errors: DeviceErrors,
  ) {}

  /** The pipeline for `key`, compiling `source()` the first time the key is seen. */
  get(key: string, source: () => string): GPUComputePipeline {
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const code = source();
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code, label: key });
    const pipeline = this.device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
      label: key,
    });
    this.errors.watch(
      this.device.popErrorScope(),
      (error) => new Error(`WebGPU kernel '${key}' failed to compile: ${error.message}\n--- WGSL ---\n${code}`),
    );
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  get size(): number {
    return this.pipelines.size;
  }
}
