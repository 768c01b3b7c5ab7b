/** torch.cuda for code written for PyTorch, on a kit that has no CUDA. */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';

describe('torch.cuda, on a kit without CUDA', () => {
  it('answers as a CPU-only PyTorch, and names the kit’s way where a CUDA device is needed', () => {
    expect(torch.cuda.isAvailable()).toBe(false);
    expect(torch.cuda.deviceCount()).toBe(0);
    expect(() => torch.cuda.manualSeed(0)).not.toThrow();
    expect(() => torch.cuda.memoryAllocated()).toThrow(
      "torch.cuda.memoryAllocated: this kit has no CUDA device; the figures are torch.memory.allocated('cpu' | 'webgpu')",
    );
  });
});
