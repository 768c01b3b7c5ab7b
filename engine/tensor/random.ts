/**
 * Seeded random numbers, the same on every run and every platform.
 *
 * Algorithm (documented so other tools can reproduce it): the seed (an integer below 2^53) is split
 * into its low and high 32-bit words, which feed SplitMix32 to fill the 128-bit state of
 * xoshiro128**. Uniform float32 values take the top 24 bits of one draw (k / 2^24); float64 values
 * take 53 bits from two draws. Normal values use the Box–Muller transform on two uniforms, both
 * outputs used in turn. Integers in [low, high) use rejection sampling, so they are unbiased. V8's
 * Math.log/cos/sqrt are its own fdlibm ports, so results do not depend on the system's libm.
 */

/** PyTorch's default CPU seed, so an unseeded program is still reproducible. */
export const DEFAULT_SEED = 67280421310721;

function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [s, (z ^ (z >>> 16)) >>> 0];
}

export interface GeneratorState {
  readonly seed: number;
  readonly words: readonly [number, number, number, number];
  readonly spareNormal: number | null;
}

export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private seed = DEFAULT_SEED;
  private spare: number | null = null;

  constructor(seed: number = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`manualSeed expects a non-negative integer below 2^53, but got ${seed}`);
    }
    this.seed = seed;
    let sm = (seed % 2 ** 32) ^ Math.floor(seed / 2 ** 32);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(sm);
      sm = next;
      words.push(out);
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    this.spare = null;
    return this;
  }

  initialSeed(): number {
    return this.seed;
  }

  getState(): GeneratorState {
    return { seed: this.seed, words: [this.s0, this.s1, this.s2, this.s3], spareNormal: this.spare };
  }

  setState(state: GeneratorState): this {
    this.seed = state.seed;
    [this.s0, this.s1, this.s2, this.s3] = state.words;
    this.spare = state.spareNormal;
    return this;
  }

  /** The next 32 random bits (xoshiro128**), as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 random bits (float32's precision). */
  uniform24(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /** Uniform in [0, 1) with 53 random bits (float64's precision). */
  uniform53(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal by Box–Muller; the second value of each pair is kept for the next call. */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const u1 = 1 - this.uniform53(); // in (0, 1], so log is finite
    const u2 = this.uniform53();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** A uniform integer in [low, high), unbiased (rejection sampling). */
  integer(low: number, high: number): number {
    const range = high - low;
    if (!(range >= 1) || range > 2 ** 32)
      throw new RangeError(`random_ expects 'from' < 'to' (got ${low} and ${high})`);
    const limit = 2 ** 32 - (2 ** 32 % range);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return low + (x % range);
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.integer(0, i + 1);
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The generator every random function uses unless given its own. */
export const defaultGenerator = new Generator();

export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}

export function initialSeed(): number {
  return defaultGenerator.initialSeed();
}
