/**
 * How good a 2-D embedding is, measured by the grader on host arrays: trustworthiness (Venna &
 * Kaski, 2001; scikit-learn's sklearn.manifold.trustworthiness, Euclidean) and the leave-one-out
 * k-NN accuracy of the labels in the embedding. Both read squared distances (n × n, row-major),
 * which the grader computes once and shares with its own P; neither sorts a whole row.
 */

/** Whether j comes before l among i's neighbours: nearer, ties by index (a stable argsort's order). */
const before = (dist: Float64Array, row: number, j: number, l: number): boolean =>
  dist[row + j]! < dist[row + l]! || (dist[row + j]! === dist[row + l]! && j < l);

/** For each i, its k nearest others, nearest first (ties by index). */
export function nearest(dist: Float64Array, n: number, k: number): Int32Array[] {
  return Array.from({ length: n }, (_, i) => {
    const row = i * n;
    const top = new Int32Array(k);
    let size = 0;
    for (let j = 0; j < n; j++) {
      if (j === i || (size === k && !before(dist, row, j, top[k - 1]!))) continue;
      // Insertion into the sorted top k: k is small (5, 10).
      let at = Math.min(size, k - 1);
      while (at > 0 && before(dist, row, j, top[at - 1]!)) {
        top[at] = top[at - 1]!;
        at--;
      }
      top[at] = j;
      size = Math.min(size + 1, k);
    }
    return top;
  });
}

/**
 * T(k) = 1 − 2/(n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ kNN_embedded(i)} max(0, r(i, j) − k), r(i, j) the rank
 * (1 = nearest) of j among i's neighbours in the original space: 1 when no embedded neighbour is an
 * intruder from far away. `near` is nearest(embedded distances, n, k).
 */
export function trustworthiness(original: Float64Array, near: Int32Array[], k: number): number {
  const n = near.length;
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (const j of near[i]!.subarray(0, k)) {
      // r(i, j) = 1 + the number of others that come before j around i.
      let rank = 1;
      for (let l = 0; l < n; l++) if (l !== i && l !== j && before(original, row, l, j)) rank++;
      penalty += Math.max(0, rank - k);
    }
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}

/** Leave-one-out k-NN accuracy: the majority label of each point's k nearest (ties: lowest label). */
export function knnAccuracy(near: Int32Array[], labels: ArrayLike<number>, k: number): number {
  let right = 0;
  near.forEach((others, i) => {
    const votes = new Map<number, number>();
    for (const j of others.subarray(0, k)) votes.set(labels[j]!, (votes.get(labels[j]!) ?? 0) + 1);
    const best = [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
    if (best === labels[i]) right++;
  });
  return right / near.length;
}
