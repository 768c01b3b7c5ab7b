import { describe, expect, it } from 'vitest';
import * as torch from '#engine';

const { init } = torch.nn;

async function values(t: torch.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

describe('calculateGain and fans', () => {
  it("uses PyTorch's gains", () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('conv2d')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBe(5 / 3);
    expect(init.calculateGain('relu')).toBe(Math.sqrt(2));
    expect(init.calculateGain('leaky_relu')).toBe(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(init.calculateGain('leakyRelu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(init.calculateGain('selu')).toBe(3 / 4);
    expect(() => init.calculateGain('gelu')).toThrow('Unsupported nonlinearity gelu');
  });

  it('computes fan_in and fan_out with the receptive field', () => {
    expect(init.calculateFanInAndFanOut(torch.empty(16, 3, 5, 5))).toEqual({ fanIn: 75, fanOut: 400 });
    expect(() => init.calculateFanInAndFanOut(torch.empty(4))).toThrow(/fewer than 2 dimensions/);
  });
});

describe('init functions', () => {
  it('uniform_ and normal_ draw from the default generator, in place', async () => {
    const t = torch.empty(1000, { dtype: 'float64' });
    torch.manualSeed(3);
    expect(init.uniform_(t, -2, 3)).toBe(t);
    const g = new torch.Generator(3);
    expect(await values(t)).toEqual(Array.from({ length: 1000 }, () => g.uniform53() * 5 - 2));
    torch.manualSeed(3);
    init.normal_(t, { mean: 1, std: 2 });
    const normals = new Float64Array(1000);
    new torch.Generator(3).fillNormal(normals, 'float64');
    expect(await values(t)).toEqual(Array.from(normals, (z) => z * 2 + 1));
    const own = new torch.Generator(11);
    init.uniform_(t, { generator: own });
    const k = new torch.Generator(11);
    expect(await values(t)).toEqual(Array.from({ length: 1000 }, () => k.uniform53()));
  });

  it('kaiming and xavier use the documented bounds and standard deviations', async () => {
    const w = torch.empty(200, 50, { dtype: 'float64' });
    const std = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    init.kaimingUniform_(w, { nonlinearity: 'relu' });
    const ku = await values(w);
    const bound = Math.sqrt(2) * Math.sqrt(3 / 50);
    expect(Math.max(...ku.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...ku.map(Math.abs))).toBeGreaterThan(0.99 * bound);
    init.kaimingNormal_(w, 0, 'fan_out', 'relu');
    expect(std(await values(w)) / (Math.sqrt(2) / Math.sqrt(200))).toBeCloseTo(1, 1);
    init.xavierUniform_(w, 2);
    const a = 2 * Math.sqrt(6 / 250);
    expect(Math.max(...(await values(w)).map(Math.abs))).toBeLessThanOrEqual(a);
    init.xavierNormal_(w);
    expect(std(await values(w)) / Math.sqrt(2 / 250)).toBeCloseTo(1, 1);
    expect(() => init.kaimingUniform_(w, { mode: 'fan_avg' as 'fan_in' })).toThrow(
      'Mode fan_avg not supported, please use one of fan_in, fan_out',
    );
  });

  it('constant_, zeros_ and ones_ fill in place, even parameters that require grad', async () => {
    const p = new torch.nn.Parameter(torch.empty(3));
    init.constant_(p, 0.5);
    expect(await values(p)).toEqual([0.5, 0.5, 0.5]);
    init.zeros_(p);
    expect(await values(p)).toEqual([0, 0, 0]);
    init.ones_(p);
    expect(await values(p)).toEqual([1, 1, 1]);
    expect(p.isLeaf && p.requiresGrad).toBe(true);
  });
});
