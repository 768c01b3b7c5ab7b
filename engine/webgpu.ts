/**
 * torch.webgpu, the kit's torch.cuda: the WebGPU device through Dawn. Nothing GPU-related is loaded
 * until the first call, so importing the engine never starts a GPU device.
 */
import { hasBackend } from './backend/registry.ts';

type WebGPUModule = typeof import('./backends/webgpu/index.ts');
let module: Promise<WebGPUModule> | null = null;
let loaded: WebGPUModule | null = null;

function load(): Promise<WebGPUModule> {
  module ??= import('./backends/webgpu/index.ts').then((m) => (loaded = m));
  return module;
}

/** Creates the device on first use; true when an adapter was found. */
export async function init(): Promise<boolean> {
  return (await (await load()).initWebGPU()) !== null;
}

export async function isAvailable(): Promise<boolean> {
  return init();
}

export function isInitialized(): boolean {
  return hasBackend('webgpu');
}

/** Destroys the device and frees its memory; a later init() creates a new one. */
export async function destroy(): Promise<void> {
  if (module) (await module).destroyWebGPU();
}

/** The adapter's name (on lavapipe: "llvmpipe: Mesa …"), once initialized. */
export function adapterName(): string {
  const info = loaded && isInitialized() ? loaded.webgpuInfo() : null;
  return info ? info.adapter : 'not initialized';
}

/** Whether the initialized adapter stores float16 (the feature shader-f16); false before init(). */
export function supportsFloat16(): boolean {
  const info = loaded && isInitialized() ? loaded.webgpuInfo() : null;
  return info?.float16 ?? false;
}
