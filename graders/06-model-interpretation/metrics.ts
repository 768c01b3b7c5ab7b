/**
 * How good a 2-D embedding is, measured by the grader on host arrays: trustworthiness (Venna &
 * Kaski, 2001; scikit-learn's sklearn.manifold.trustworthiness, Euclidean) and the leave-one-out
 * k-NN accuracy of the labels in the embedding.
 */
import { squaredDistances as distances } from './reference.ts';

/** For each i, the other points ordered from nearest (ties by index, as a stable argsort). */
function neighbourOrder(dist: Float64Array, n: number): Int32Array[] {
  return Array.from({ length: n }, (_, i) => {
    const others = Array.from({ length: n - 1 }, (_, j) => (j < i ? j : j + 1));
    others.sort((a, b) => dist[i * n + a]! - dist[i * n + b]! || a - b);
    return Int32Array.from(others);
  });
}

/**
 * T(k) = 1 − 2/(n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ kNN_embedded(i)} max(0, r(i, j) − k), r(i, j) the rank
 * (1 = nearest) of j among i's neighbours in the original space: 1 when no embedded neighbour is an
 * intruder from far away.
 */
export function trustworthiness(
  original: Float32Array | Float64Array,
  dims: number,
  embedded: Float32Array | Float64Array,
  k: number,
): number {
  const n = original.length / dims;
  const rankIn = neighbourOrder(distances(original, n, dims), n).map((order) => {
    const rank = new Int32Array(n);
    order.forEach((j, r) => (rank[j] = r + 1));
    return rank;
  });
  const near = neighbourOrder(distances(embedded, n, 2), n);
  let penalty = 0;
  for (let i = 0; i < n; i++) for (let r = 0; r < k; r++) penalty += Math.max(0, rankIn[i]![near[i]![r]!]! - k);
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}

/** Leave-one-out k-NN accuracy in the embedding: majority label of each point's k nearest (ties: lowest label). */
export function knnAccuracy(embedded: Float32Array | Float64Array, labels: ArrayLike<number>, k: number): number {
  const n = labels.length;
  const near = neighbourOrder(distances(embedded, n, 2), n);
  let right = 0;
  for (let i = 0; i < n; i++) {
    const votes = new Map<number, number>();
    for (let r = 0; r < k; r++) {
      const l = labels[near[i]![r]!]!;
      votes.set(l, (votes.get(l) ?? 0) + 1);
    }
    const best = [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
    if (best === labels[i]) right++;
  }
  return right / n;
}
