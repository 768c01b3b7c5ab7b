import { expect, test } from 'vitest';
import fc from 'fast-check';
import { deriveSeed, seededRng } from '../../../graders/lib/rng.ts';

test('the same seed gives the same inputs; another check id gives others', () => {
  const a = seededRng(deriveSeed(0, 'sigmoid-backward')).array(8);
  expect(seededRng(deriveSeed(0, 'sigmoid-backward')).array(8)).toEqual(a);
  expect(seededRng(deriveSeed(0, 'relu-forward')).array(8)).not.toEqual(a);
  expect(seededRng(deriveSeed(1, 'sigmoid-backward')).array(8)).not.toEqual(a);
});

test('values stay in their ranges for any seed', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
      const r = seededRng(seed);
      const u = r.uniform(-2, 3);
      const i = r.int(5, 9);
      const n = r.normal();
      return u >= -2 && u < 3 && Number.isInteger(i) && i >= 5 && i < 9 && Number.isFinite(n);
    }),
  );
});
