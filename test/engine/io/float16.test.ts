import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits } from '#engine/io/float16';

/** The value of a half bit pattern, straight from the IEEE 754 definition. */
function halfValue(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  if (exp === 0) return sign * mant * 2 ** -24;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

const isNaNBits = (h: number): boolean => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
const f32 = (x: number): Float32Array => Float32Array.of(x);
const toHalf = (x: number): number => float32ToFloat16Bits(f32(x))[0]!;

/** Correct rounding by search over the (monotone) positive halves: nearest, ties to even. */
function oracle(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00; // halfway between 65504 and 2^16 ties to the even pattern 0x7c00
  let lo = 0;
  let hi = 0x7bff;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (halfValue(mid) <= a) lo = mid;
    else hi = mid - 1;
  }
  if (halfValue(lo) === a) return sign | lo;
  const dLo = a - halfValue(lo);
  const dHi = halfValue(lo + 1) - a;
  const pick = dLo < dHi ? lo : dHi < dLo ? lo + 1 : lo % 2 === 0 ? lo : lo + 1;
  return sign | pick;
}

describe('float16 conversion', () => {
  it('widens all 65536 bit patterns exactly and narrows them back unchanged', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const wide = float16BitsToFloat32(all);
    const back = float32ToFloat16Bits(wide);
    // Mismatches are collected rather than asserted one by one: 65536 expect() calls are slow.
    const bad: number[] = [];
    for (let h = 0; h < 65536; h++) {
      // NaNs stay NaN with their sign; the quiet bit is forced, the rest of the payload kept.
      const ok = isNaNBits(h)
        ? Number.isNaN(wide[h]) && back[h] === (h | 0x200)
        : Object.is(wide[h], halfValue(h)) && back[h] === h;
      if (!ok) bad.push(h);
    }
    expect(bad).toEqual([]);
  });

  it('rounds ties to even and just-off-ties to nearest at every pair of adjacent halves', () => {
    const bad: number[] = [];
    for (let h = 0; h < 0x7bff; h++) {
      const mid = (halfValue(h) + halfValue(h + 1)) / 2; // exact in float32: one more significand bit
      const even = h % 2 === 0 ? h : h + 1;
      const bits = new Uint32Array(f32(mid).buffer)[0]!;
      const below = new Float32Array(Uint32Array.of(bits - 1).buffer)[0]!;
      const above = new Float32Array(Uint32Array.of(bits + 1).buffer)[0]!;
      const ok =
        f32(mid)[0] === mid &&
        toHalf(mid) === even &&
        toHalf(-mid) === (even | 0x8000) &&
        toHalf(below) === h &&
        toHalf(above) === h + 1;
      if (!ok) bad.push(h);
    }
    expect(bad).toEqual([]);
  });

  it('handles the edges of the range', () => {
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(65519.99)).toBe(0x7bff);
    expect(toHalf(65520)).toBe(0x7c00);
    expect(toHalf(1e10)).toBe(0x7c00);
    expect(toHalf(-Infinity)).toBe(0xfc00);
    expect(toHalf(2 ** -24)).toBe(0x0001);
    expect(toHalf(2 ** -25)).toBe(0x0000);
    expect(toHalf(2 ** -25 * 1.0000001)).toBe(0x0001);
    expect(toHalf(-(2 ** -26))).toBe(0x8000);
    expect(toHalf(2 ** -14 - 2 ** -25)).toBe(0x0400); // largest subnormal rounds up into the normals
    expect(toHalf(1.401298464324817e-45)).toBe(0); // float32 subnormal
    expect(toHalf(-0)).toBe(0x8000);
    expect(toHalf(NaN) & 0x7e00).toBe(0x7e00);
  });

  it('matches the rounding oracle on random float32 bit patterns', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        const x = new Float32Array(Uint32Array.of(bits).buffer)[0]!;
        const h = toHalf(x);
        if (Number.isNaN(x)) return isNaNBits(h);
        return h === oracle(x);
      }),
      { numRuns: 20000 },
    );
  });

  it('reads typed arrays at a byte offset', () => {
    const base = new Float32Array([9, 1.5, -2]);
    expect(Array.from(float32ToFloat16Bits(base.subarray(1)))).toEqual([0x3e00, 0xc000]);
  });
});
