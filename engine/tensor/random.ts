/**
 * Seeded random numbers, the same on every run and every platform, and the same as PyTorch's CPU
 * generator: `torch.manualSeed(0); torch.rand(3)` gives PyTorch's 0.4963, 0.7682, 0.0885.
 *
 * Algorithm (PyTorch's CPUGeneratorImpl, so other tools can reproduce it): MT19937 seeded with the
 * seed's low 32 bits. One draw is 32 bits; a 64-bit draw is two, the first the high word. Uniform
 * values of a float type with d mantissa digits (bfloat16 8, float16 11, float32 24) take the low d bits of one
 * draw (k / 2^d); float64 takes the low 53 bits of a 64-bit draw. A single normal value is Box–Muller
 * on two float64 uniforms, u1 for the angle and u2 for the radius, the sine half cached for the next
 * call (PyTorch's next_double_normal_sample); a tensor of 16 or more normals is filled as PyTorch's
 * normal_fill: uniforms for every element first, then Box–Muller over blocks of 16 (element j pairs
 * with j + 8), the last block redrawn when 16 does not divide the size. Integers in [low, high) are
 * `draw % (high − low) + low`, as PyTorch's (a 64-bit draw when the range is 2^32 or more); a
 * permutation is PyTorch's randperm: swap element i with i + draw % (n − i), from the front. V8's
 * Math.log/cos/sqrt are its own fdlibm ports, so results do not depend on the system's libm; normals
 * may differ from PyTorch's in the last bit, where its vectorised float32 (or libm's float64) log,
 * sin and cos round differently.
 */
import { tracer } from '../compile/hooks.ts';

/** PyTorch's default CPU seed, so an unseeded program is still reproducible. */
export const DEFAULT_SEED = 67280421310721;

const STATE_WORDS = 624;
const SHIFT_WORDS = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export interface GeneratorState {
  readonly seed: number;
  readonly words: Uint32Array;
  readonly next: number;
  readonly spareNormal: number | null;
}

/** Mantissa digits of each float dtype's uniform draw, as PyTorch's uniform_real_distribution takes them. */
const UNIFORM_DIGITS = { float16: 11, bfloat16: 8, float32: 24 } as const;

export type FloatKind = 'float16' | 'bfloat16' | 'float32' | 'float64';

