/**
 * The devices the engine suites run on. Every suite is `describe.each(devices)` and makes its
 * tensors with `{ device }`, so a second backend is tested by the same files. Only the CPU for now;
 * the WebGPU backend is added here when `process.env.TORCHLINGS_DEVICES` names it.
 */
import type { Device } from '#engine';

export const devices: Device[] = ['cpu'];
