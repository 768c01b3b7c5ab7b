import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices, floatDtypes } from '../../helpers/devices.ts';
import { values } from '../../helpers/assert.ts';
import { meanOf, varOf } from '../../helpers/reference.ts';

/**
 * The generator's documented algorithm, written out again from its description (seed → SplitMix32
 * → xoshiro128** state; float32 uniforms are the top 24 bits / 2^24), to pin its output without
 * trusting the engine.
 */
function documentedUniforms(seed: number, n: number): number[] {
  let sm = (seed % 2 ** 32) ^ Math.floor(seed / 2 ** 32);
  const s: number[] = [];
  for (let i = 0; i < 4; i++) {
    sm = (sm + 0x9e3779b9) | 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    s.push((z ^ (z >>> 16)) >>> 0);
  }
  const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    out.push((result >>> 8) / 2 ** 24);
  }
  return out;
}

describe.each(devices)('seeded random numbers (%s)', (device) => {
  it('pins the first values of rand after manualSeed(0)', async () => {
    torch.manualSeed(0);
    const first = await values(torch.rand(4, { device }));
    // Pinned: any change to the algorithm changes these, and must be deliberate.
    expect(first).toEqual([0.8868539333343506, 0.2639589309692383, 0.01247495412826538, 0.6732364892959595]);
    expect(first).toEqual(documentedUniforms(0, 4));
    torch.manualSeed(123456789);
    expect(await values(torch.rand(6, { device }))).toEqual(documentedUniforms(123456789, 6));
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
