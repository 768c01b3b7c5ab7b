/**
 * The grader's own t-SNE affinities, on host float64 arrays and written independently of the
 * learner's tensor code: per row, β = 1/(2σ²) such that the entropy (nats) is log(perplexity), by
 * Newton's method inside a bisection bracket (a step that leaves the bracket bisects instead): about
 * 8 passes over a row to 1e-10 where bisection takes about 40.
 */

/** Row i of p_{j|i} for squared distances d2 (n × n, row-major). */
function row(d2: Float64Array, n: number, i: number, target: number): Float64Array {
  const d = new Float64Array(n);
  let nearest = Infinity;
  for (let j = 0; j < n; j++) if (j !== i) nearest = Math.min(nearest, d2[i * n + j]!);
  for (let j = 0; j < n; j++) d[j] = j === i ? Infinity : d2[i * n + j]! - nearest;
  const p = new Float64Array(n);
  let beta = 1;
  let lo = 0;
  let hi = Infinity;
  for (let iter = 0; iter < 200; iter++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += p[j] = Math.exp(-beta * d[j]!);
    // H = log Σ e + β·E[d], and dH/dβ = −β·Var(d), with E over p (p_{i|i} = 0 left out).
    let mean = 0;
    let square = 0;
    for (let j = 0; j < n; j++) {
      p[j]! /= sum;
      if (j !== i) {
        mean += d[j]! * p[j]!;
        square += d[j]! * d[j]! * p[j]!;
      }
    }
    const h = Math.log(sum) + beta * mean;
    if (Math.abs(h - target) < 1e-10) break;
    // H falls as β grows: too high → β up, too low → β down.
    if (h > target) lo = beta;
    else hi = beta;
    const newton = beta + (h - target) / (beta * (square - mean * mean));
    beta = newton > lo && newton < hi ? newton : hi === Infinity ? beta * 2 : (lo + hi) / 2;
  }
  return p;
}

export function conditionalP(d2: Float64Array, n: number, perplexity: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out.set(row(d2, n, i, Math.log(perplexity)), i * n);
  return out;
}

/** The entropy in nats of each row of p (n × n). */
export function rowEntropies(p: ArrayLike<number>, n: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    let h = 0;
    for (let j = 0; j < n; j++) {
      const v = p[i * n + j]!;
      if (v > 0) h -= v * Math.log(v);
    }
    return h;
  });
}

/** Squared Euclidean distances between the rows of x (n × d); each pair summed once, in float64. */
export function squaredDistances(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (x[i * d + k]! - x[j * d + k]!) ** 2;
      out[i * n + j] = out[j * n + i] = s;
    }
  return out;
}

/** KL(P‖Q) of a 2-D embedding y (n × 2) for the joint P (n × n). */
export function klDivergence(p: ArrayLike<number>, y: ArrayLike<number>, n: number): number {
  const w = squaredDistances(y, n, 2).map((d) => 1 / (1 + d));
  let z = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) z += w[i * n + j]!;
  let kl = 0;
  for (let i = 0; i < n * n; i++) {
    const v = p[i]!;
    if (v > 0) kl += v * Math.log(v / Math.max(w[i]! / z, 1e-12));
  }
  return kl;
}
