/**
 * Finding Dawn, an adapter and a device. Dawn is loaded with a dynamic import on first use so that
 * importing the engine never loads a 130 MB native module, and a machine without an adapter is told
 * once how to get one while the kit carries on on the CPU.
 */

export interface GpuContext {
  /** Held for the device's lifetime: if Dawn's instance is garbage-collected, the device dies with it. */
  readonly gpu: GPU;
  readonly device: GPUDevice;
  readonly adapterName: string;
  readonly features: readonly string[];
  readonly hasF16: boolean;
  /**
   * On a CPU adapter with one subgroup size (lavapipe: 8, its SIMD width), that size, for kernels
   * written for its lanes (the subgroup matmul); null on other adapters.
   */
  readonly cpuLanes: number | null;
  /** Usage flags, taken from Dawn rather than copied, since GPUBufferUsage is not a Node global. */
  readonly usage: {
    readonly STORAGE: number;
    readonly COPY_SRC: number;
    readonly COPY_DST: number;
    readonly MAP_READ: number;
    readonly UNIFORM: number;
  };
  readonly mapRead: number;
  /** GPUShaderStage.COMPUTE, for explicit bind group layouts. */
  readonly compute: number;
}

export const NO_ADAPTER_MESSAGE =
  'torchlings: no WebGPU adapter was found, so tensors stay on the CPU. To use the GPU (or to ' +
  'emulate one), install a Vulkan driver: on Debian/Ubuntu `sudo apt-get install libvulkan1 ' +
  'mesa-vulkan-drivers` (Mesa 25 or later; on Debian bookworm take it from bookworm-backports).';

interface Dawn {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

async function loadDawn(): Promise<Dawn | string> {
  try {
    return (await import('webgpu')) as unknown as Dawn;
  } catch (error) {
    return `the package 'webgpu' (Dawn for Node) could not be loaded: ${(error as Error).message}`;
  }
}

/** A device on the first adapter, or a sentence saying why there is none. */
export async function openDevice(): Promise<GpuContext | string> {
  const dawn = await loadDawn();
  if (typeof dawn === 'string') return dawn;
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return 'no adapter';
  const features = [...adapter.features] as string[];
  const hasF16 = adapter.features.has('shader-f16');
  const info = adapter.info;
  // A CPU adapter (lavapipe) whose subgroups have one size: the SIMD width its lanes run at.
  const lanes = info.subgroupMinSize ?? 0;
  const cpuLanes =
    info.isFallbackAdapter &&
    adapter.features.has('subgroups') &&
    lanes >= 4 &&
    lanes === info.subgroupMaxSize &&
    lanes % 4 === 0
      ? lanes
      : null;
  const device = await adapter.requestDevice({
    requiredFeatures: [...(hasF16 ? ['shader-f16'] : []), ...(cpuLanes ? ['subgroups'] : [])] as GPUFeatureName[],
    // The defaults (128 MiB per binding) are below what real GPUs offer; ask for all there is.
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      // Tensors are blocks of shared buffers bound at dynamic offsets (see bind-groups.ts); the
      // default (4) is below what a kernel binds.
      maxDynamicStorageBuffersPerPipelineLayout: adapter.limits.maxDynamicStorageBuffersPerPipelineLayout,
    },
  });
  const adapterName = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ');
  const usage = dawn.globals.GPUBufferUsage as GpuContext['usage'];
  const mapRead = (dawn.globals.GPUMapMode as { READ: number }).READ;
  const compute = (dawn.globals.GPUShaderStage as { COMPUTE: number }).COMPUTE;
  return { gpu, device, adapterName, features, hasF16, cpuLanes, usage, mapRead, compute };
}
