/**
 * The WebGPU backend's entry points. Nothing here touches Dawn until `initWebGPU()` is awaited: the
 * device is created once, on first use, and destroyed by `destroyWebGPU()`.
 */
import type { Backend } from '../../backend/types.ts';
import { registerBackend, unregisterBackend } from '../../backend/registry.ts';
import { WebGPUBackend } from './backend.ts';
import { NO_ADAPTER_MESSAGE, openDevice } from './device.ts';

export { WebGPUBackend } from './backend.ts';

export interface WebGPUInfo {
  readonly adapter: string;
  readonly features: readonly string[];
  readonly float16: boolean;
}

let starting: Promise<WebGPUBackend | null> | null = null;
let current: WebGPUBackend | null = null;
let warned = false;

async function start(): Promise<WebGPUBackend | null> {
  const context = await openDevice();
  if (typeof context === 'string') {
    if (!warned) {
      warned = true;
      console.warn(
        context === 'no adapter'
          ? NO_ADAPTER_MESSAGE
          : `torchlings: WebGPU is unavailable (${context}); tensors stay on the CPU.`,
      );
    }
    return null;
  }
  const backend = new WebGPUBackend(context);
  void context.device.lost.then((info) => {
    if (info.reason === 'destroyed') return;
    backend.errors.markLost(
      new Error(
        `The WebGPU device was lost (${info.message || 'no reason given'}); tensors on 'webgpu' are gone. Call \`await torch.webgpu.init()\` to start again.`,
      ),
    );
    if (current === backend) {
      current = null;
      starting = null;
      unregisterBackend('webgpu');
    }
  });
  current = backend;
  registerBackend(backend);
  return backend;
}

/** The WebGPU backend, creating the device on the first call; null (after one message) without an adapter. */
export function initWebGPU(): Promise<Backend | null> {
  starting ??= start();
  return starting;
}

/** Destroys the device and forgets the backend; a later initWebGPU() starts afresh. */
export function destroyWebGPU(): void {
  const backend = current;
  current = null;
  starting = null;
  if (!backend) return;
  unregisterBackend('webgpu');
  backend.destroy();
}

/** The adapter in use, or null before a successful initWebGPU(). */
export function webgpuInfo(): WebGPUInfo | null {
  if (!current) return null;
  const { adapterName, features, hasF16 } = current.context;
  return { adapter: adapterName, features, float16: hasF16 };
}
