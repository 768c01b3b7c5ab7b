/**
 * The devices the engine suites run on. Every suite is `describe.each(devices)` and makes its
 * tensors with `{ device }`, so the WebGPU backend is tested by the same files as the CPU one.
 *
 * TORCHLINGS_DEVICES (default "cpu", CI sets "cpu,webgpu") names them. A WebGPU device that cannot be
 * created is skipped with one line saying why, unless REQUIRE_WEBGPU=1 makes that a failure.
 */
import * as torch from '#engine';
import type { Device } from '#engine';

process.env.XDG_RUNTIME_DIR ??= '/tmp';

const wanted = (process.env.TORCHLINGS_DEVICES ?? 'cpu').split(',').map((d) => d.trim());

async function available(): Promise<Device[]> {
  const out: Device[] = ['cpu'];
  if (!wanted.includes('webgpu')) return out;
  if (await torch.webgpu.isAvailable()) return [...out, 'webgpu'];
  if (process.env.REQUIRE_WEBGPU === '1') throw new Error('REQUIRE_WEBGPU=1 but no WebGPU adapter was found.');
  console.log(
    'WebGPU engine suites skipped: no adapter (install libvulkan1 and mesa-vulkan-drivers >= 25, see .ci/install-vulkan.sh).',
  );
  return out;
}

export const devices: Device[] = await available();

/**
 * Whether a device stores float64. WebGPU has none: the backend refuses it with a clear error (as
 * PyTorch's MPS backend does), so float64 checks run where it exists and float32 ones everywhere.
 */
export function hasFloat64(device: Device): boolean {
  return device !== 'webgpu';
}

/** The float dtypes a device stores, narrowest first. */
export function floatDtypes(device: Device): ('float32' | 'float64')[] {
  return hasFloat64(device) ? ['float32', 'float64'] : ['float32'];
}

/** The widest float a device stores: the most exact check a test can make there. */
export function widestFloat(device: Device): 'float32' | 'float64' {
  return hasFloat64(device) ? 'float64' : 'float32';
}
