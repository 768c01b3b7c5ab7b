import { expect, test } from 'vitest';
import { knnAccuracy, nearest, trustworthiness } from '../../../graders/06-model-interpretation/metrics.ts';
import { squaredDistances } from '../../../graders/06-model-interpretation/reference.ts';

// The measures grader 06 puts on a learner's t-SNE, against values worked out by hand with
// scikit-learn's definitions (sklearn.manifold.trustworthiness; ties broken by index).

const line = (xs: number[]) => squaredDistances(xs, xs.length, 1);

test('nearest lists the k nearest others, nearest first, ties by index', () => {
  expect(nearest(line([0, 1, 3, 4, 10]), 5, 2).map((r) => [...r])).toEqual([
    [1, 2],
    [0, 2],
    [3, 1],
    [2, 1],
    [3, 2],
  ]);
});

test('trustworthiness is 1 for an embedding that keeps every neighbourhood, less for an intruder', () => {
  const original = line([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(trustworthiness(original, nearest(original, 8, 2), 2)).toBe(1);
  // Points 0 and 7 swapped in the embedding. Around 0: 6 and 5 (original ranks 6, 5); around 7:
  // 1 and 2 (6, 5); around 1: 2 and 7 (rank 7); around 6: 0 and 5 (rank 7). Penalty Σ max(0, r − k)
  // = 7 + 7 + 5 + 5 = 24 over n = 8, k = 2: T = 1 − 2/(8·2·(16 − 6 − 1)) · 24 = 2/3.
  const swapped = line([7, 1, 2, 3, 4, 5, 6, 0]);
  expect(trustworthiness(original, nearest(swapped, 8, 2), 2)).toBeCloseTo(2 / 3, 12);
});

test('knnAccuracy votes over the k nearest, ties to the lowest label', () => {
  const near = nearest(line([0, 1, 2, 10, 11, 12]), 6, 2);
  expect(knnAccuracy(near, [0, 0, 0, 1, 1, 1], 2)).toBe(1);
  // Point 2's neighbours are 1 (label 0) and 0 (label 1): a tie, which label 0 wins.
  expect(knnAccuracy(near, [1, 0, 0, 1, 1, 1], 2)).toBeCloseTo(5 / 6, 12);
});
