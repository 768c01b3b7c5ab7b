/** What a kernel generator hands the backend: everything needed to compile (once) and dispatch. */
import type { View } from '../../backend/types.ts';
import type { GpuBuffer } from './buffer-pool.ts';
import type { Binding } from './codegen/wgsl.ts';
import { storageType } from './dtypes.ts';

export interface KernelCall {
  /** The pipeline-cache key: everything the WGSL depends on, nothing it does not (no sizes). */
  readonly key: string;
  readonly source: () => string;
  /** Storage buffers in binding order; the parameter block takes the next binding. */
  readonly buffers: readonly GpuBuffer[];
  readonly params: readonly number[];
  readonly workgroups: readonly [number, number, number];
  /**
   * The kernel declares the backend's fault record (faultRecord) at the binding after its parameter
   * block, to report an out-of-range index it cannot throw for.
   */
  readonly reportsFaults?: boolean;
}

/**
 * The fault record: [count, index, dim, size] of an out-of-range index a kernel met. The first
 * kernel invocation to raise `count` from 0 writes the rest; the backend reads it with the next
 * read and throws there, as CUDA reports a device-side assert at the next synchronization.
 */
export const FAULT_WORDS = 4;

/** WGSL: the fault record's declaration at `binding`, and `fault(j, dim, size)` to raise it. */
export function faultRecord(binding: number): string {
  return `@group(0) @binding(${binding}) var<storage, read_write> F: array<atomic<i32>, ${FAULT_WORDS}>;
fn fault(j: i32, dim: i32, size: i32) {
  if (atomicAdd(&F[0], 1) == 0) { atomicStore(&F[1], j); atomicStore(&F[2], dim); atomicStore(&F[3], size); }
}
`;
}

export interface Operands {
  readonly bindings: Binding[];
  /** The WGSL array each view (out first) is read through. */
  readonly names: string[];
  readonly buffers: GpuBuffer[];
  /** Key fragment: which views share an earlier view's buffer (their WGSL differs). */
  readonly key: string;
}

/**
 * Bindings for `views`, the first being the output. A view in the buffer of an earlier one (an
 * in-place op's input, or `x + x`) reads through that view's binding: all storage bindings are
 * read_write (see pipelines.ts), and WebGPU rejects two writable bindings of one range.
 */
export function operands(names: readonly string[], views: readonly View[], vec4: readonly boolean[] = []): Operands {
  const result: Operands = { bindings: [], names: [], buffers: [], key: '' };
  const first = views.map((v) => views.findIndex((u) => u.buffer === v.buffer));
  views.forEach((v, k) => {
    const j = first[k]!;
    result.names.push(names[j]!);
    if (j < k) {
      if (Boolean(vec4[j]) !== Boolean(vec4[k]))
        throw new Error(`webgpu: ${names[k]} shares ${names[j]}'s buffer but not its vec4 reads`);
      return;
    }
    const type = storageType(v.buffer.dtype);
    result.bindings.push({ name: names[k]!, type: vec4[k] ? `vec4<${type}>` : type });
    result.buffers.push(v.buffer as GpuBuffer);
  });
  return { ...result, key: first.map((j, k) => (j < k ? j : '-')).join('') };
}

export function sharesOutput(views: readonly View[]): boolean {
  return views.slice(1).some((v) => v.buffer === views[0]!.buffer);
}
