import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../helpers/devices.ts';

/**
 * torch.memory's figures are deterministic: what the engine knows is dead (temporaries, a graph
 * backward freed, replaced gradients) stops counting at once; a tensor the program drops counts
 * until a collect() finds it unreachable, whenever the garbage collector really freed it.
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

  it('reserved is never below allocated, even when buffers were freed before the next collect()', async () => {
    await torch.memory.collect();
    let garbage: torch.Tensor[] = Array.from({ length: 8 }, () => torch.ones([1 << 16], { device }).mul(2));
    expect(torch.memory.reserved(device)).toBeGreaterThanOrEqual(torch.memory.allocated(device));
    garbage = [];
    expect(garbage).toHaveLength(0);
    // A collection the program did not ask for (in a later task, as the collector's own would be):
    // the buffers go back now, the count drops at collect().
    await new Promise((resolve) => setImmediate(resolve));
    (globalThis as { gc?: () => void }).gc!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(torch.memory.reserved(device)).toBeGreaterThanOrEqual(torch.memory.allocated(device));
    await torch.memory.collect();
    expect(torch.memory.reserved(device)).toBeGreaterThanOrEqual(torch.memory.allocated(device));
  });

  it('a training step leaves allocated where it was, with no collect(), and the same peak every step', async () => {
    torch.manualSeed(0);
    const model = new torch.nn.Sequential(
      new torch.nn.Linear(8, 16),
      new torch.nn.ReLU(),
      new torch.nn.Linear(16, 4),
    ).to(device);
    const optimizer = new torch.optim.Adam(model.parameters(), { lr: 1e-2 });
    const x = torch.randn(8, 8, { device });
    const y = torch.randint(0, 4, [8], { device });
    const step = () => {
      optimizer.zeroGrad();
      torch.nn.functional.crossEntropy(model.call(x), y).mul(0.5).backward();
      optimizer.step();
    };
    step();
    const after: number[] = [];
    const peaks: number[] = [];
    for (let i = 0; i < 4; i++) {
      torch.memory.resetPeakStats(device);
      step();
      after.push(torch.memory.allocated(device));
      peaks.push(torch.memory.maxAllocated(device));
    }
    expect(new Set(after).size).toBe(1);
    expect(new Set(peaks).size).toBe(1);
    expect(peaks[0]).toBeGreaterThan(after[0]!);
  });

  it('accumulating k micro-batches of B/k peaks at about 1/k of one batch of B', () => {
    torch.manualSeed(0);
    const model = new torch.nn.Sequential(
      new torch.nn.Linear(8, 256),
      new torch.nn.ReLU(),
      new torch.nn.Linear(256, 2),
    ).to(device);
    const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const x = torch.randn(128, 8, { device });
    const y = torch.randint(0, 2, [128], { device });
    /** The peak above the figure before the step, for one step over the batch in k pieces. */
    const peak = (k: number) => {
      const before = torch.memory.allocated(device);
      torch.memory.resetPeakStats(device);
      optimizer.zeroGrad();
      const m = 128 / k;
      for (let i = 0; i < k; i++) {
        const loss = torch.nn.functional.crossEntropy(
          model.call(x.slice(0, i * m, (i + 1) * m)),
          y.slice(0, i * m, (i + 1) * m),
        );
        loss.div(k).backward();
      }
      optimizer.step();
      return torch.memory.maxAllocated(device) - before;
    };
    peak(1); // the gradients exist from here on, so both runs below start alike
    const whole = peak(1);
    const quarter = peak(4);
    expect(peak(1)).toBe(whole);
    // Not quite 1/4: the gradients (which a first backward hands to .grad without a copy) are whole in both.
    expect(quarter / whole).toBeGreaterThan(0.2);
    expect(quarter / whole).toBeLessThan(0.33);
  });

  it('a loop that awaits only microtasks does not keep the tensors it dropped alive', async () => {
    const storages = new FinalizationRegistry<null>(() => void collected++);
    let collected = 0;
    const drop = () => storages.register(torch.ones([1 << 16], { device }).mul(2).storage, null);
    // All in one job (microtasks only, as a for-await loop over a DataLoader is): a collection here
    // must find the dropped tensors gone, though the job has not ended.
    for (let i = 0; i < 20; i++) {
      drop();
      await Promise.resolve();
    }
    (globalThis as { gc?: () => void }).gc!();
    // The registry's callbacks run in later tasks.
    for (let wait = 0; wait < 50 && collected < 20; wait++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(collected).toBeGreaterThanOrEqual(19);
  });
});