export class Generator {
  private readonly words = new Uint32Array(STATE_WORDS);
  private next = STATE_WORDS;
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
    const w = this.words;
    w[0] = seed % 2 ** 32;
    for (let i = 1; i < STATE_WORDS; i++) {
      const p = w[i - 1]! ^ (w[i - 1]! >>> 30);
      w[i] = (Math.imul(1812433253, p) + i) >>> 0;
    }
    this.next = STATE_WORDS;
    this.spare = null;
    return this;
  }

  initialSeed(): number {
    return this.seed;
  }

  getState(): GeneratorState {
    return { seed: this.seed, words: this.words.slice(), next: this.next, spareNormal: this.spare };
  }

  setState(state: GeneratorState): this {
    this.seed = state.seed;
    this.words.set(state.words);
    this.next = state.next;
    this.spare = state.spareNormal;
    return this;
  }

  /** The next 32 random bits (MT19937), as an unsigned integer. */
  nextUint32(): number {
    // A draw outside any op (torch.rand in dropout) would be frozen into a compiled graph: it breaks the trace.
    tracer()?.untraced('random numbers drawn outside an op (torch.rand, dropout in training mode)');
    if (this.next === STATE_WORDS) this.twist();
    let y = this.words[this.next++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    return (y ^ (y >>> 18)) >>> 0;
  }

  /** Uniform in [0, 1) with 24 random bits (float32's precision). */
  uniform24(): number {
    return (this.nextUint32() & 0xffffff) / 16777216;
  }

  /** Uniform in [0, 1) with 53 random bits (float64's precision), from one 64-bit draw. */
  uniform53(): number {
    const hi = this.nextUint32() & 0x1fffff;
    return (hi * 2 ** 32 + this.nextUint32()) / 9007199254740992;
  }

  /** Uniform in [0, 1) at the precision of `kind`, as PyTorch draws it for a tensor of that dtype. */
  uniform(kind: FloatKind): number {
    if (kind === 'float64') return this.uniform53();
    const digits = UNIFORM_DIGITS[kind];
    return (this.nextUint32() & (2 ** digits - 1)) / 2 ** digits;
  }

  /** Standard normal by Box–Muller; the second value of each pair is kept for the next call. */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const theta = 2 * Math.PI * this.uniform53();
    const r = Math.sqrt(-2 * Math.log1p(-this.uniform53()));
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * `out` filled with normals N(mean, std²) as PyTorch's normal_ fills a contiguous tensor of
   * `kind`: under 16 elements each a float64 `normal()·std + mean`, rounded once to the dtype.
   */
  fillNormal(out: Float32Array | Float64Array, kind: FloatKind, mean = 0, std = 1): void {
    const n = out.length;
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = this.normal() * std + mean;
      return;
    }
    // Box–Muller needs u1 in (0, 1] for its log; the uniforms are rounded as the dtype stores them.
    for (let i = 0; i < n; i++) out[i] = this.uniform(kind);
    for (let i = 0; i + 16 <= n; i += 16) boxMuller16(out, i, kind, mean, std);
    if (n % 16 !== 0) {
      for (let i = n - 16; i < n; i++) out[i] = this.uniform(kind);
      boxMuller16(out, n - 16, kind, mean, std);
    }
  }

  /** A uniform integer in [low, high): `draw % range + low`, as PyTorch's random_(from, to). */
  integer(low: number, high: number): number {
    const range = high - low;
    if (!(range >= 1) || !Number.isSafeInteger(range))
      throw new RangeError(`random_ expects 'from' < 'to' (got ${low} and ${high})`);
    if (range < 2 ** 32) return low + (this.nextUint32() % range);
    const hi = BigInt(this.nextUint32());
    const draw = (hi << 32n) | BigInt(this.nextUint32());
    return low + Number(draw % BigInt(range));
  }

  /** A random permutation of 0..n-1, as PyTorch's randperm on the CPU. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = 0; i < n - 1; i++) {
      const j = i + (this.nextUint32() % (n - i));
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }

  /** MT19937's next 624 words of state. */
  private twist(): void {
    const w = this.words;
    for (let i = 0; i < STATE_WORDS; i++) {
      const y = (w[i]! & UPPER_MASK) | (w[(i + 1) % STATE_WORDS]! & LOWER_MASK);
      w[i] = w[(i + SHIFT_WORDS) % STATE_WORDS]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.next = 0;
  }
}

const exact = (x: number): number => x;

/**
 * PyTorch's normal_fill_16: uniforms at j and j + 8 become the normals at j and j + 8. Float types
 * round every step to float32, as PyTorch's float arithmetic does (within a unit in the last place
 * of its vectorised log/sin/cos); float64 rounds once per operation anyway. `·std + mean` is one
 * fused multiply-add, as in PyTorch's AVX2 kernel (a float32 product is exact in float64).
 */
function boxMuller16(
  data: Float32Array | Float64Array,
  start: number,
  kind: FloatKind,
  mean: number,
  std: number,
): void {
  const round = kind === 'float64' ? exact : Math.fround;
  const twoPi = round(2 * Math.PI);
  [mean, std] = [round(mean), round(std)];
  for (let j = start; j < start + 8; j++) {
    const radius = round(Math.sqrt(round(-2 * round(Math.log(round(1 - data[j]!))))));
    const theta = round(twoPi * data[j + 8]!);
    data[j] = round(round(radius * round(Math.cos(theta))) * std + mean);
    data[j + 8] = round(round(radius * round(Math.sin(theta))) * std + mean);
  }
}

/** The generator every random function uses unless given its own. */
export const defaultGenerator = new Generator();

export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}

export function initialSeed(): number {
  return defaultGenerator.initialSeed();
}

/** Seeds the default generator from the system's entropy (below 2^53 here) and returns the seed, as torch.seed(). */
export function seed(): number {
  const [hi, lo] = crypto.getRandomValues(new Uint32Array(2));
  const s = (hi! & 0x1fffff) * 2 ** 32 + lo!;
  manualSeed(s);
  return s;
}

/** The default generator's state, to restore with setRngState (PyTorch's is a ByteTensor; here a plain object). */
export function getRngState(): GeneratorState {
  return defaultGenerator.getState();
}

export function setRngState(state: GeneratorState): void {
  if (typeof state !== 'object' || state === null || !(state.words instanceof Uint32Array))
    throw new TypeError('torch.setRngState(): expected a state from torch.getRngState()');
  defaultGenerator.setState(state);
}
