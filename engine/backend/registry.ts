/**
 * Which backend serves which device. The CPU backend registers itself when the engine is imported;
 * the WebGPU backend only once `await torch.webgpu.init()` (or `isAvailable()`) has found an
 * adapter, since creating a GPU device is asynchronous and must never happen at import.
 */
import { checkDevice, type Device } from '../dtype.ts';
import type { Backend } from './types.ts';

const backends = new Map<Device, Backend>();

export function registerBackend(backend: Backend): void {
  backends.set(backend.device, backend);
}

export function unregisterBackend(device: Device): void {
  backends.delete(device);
}

export function hasBackend(device: Device): boolean {
  return backends.has(device);
}

export function backendFor(device: Device): Backend {
  const backend = backends.get(device);
  if (backend) return backend;
  if (device === 'webgpu') {
    throw new Error(
      "The 'webgpu' device is not initialized: call `await torch.webgpu.init()` (or check " +
        '`await torch.webgpu.isAvailable()`) before moving tensors to it.',
    );
  }
  checkDevice(device); // a name that is no device at all ('cuda') gets the error naming the right one
  throw new Error(`No backend is registered for device '${device}'.`);
}
