import type { DType, HostArray } from '../../dtype.ts';
import type { DeviceBuffer, View } from '../../backend/types.ts';

/** A CPU buffer is a typed array (float16 values are kept rounded in a Float32Array). */
export interface CpuBuffer extends DeviceBuffer {
  readonly device: 'cpu';
  /**
   * The values. The fused Adam step may replace an optimizer state buffer's array by a view of the
   * same values in its kernel's memory (wasm/adam.ts), so code reads it afresh (cpuData) for each op
   * rather than keeping the array.
   */
  readonly data: HostArray;
}

export function cpuData(view: View): HostArray {
  return (view.buffer as CpuBuffer).data;
}

export function makeCpuBuffer(dtype: DType, data: HostArray): CpuBuffer {
  return { device: 'cpu', dtype, length: data.length, data };
}
