/**
 * fast-check arbitraries for engine property tests: shapes, broadcastable shape pairs, permutations
 * and random tensor values drawn from a seed (a small PRNG independent of the engine), so every
 * counterexample fast-check reports can be replayed from its shape and seed.
 */
import fc from 'fast-check';
import * as torch from '#engine';
import { seededValues, size, type Ref } from './reference.ts';

export interface ShapeOptions {
  minRank?: number;
  maxRank?: number;
  minSide?: number;
  maxSide?: number;
}

/** A shape of rank minRank..maxRank with sides minSide..maxSide (small, to keep the suite fast). */
export function shapeArb({ minRank = 0, maxRank = 3, minSide = 1, maxSide = 4 }: ShapeOptions = {}): fc.Arbitrary<
  number[]
> {
  return fc.array(fc.integer({ min: minSide, max: maxSide }), { minLength: minRank, maxLength: maxRank });
}

/**
 * Two shapes that broadcast together: each is the common shape with some leading dims dropped and
 * some sides replaced by 1.
 */
export function broadcastPairArb(options: ShapeOptions = {}): fc.Arbitrary<[number[], number[]]> {
  return shapeArb(options).chain((full) => {
    const derived = fc
      .tuple(
        fc.integer({ min: 0, max: full.length }),
        fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
      )
      .map(([drop, ones]) => full.map((s, i) => (ones[i] ? 1 : s)).slice(drop));
    return fc.tuple(derived, derived);
  });
}

/** Two shapes that do not broadcast: some aligned dim has different sizes, neither of them 1. */
export function mismatchedPairArb(): fc.Arbitrary<[number[], number[]]> {
  return fc
    .tuple(
      shapeArb({ minRank: 1, maxRank: 3 }),
      fc.nat(),
      fc.integer({ min: 2, max: 4 }),
      fc.integer({ min: 1, max: 3 }),
    )
    .map(([shape, at, side, delta]) => {
      const a = [...shape];
      const b = [...shape];
      const d = at % a.length;
      a[d] = side;
      b[d] = side + delta;
      return [a, b] as [number[], number[]];
    });
}

/** A permutation of 0..n-1. */
export function permutationArb(n: number): fc.Arbitrary<number[]> {
  return fc.shuffledSubarray(
    Array.from({ length: n }, (_, i) => i),
    { minLength: n, maxLength: n },
  );
}

export interface ValueOptions {
  lo?: number;
  hi?: number;
}

/** Values for a shape, from a seed. */
export function refArb(shape: readonly number[], { lo = -2, hi = 2 }: ValueOptions = {}): fc.Arbitrary<Ref> {
  return fc
    .integer({ min: 0, max: 2 ** 31 - 1 })
    .map((seed) => ({ shape: [...shape], data: seededValues(seed, size(shape), lo, hi) }));
}

/** A shape and its values, from a seed. */
export function randomRefArb(shapeOptions: ShapeOptions = {}, valueOptions: ValueOptions = {}): fc.Arbitrary<Ref> {
  return shapeArb(shapeOptions).chain((shape) => refArb(shape, valueOptions));
}

/** An engine tensor holding a reference's values. */
export function tensorOf(ref: Ref, options: torch.TensorOptions = {}): torch.Tensor {
  const dtype = options.dtype ?? 'float32';
  const data = dtype === 'float64' ? Float64Array.from(ref.data) : Float32Array.from(ref.data);
  return torch.tensor(data, { ...options, dtype, shape: ref.shape });
}

/** Values rounded to float32, so a reference sees exactly what a float32 tensor holds. */
export function asFloat32(ref: Ref): Ref {
  return { shape: ref.shape, data: Array.from(Float32Array.from(ref.data)) };
}

/** Fast-check settings for the engine suite: few runs of small shapes keep it well under a minute. */
export const runs = (numRuns = 40): fc.Parameters<unknown> => ({ numRuns });
