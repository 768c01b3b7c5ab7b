/** torch.cuda for code written for PyTorch, on a kit that has no CUDA. */
import { describe, expect, it, vi } from 'vitest';
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

  it('runs the guide’s torch.cuda.amp snippet as a CPU-only PyTorch does: warned once, nothing cast, nothing scaled', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const step = (amp: boolean) => {
        torch.manualSeed(0);
        const model = new torch.nn.Linear(4, 3);
        const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
        const [data, target] = [torch.randn(8, 4), torch.randint(0, 3, [8])];
        const criterion = new torch.nn.CrossEntropyLoss();
        if (!amp) {
          criterion.call(model.call(data), target).backward();
          optimizer.step();
          return model.weight;
        }
        const scaler = new torch.cuda.amp.GradScaler();
        expect(scaler.isEnabled()).toBe(false);
        const loss = torch.cuda.amp.autocast(() => {
          const output = model.call(data) as torch.Tensor;
          expect(output.dtype).toBe('float32');
          return criterion.call(output, target);
        });
        expect(scaler.scale(loss)).toBe(loss);
        scaler.scale(loss).backward();
        scaler.step(optimizer);
        scaler.update();
        return model.weight;
      };
      expect(await step(true).toArray()).toEqual(await step(false).toArray());
      step(true);
      const warned = warn.mock.calls.map((c) => String(c[0]));
      expect(warned.filter((m) => m.includes("device_type of 'cuda'"))).toHaveLength(1);
      expect(warned.filter((m) => m.includes('GradScaler is enabled, but CUDA is not available'))).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
  });
});
