/**
 * IEEE 754 binary16 <-> binary32 bit conversion. safetensors stores F16 tensors as raw halves and
 * Node 20 has no Float16Array, so the engine keeps float16 values as float32 and converts at the
 * file boundary.
 */

/** Rounds each float32 to the nearest half (ties to even) and returns the half's bit pattern. */
export function float32ToFloat16Bits(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfFromFloatBits(bits[i]!);
  return out;
}

function halfFromFloatBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) {
    // Keep the top payload bits and force the quiet bit so a NaN never becomes an infinity.
    return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  }
  const e = exp - 127 + 15; // biased half exponent
  if (e >= 31) return sign | 0x7c00;
  if (e >= 1) {
    // A carry out of the mantissa correctly bumps the exponent, up to infinity at 0x7c00.
    return sign | roundShift((e << 23) | mant, 13);
  }
  // Below 2^-25 everything rounds to zero (2^-25 itself is a tie that rounds to even, 0).
  if (e < -10) return sign;
  // Subnormal half: units of 2^-24; the full 24-bit significand shifted into place.
  return sign | roundShift(mant | 0x800000, 14 - e);
}

/** `value >> shift` rounded to nearest, ties to even. */
function roundShift(value: number, shift: number): number {
  const q = value >>> shift;
  const rem = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rem > half || (rem === half && (q & 1) === 1) ? q + 1 : q;
}

/** Widens half bit patterns to float32 (exact; NaN payloads are kept). */
export function float16BitsToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i]!;
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0x1f) bits[i] = sign | 0x7f800000 | (mant << 13);
    else if (exp !== 0) bits[i] = sign | ((exp + 112) << 23) | (mant << 13);
    else out[i] = (sign ? -mant : mant) * 2 ** -24; // zero or subnormal; exact in float32
  }
  return out;
}
