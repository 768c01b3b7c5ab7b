/** What a kernel generator hands the backend: everything needed to compile (once) and dispatch. */
import type { View } from '../../backend/types.ts';
import type { GpuBuffer } from './buffer-pool.ts';
import type { Binding } from './codegen/wgsl.ts';
import type { StorageType } from './dtypes.ts';
import { storageType } from './dtypes.ts';

export interface KernelCall {
  /** The pipeline-cache key: everything the WGSL depends on, nothing it does not (no sizes). */
  readonly key: string;
  readonly source: () => string;
  readonly buffers: readonly GPUBuffer[];
  readonly params: readonly number[];
  readonly workgroups: readonly [number, number, number];
}

export function gpuOf(view: View): GPUBuffer {
  return (view.buffer as GpuBuffer).gpu;
}

/** Bindings for `views` (the first one being written), marking inputs that alias the output writable. */
export function bindingsFor(names: readonly string[], views: readonly View[], vec4: readonly boolean[] = []): Binding[] {
  const out = views[0]!.buffer;
  return views.map((v, k) => {
    const type: StorageType = storageType(v.buffer.dtype);
    return { name: names[k]!, type: vec4[k] ? `vec4<${type}>` : type, writable: k === 0 || v.buffer === out };
  });
}

/** Key fragment recording which inputs alias the output (their binding access differs). */
export function aliasKey(views: readonly View[]): string {
  return views.map((v, k) => (k > 0 && v.buffer === views[0]!.buffer ? 'w' : '-')).join('');
}
