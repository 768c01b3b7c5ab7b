/**
 * torch.cuda, for code written for PyTorch. The kit has no CUDA device: it answers as a CPU-only
 * PyTorch does (isAvailable() false, deviceCount() 0, seeding and emptyCache() do nothing), and what
 * needs a CUDA device names the kit's own way instead (torch.webgpu, torch.memory).
 */

export const isAvailable = (): boolean => false;
export const deviceCount = (): number => 0;
/** PyTorch queues CUDA seeding until CUDA starts; without CUDA it never runs. */
export const manualSeed = (_seed: number): void => {};
export const manualSeedAll = (_seed: number): void => {};
export const emptyCache = (): void => {};

function needsCuda(name: string, instead: string): () => never {
  return () => {
    throw new Error(`torch.cuda.${name}: this kit has no CUDA device; ${instead}`);
  };
}

export const memoryAllocated = needsCuda('memoryAllocated', "the figures are torch.memory.allocated('cpu' | 'webgpu')");
export const maxMemoryAllocated = needsCuda('maxMemoryAllocated', 'use torch.memory.maxAllocated(device)');
export const memoryReserved = needsCuda('memoryReserved', 'use torch.memory.reserved(device)');
export const resetPeakMemoryStats = needsCuda('resetPeakMemoryStats', 'use torch.memory.resetPeakStats(device)');
export const synchronize = needsCuda('synchronize', "the GPU here is 'webgpu': await a read (x.item(), x.toArray())");
export const currentDevice = needsCuda('currentDevice', "the GPU here is 'webgpu' (torch.webgpu.isAvailable())");

export * as amp from './amp/cuda.ts';
