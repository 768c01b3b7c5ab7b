import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices, floatDtypes } from '../../helpers/devices.ts';
import { values } from '../../helpers/assert.ts';
import { meanOf, varOf } from '../../helpers/reference.ts';
import PYTORCH from '../../fixtures/pytorch/rng.json' with { type: 'json' };

/**
 * MT19937 written out again from its published description (Matsumoto & Nishimura, the seeding of
 * init_genrand), and the documented float32 uniform (the low 24 bits / 2^24), to pin the engine's
 * output without trusting it.
 */
function documentedUniforms(seed: number, n: number): number[] {
  const mt: number[] = [seed % 2 ** 32];
  for (let i = 1; i < 624; i++) mt.push((Math.imul(1812433253, mt[i - 1]! ^ (mt[i - 1]! >>> 30)) + i) >>> 0);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = k % 624;
    if (i === 0) {
      for (let j = 0; j < 624; j++) {
        const y = (mt[j]! & 0x80000000) | (mt[(j + 1) % 624]! & 0x7fffffff);
        mt[j] = (mt[(j + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)) >>> 0;
      }
    }
    let y = mt[i]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    out.push(((y >>> 0) & 0xffffff) / 2 ** 24);
  }
  return out;
}

/** float32 values at most `ulps` units in the last place apart (PyTorch's vectorised float32 log, sin, cos). */
function expectUlpClose(got: number[], expected: number[], ulps: number): void {
  expect(got).toHaveLength(expected.length);
  got.forEach((g, i) => {
    const e = expected[i]!;
    const ulp = 2 ** (Math.floor(Math.log2(Math.abs(e))) - 23);
    expect(Math.abs(g - e), `element ${i}: got ${g}, PyTorch ${e}`).toBeLessThanOrEqual(ulps * ulp);
  });
}

describe("PyTorch's own numbers (CPU generator, test/fixtures/pytorch/rng.py)", () => {
  it("rand, rand(float64), randint, randperm after manualSeed are PyTorch's, bit for bit", async () => {
    torch.manualSeed(0);
    expect(await values(torch.rand(4))).toEqual(PYTORCH.rand_seed0);
    torch.manualSeed(42);
    expect(await values(torch.rand(3))).toEqual(PYTORCH.rand_seed42);
    torch.manualSeed(0);
    expect(await values(torch.rand(3, { dtype: 'float64' }))).toEqual(PYTORCH.rand_float64_seed0);
    torch.manualSeed(0);
    expect(await values(torch.randint(0, 10, [8]))).toEqual(PYTORCH.randint_0_10_seed0);
    torch.manualSeed(0);
    expect(await values(torch.randperm(10))).toEqual(PYTORCH.randperm_10_seed0);
  });

  it("randn: one value at a time below 16 elements, PyTorch's normal_fill from 16 on", async () => {
    torch.manualSeed(0);
    expect(await values(torch.randn(2, 3))).toEqual(PYTORCH.randn_2x3_seed0);
    torch.manualSeed(0);
    expectUlpClose(await values(torch.randn(20)), PYTORCH.randn_20_seed0, 1);
    torch.manualSeed(0);
    const f64 = await values(torch.randn(35, { dtype: 'float64' }));
    f64.forEach((v, i) => expect(v).toBeCloseTo(PYTORCH.randn_35_float64_seed0[i]!, 14));
  });

  it("nn.Linear's initial weights and dropout's mask are PyTorch's", async () => {
    torch.manualSeed(0);
    const linear = new torch.nn.Linear(4, 3);
    expect(await values(linear.weight)).toEqual(PYTORCH.linear_4_3_seed0.weight);
    expect(await values(linear.bias!)).toEqual(PYTORCH.linear_4_3_seed0.bias);
    torch.manualSeed(0);
    expect(await values(torch.nn.functional.dropout(torch.ones(12), 0.5))).toEqual(PYTORCH.dropout_half_seed0);
  });

  it("a shuffled DataLoader visits PyTorch's order, epoch after epoch", async () => {
    const dataset = new torch.utils.data.TensorDataset(torch.arange(10));
    const epochs = async (loader: torch.utils.data.DataLoader<torch.Tensor[], torch.Tensor[]>) => {
      const seen: number[][][] = [];
      for (let e = 0; e < 2; e++) {
        const epoch: number[][] = [];
        for await (const [batch] of loader) epoch.push(await values(batch!));
        seen.push(epoch);
      }
      return seen;
    };
    const generator = new torch.Generator(3);
    expect(await epochs(new torch.utils.data.DataLoader(dataset, { batchSize: 4, shuffle: true, generator }))).toEqual(
      PYTORCH.loader_generator3,
    );
    torch.manualSeed(1);
    expect(await epochs(new torch.utils.data.DataLoader(dataset, { batchSize: 4, shuffle: true }))).toEqual(
      PYTORCH.loader_seed1,
    );
  });
});

