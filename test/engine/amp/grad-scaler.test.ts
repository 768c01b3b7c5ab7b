import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';

describe.each(devices)('GradScaler on %s', (device) => {
  /** One scaled step of SGD on p·k summed; k = Infinity injects an overflow. */
  async function scaledStep(scaler: torch.amp.GradScaler, opt: torch.optim.Optimizer, p: torch.Tensor, k: number) {
    opt.zeroGrad();
    scaler.scale(p.mul(k).sum()).backward();
    const out = await scaler.step(opt);
    scaler.update();
    return out;
  }

  it("has PyTorch's defaults", () => {
    const s = new torch.amp.GradScaler();
    expect(s.getScale()).toBe(65536);
    expect([s.getGrowthFactor(), s.getBackoffFactor(), s.getGrowthInterval()]).toEqual([2, 0.5, 2000]);
    expect(s.stateDict()).toEqual({
      scale: 65536,
      growthFactor: 2,
      backoffFactor: 0.5,
      growthInterval: 2000,
      growthTracker: 0,
    });
  });

  it('follows the scale trajectory _amp_update_scale_ gives for injected overflows', async () => {
    const p = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true, device });
    const opt = new torch.optim.SGD([p], { lr: 0.1 });
    const scaler = new torch.amp.GradScaler(device, { initScale: 8, growthInterval: 3 });
    const overflow = [false, false, false, true, false, false, true, false, false, false];
    const scales: number[] = [];
    for (const inf of overflow) {
      await scaledStep(scaler, opt, p, inf ? Infinity : 1);
      scales.push(scaler.getScale());
    }
    // Grow ×2 after 3 clean steps in a row, back off ×0.5 on each overflow (tracker reset).
    expect(scales).toEqual([8, 8, 16, 8, 8, 8, 4, 4, 4, 8]);
    // 8 clean SGD steps on the unscaled gradient 1 (lr 0.1); the 2 overflow steps were skipped.
    expect(await p.toArray()).toEqual([1 - 0.8, 2 - 0.8].map((v) => Math.fround(v)).map((v) => expect.closeTo(v, 5)));
  });

  it('keeps S in float32 as PyTorch does: non-power-of-two factors, growth that would overflow, update(newScale)', async () => {
    // PyTorch's _amp_update_scale_ (aten/src/ATen/native/cpu/AmpGradScalerKernels.cpp) on its float32
    // scale tensor: on inf, scale = f32(scale · backoff) and tracker = 0; else tracker + 1, and at
    // growthInterval scale = f32(scale · growth) if finite, tracker = 0. From 1000 with growth 1.1,
    // backoff 0.3, interval 2: 1100, 1210, 363, f32(399.3) = 399.29998779296875, f32(119.79) = …
    const p = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true, device });
    const opt = new torch.optim.SGD([p], { lr: 0.1 });
    const scaler = new torch.amp.GradScaler(device, {
      initScale: 1000,
      growthFactor: 1.1,
      backoffFactor: 0.3,
      growthInterval: 2,
    });
    const scales: number[] = [];
    for (const inf of [false, false, false, false, true, false, false, true, false, false]) {
      await scaledStep(scaler, opt, p, inf ? Infinity : 1);
      scales.push(scaler.getScale());
    }
    expect(scales).toEqual([
      1000, 1100, 1100, 1210, 363, 363, 399.29998779296875, 119.78999328613281, 119.78999328613281, 131.7689971923828,
    ]);
    // The gradient is unscaled by f32(1/S): 1 · S · f32(1/S), within float32 rounding of 1.
    opt.zeroGrad();
    scaler.scale(p.sum()).backward();
    scaler.unscale_(opt);
    expect(await p.grad!.toArray()).toEqual([expect.closeTo(1, 6), expect.closeTo(1, 6)]);
    await scaler.step(opt);
    scaler.update(0.1);
    expect(scaler.getScale()).toBe(Math.fround(0.1)); // _scale.fill_(0.1): 0.10000000149011612
    // 2¹²⁷ · 2 is inf in float32: growth is skipped, the tracker still resets.
    const top = new torch.amp.GradScaler(device, { initScale: 2 ** 127, growthInterval: 1 });
    await scaledStep(top, opt, p, 0);
    expect([top.getScale(), top.stateDict()]).toEqual([2 ** 127, expect.objectContaining({ growthTracker: 0 })]);
    expect(new torch.amp.GradScaler({ initScale: 0.1 }).getScale()).toBe(0.10000000149011612);
  });

  it('unscale_ before clipping divides the gradients by S; a skipped step leaves the parameters alone', async () => {
    const p = torch.tensor([3, 4], { dtype: 'float32', requiresGrad: true, device });
    const opt = new torch.optim.SGD([p], { lr: 1 });
    const scaler = new torch.amp.GradScaler();
    scaler.scale(p.mul(p).sum().div(2)).backward(); // gradient p, scaled by 65536
    scaler.unscale_(opt);
    expect(await p.grad!.toArray()).toEqual([3, 4]);
    expect(await torch.nn.utils.clipGradNorm_([p], 1).item()).toBeCloseTo(5, 5);
    await scaler.step(opt);
    scaler.update();
    expect(await p.toArray()).toEqual([expect.closeTo(3 - 0.6, 5), expect.closeTo(4 - 0.8, 5)]);
    expect(await scaledStep(scaler, opt, p, NaN)).toBeUndefined();
    expect(await p.toArray()).toEqual([expect.closeTo(2.4, 5), expect.closeTo(3.2, 5)]);
    expect(scaler.getScale()).toBe(32768);
  });

  it("raises PyTorch's errors for calls out of order", async () => {
    const p = torch.tensor([1], { dtype: 'float32', requiresGrad: true, device });
    const opt = new torch.optim.SGD([p], { lr: 1 });
    const scaler = new torch.amp.GradScaler();
    expect(() => scaler.update()).toThrow('No inf checks were recorded prior to update.');
    scaler.scale(p.sum()).backward();
    scaler.unscale_(opt);
    expect(() => scaler.unscale_(opt)).toThrow(
      'unscale_() has already been called on this optimizer since the last update().',
    );
    expect(() => scaler.update()).toThrow(/await scaler.step\(optimizer\)/);
    await scaler.step(opt);
    await expect(scaler.step(opt)).rejects.toThrow('step() has already been called since the last update().');
    expect(() => new torch.amp.GradScaler({ growthFactor: 1 })).toThrow('The growth factor must be > 1.0, got 1');
    expect(() => new torch.amp.GradScaler({ initscale: 2 } as object)).toThrow(/unexpected option\(s\) initscale/);
  });

  it('refuses float16 gradients, and when disabled passes everything through', async () => {
    const h = torch.tensor([1], { dtype: 'float16', device: 'cpu', requiresGrad: true });
    const scaler = new torch.amp.GradScaler();
    scaler.scale(h.sum()).backward();
    expect(() => scaler.unscale_(new torch.optim.SGD([h], { lr: 1 }))).toThrow('Attempting to unscale FP16 gradients.');
    const off = new torch.amp.GradScaler({ enabled: false });
    const p = torch.tensor([1], { dtype: 'float32', requiresGrad: true, device });
    const loss = p.sum();
    expect(off.scale(loss)).toBe(loss);
    expect(off.getScale()).toBe(1);
    expect(off.stateDict()).toEqual({});
  });

  it('restores its state from a state dict', () => {
    const a = new torch.amp.GradScaler({ initScale: 4, growthInterval: 7 });
    const b = new torch.amp.GradScaler();
    b.loadStateDict(a.stateDict());
    expect(b.stateDict()).toEqual(a.stateDict());
    expect(() => b.loadStateDict({})).toThrow(/saved from a disabled instance/);
  });
});
