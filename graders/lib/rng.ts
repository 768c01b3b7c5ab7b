// Every random input a grader uses comes from here, seeded from --seed and the check's id, so a score
// never depends on the order checks run in or on anything but the code and the seed.
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  uniform(lo?: number, hi?: number): number;
  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number;
  normal(mean?: number, std?: number): number;
  /** `n` uniform values in [lo, hi). */
  array(n: number, lo?: number, hi?: number): number[];
}

/** FNV-1a over `base:key`: a stable 32-bit seed per check. */
export function deriveSeed(base: number, key: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${base}:${key}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: tiny, fast and good enough for test inputs. */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const uniform = (lo = 0, hi = 1): number => lo + (hi - lo) * next();
  return {
    next,
    uniform,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo)),
    // Box–Muller; 1 − u keeps log away from 0.
    normal: (mean = 0, std = 1) => mean + std * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    array: (n, lo = 0, hi = 1) => Array.from({ length: n }, () => uniform(lo, hi)),
  };
}
