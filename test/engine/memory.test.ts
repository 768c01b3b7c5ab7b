import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../helpers/devices.ts';

/**
 * torch.memory's figures are deterministic: a tensor counts from its allocation until a collect()
 * finds it unreachable, whenever the garbage collector really freed it.
 */
describe.each(devices)('memory accounting (%s)', (device) => {
  it('counts an allocation at once and a dropped tensor at the next collect()', async () => {
    expect(torch.memory.canCollect()).toBe(true);
    await torch.memory.collect();
    const base = torch.memory.allocated(device);
    let x: torch.Tensor | null = torch.zeros([256, 4], { device });
    expect(torch.memory.allocated(device) - base).toBe(256 * 4 * 4);
    x = null;
    expect(x).toBeNull();
    await torch.memory.collect();
    expect(torch.memory.allocated(device)).toBe(base);
  });

  it('a training step leaves allocated flat and the same peak on every step', async () => {
    torch.manualSeed(0);
    const model = new torch.nn.Sequential(
      new torch.nn.Linear(8, 16),
      new torch.nn.ReLU(),
      new torch.nn.Linear(16, 4),
    ).to(device);
    const optimizer = new torch.optim.Adam(model.parameters(), { lr: 1e-2 });
    const x = torch.randn(8, 8, { device });
    const y = torch.randint(0, 4, [8], { device });
    const step = async () => {
      optimizer.zeroGrad();
      const loss = torch.nn.functional.crossEntropy(model.call(x), y);
      loss.backward();
      optimizer.step();
      await torch.memory.collect();
    };
    await step();
    const after: number[] = [];
    const peaks: number[] = [];
    for (let i = 0; i < 5; i++) {
      torch.memory.resetPeakStats(device);
      await step();
      after.push(torch.memory.allocated(device));
      peaks.push(torch.memory.maxAllocated(device));
    }
    expect(new Set(after).size).toBe(1);
    expect(new Set(peaks).size).toBe(1);
    expect(peaks[0]).toBeGreaterThan(after[0]!);
  });
});