describe.each(devices)('seeded random numbers (%s)', (device) => {
  it('pins the first values of rand after manualSeed(0)', async () => {
    torch.manualSeed(0);
    const first = await values(torch.rand(4, { device }));
    expect(first).toEqual(PYTORCH.rand_seed0);
    expect(first).toEqual(documentedUniforms(0, 4));
    torch.manualSeed(123456789);
    expect(await values(torch.rand(700, { device }))).toEqual(documentedUniforms(123456789, 700));
  });

  it('manualSeed(s) gives the same numbers every time', async () => {
    torch.manualSeed(42);
    const a = await values(torch.randn(50, { device }));
    const ai = await values(torch.randint(0, 10, [20], { device }));
    torch.manualSeed(42);
    expect(await values(torch.randn(50, { device }))).toEqual(a);
    expect(await values(torch.randint(0, 10, [20], { device }))).toEqual(ai);
    torch.manualSeed(43);
    expect(await values(torch.randn(50, { device }))).not.toEqual(a);
    expect(torch.initialSeed()).toBe(43);
  });

  it('a private Generator is an independent stream', async () => {
    const g = new torch.Generator().manualSeed(7);
    torch.manualSeed(0);
    const x = await values(torch.rand(5, { device, generator: g }));
    // Drawing from the default generator in between does not disturb g's stream…
    const g2 = new torch.Generator().manualSeed(7);
    const y1 = await values(torch.rand(2, { device, generator: g2 }));
    torch.rand(100);
    const y2 = await values(torch.rand(3, { device, generator: g2 }));
    expect([...y1, ...y2]).toEqual(x);
    // …and g does not disturb the default generator.
    torch.manualSeed(0);
    expect(await values(torch.rand(4, { device }))).toEqual(documentedUniforms(0, 4));
    expect(x).toEqual(documentedUniforms(7, 5));
  });

  it('rand is in [0, 1), in every float dtype the device has', async () => {
    torch.manualSeed(1);
    for (const dtype of floatDtypes(device)) {
      const v = await values(torch.rand(2000, { dtype, device }));
      expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...v)).toBeLessThan(1);
      expect(Math.abs(meanOf(v) - 0.5)).toBeLessThan(0.03);
    }
  });

  it('randn has mean ≈ 0 and std ≈ 1 on a large sample', async () => {
    torch.manualSeed(2);
    const v = await values(torch.randn(20000, { device }));
    // Standard error of the mean is 1/√20000 ≈ 0.007; of the std ≈ 0.005.
    expect(Math.abs(meanOf(v))).toBeLessThan(0.03);
    expect(Math.abs(Math.sqrt(varOf(v)) - 1)).toBeLessThan(0.03);
    expect(v.filter((x) => Math.abs(x) > 1.96).length / v.length).toBeCloseTo(0.05, 1);
  });

  it('randint stays in [low, high) and hits every value', async () => {
    torch.manualSeed(3);
    const t = torch.randint(-3, 4, [2000], { device });
    expect(t.dtype).toBe('int32');
    const v = await values(t);
    expect(new Set(v)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
    expect(torch.randint(0, 5, [2, 3], { device }).shape).toEqual([2, 3]);
    expect(() => torch.randint(5, 5, [2])).toThrow(/expects 'from' < 'to'/);
  });

  it('randperm is a permutation of 0..n-1', async () => {
    torch.manualSeed(4);
    for (const n of [0, 1, 7, 100]) {
      const p = await values(torch.randperm(n, { device }));
      expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    const g = new torch.Generator().manualSeed(5);
    expect(await values(torch.randperm(10, { generator: g }))).toEqual(
      await values(torch.randperm(10, { generator: new torch.Generator().manualSeed(5) })),
    );
  });

  it('rejects bad seeds', () => {
    expect(() => torch.manualSeed(-1)).toThrow(/non-negative integer/);
    expect(() => new torch.Generator().manualSeed(1.5)).toThrow(/non-negative integer/);
  });
});
