// 06 · 모델 해석: t-SNE by hand on engine tensors, solved. Guide §8.4.
// Exact t-SNE (van der Maaten & Hinton, 2008): O(N²) memory and time per iteration, for N ≈ 1,000.
import * as torch from '#engine';
import { scatterPlotSvg } from '#engine/io/plot';

/** ‖xᵢ − xⱼ‖² for every pair of rows: [N, d] → [N, N], as ‖a‖² + ‖b‖² − 2a·b (clamped at 0). */
export function squaredDistances(x: torch.Tensor): torch.Tensor {
  const n2 = x.pow(2).sum({ dim: 1, keepdim: true });
  return n2.add(n2.t()).sub(x.matmul(x.t()).mul(2)).clamp(0);
}

/**
 * p_{j|i} = exp(−βᵢ·dᵢⱼ) / Σ_{k≠i} exp(−βᵢ·dᵢₖ), p_{i|i} = 0, with βᵢ = 1/(2σᵢ²) found per row by
 * bisection so that the row's entropy (in nats) is log(perplexity): every point then sees about
 * `perplexity` neighbours. All rows are searched at once, as tensors. Searching on β, not σ: the
 * entropy falls as β grows, and β has a natural bracket [0, ∞) that doubling finds.
 */
export async function conditionalP(d2: torch.Tensor, perplexity: number, tol = 1e-5): Promise<torch.Tensor> {
  const n = d2.shape[0]!;
  const device = d2.device;
  if (!(perplexity > 1 && perplexity < n)) throw new RangeError(`perplexity must be in (1, ${n}), got ${perplexity}`);
  const self = torch.eye(n, { device }).bool();
  const target = Math.log(perplexity);
  // Distances above each row's nearest: exp(−β·d) then cannot underflow to all zeros. The point
  // itself is at +∞, so exp gives its p_{i|i} = 0; in β·d·p it counts as 0.
  const nearest = d2.maskedFill(self, Infinity).min({ dim: 1, keepdim: true }).values;
  const shifted = d2.sub(nearest).maskedFill(self, Infinity);
  const finite = d2.sub(nearest).maskedFill(self, 0);
  let beta = torch.ones([n, 1], { device });
  let lo = torch.zeros([n, 1], { device });
  let hi = torch.full([n, 1], Infinity, { device });
  let e = shifted.neg().exp_();
  let sum = e.sum({ dim: 1, keepdim: true });
  for (let iter = 0; iter < 200; iter++) {
    // H = log Σ e + β·Σ d·e / Σ e (nats), the entropy of the row after the shift. p = e / Σ e is
    // only needed once the search is over: each step costs four passes over the N × N matrix.
    const entropy = sum.log().add(beta.mul(finite.mul(e).sum({ dim: 1, keepdim: true })).div(sum));
    const gap = entropy.sub(target);
    if (iter % 10 === 9 && (await gap.abs().max().item()) < tol) break;
    const done = gap.abs().lt(tol);
    // Too spread out (H too high): β must grow; too narrow: β must shrink.
    const up = gap.gt(0).logicalAnd(done.logicalNot());
    const down = gap.lt(0).logicalAnd(done.logicalNot());
    lo = beta.where(up, lo);
    hi = beta.where(down, hi);
    // Up: double β until a β is found that is too large, then bisect; down: bisect towards lo.
    const raised = torch.where(hi.eq(Infinity), beta.mul(2), beta.add(hi).div(2));
    beta = torch.where(up, raised, torch.where(down, beta.add(lo).div(2), beta));
    e = shifted.mul(beta.neg()).exp_();
    sum = e.sum({ dim: 1, keepdim: true });
  }
  return e.div(sum);
}

/** The joint P of t-SNE: p_ij = (p_{j|i} + p_{i|j}) / 2N, symmetric, summing to 1. */
export function jointP(conditional: torch.Tensor): torch.Tensor {
  const n = conditional.shape[0]!;
  return conditional.add(conditional.t()).div(2 * n);
}

export interface TsneOptions {
  /** Effective number of neighbours (default 30). */
  perplexity?: number;
  /** Gradient steps in all (default 500). */
  iterations?: number;
  /** Early exaggeration: P is multiplied by this for the first steps (default 12). */
  exaggeration?: number;
  /** Steps with exaggeration (default 100). */
  exaggerationIterations?: number;
  /** Step size (default N / exaggeration, as openTSNE; at least 50). */
  learningRate?: number;
  /** Draws the initial points N(0, 10⁻⁴), as scikit-learn's random init. */
  generator?: torch.Generator;
  /** KL(P‖Q) is recorded every this many steps (default 25) and after the last. */
  logEvery?: number;
}

export interface TsneResult {
  /** [N, 2] */
  embedding: torch.Tensor;
  /** KL(P‖Q) with the true (unexaggerated) P, after `iteration` steps. */
  kl: { iteration: number; value: number }[];
}

/**
 * Exact t-SNE of the rows of x [N, d] into 2-D: P from x with the perplexity search, then gradient
 * descent on KL(P‖Q) with Student-t Q, the gradient by its closed form
 * ∂C/∂yᵢ = 4·Σⱼ (p_ij − q_ij)(yᵢ − yⱼ)/(1 + ‖yᵢ − yⱼ‖²), momentum 0.5 then 0.8, and Jacobs's gains
 * (+0.2 where the gradient changed sign against the last step, ×0.8 where not, at least 0.01).
 *
 * Time goes to the N × N matrices: a step makes seven passes over them (each op on an N × N tensor
 * is one) and allocates two (in-place ops, `reciprocal_`, `sub_`, `mul_`, write into a matrix the
 * step has just made, as NumPy code writes `dist += 1; dist **= -1`), so the code below is written
 * to make few: that is all there is to its speed.
 */
export async function tsne(x: torch.Tensor, options: TsneOptions = {}): Promise<TsneResult> {
  const n = x.shape[0]!;
  const device = x.device;
  const {
    perplexity = 30,
    iterations = 500,
    exaggeration = 12,
    exaggerationIterations = 100,
    learningRate = Math.max(n / exaggeration, 50),
    generator,
    logEvery = 25,
  } = options;
  const p = jointP(await conditionalP(squaredDistances(x.detach()), perplexity));
  const exaggerated = p.mul(exaggeration);
  // KL(P‖Q) = Σ p·log p − Σ p·log q, and with q = w/Z, w = 1/(1 + d²), Σ p = 1:
  // −Σ p·log q = log Z − Σ p·log w. The first sum (over p > 0) is the same at every step.
  const entropyP = await p
    .mul(p.where(p.gt(0), 1).log())
    .sum()
    .item();
  let y = torch.randn([n, 2], { generator }).mul(1e-2).to(device);
  let update = torch.zeros([n, 2], { device });
  let gains = torch.ones([n, 2], { device });
  const ones = torch.ones([n, 1], { device });
  const kl: TsneResult['kl'] = [];
  for (let it = 0; it < iterations; it++) {
    const early = it < exaggerationIterations;
    // 1 + ‖yᵢ − yⱼ‖² = (1 + ‖yᵢ‖²)·1 + 1·‖yⱼ‖² − 2yᵢ·yⱼ: the dot product of the rows
    // [1 + ‖yᵢ‖², 1, −2yᵢ] and [1, ‖yⱼ‖², yⱼ], so one matmul of two [N, 4] matrices writes the whole
    // N × N matrix (no broadcast sums over it). Rounding may leave the diagonal a hair off 1: harmless.
    const norms = y.pow(2).sum({ dim: 1, keepdim: true });
    // 1 + ‖yᵢ − yⱼ‖² = (1 + ‖yᵢ‖²)·1 + 1·‖yⱼ‖² − 2yᵢ·yⱼ: the dot product of the rows
    // [1 + ‖yᵢ‖², 1, −2yᵢ] and [1, ‖yⱼ‖², yⱼ], so one matmul of two [N, 4] matrices writes the whole
    // N × N matrix (no broadcast sums over it), and w = 1/(1 + d²) is taken in place over it.
    // Rounding may leave the diagonal a hair off 1: harmless.
    const w = torch
      .cat([norms.add(1), ones, y.mul(-2)], 1)
      .matmul(torch.cat([ones, norms, y], 1).t())
      .reciprocal_();
    // q = w / Σ_{i≠j} w. The diagonal keeps w_ii = 1 (masking it would cost a pass): it is left
    // out of the sum, p_ii = 0 keeps it out of the KL, and in the gradient it multiplies yᵢ − yᵢ = 0.
    const z = w.sum().sub(n);
    // The KL of this step's y, before its update: the KL after `it` steps.
    if (it % logEvery === 0 || it === iterations - 1) {
      const cross = z.log().sub(p.mul(w.log()).sum());
      kl.push({ iteration: it, value: entropyP + (await cross.item()) });
    }
    // m = (q − p)·w: q is the one new matrix of the step, p and w are folded into it in place.
    const m = w
      .div(z)
      .sub_(early ? exaggerated : p)
      .mul_(w);
    // ∂C/∂yᵢ = 4·Σⱼ (pᵢⱼ − qᵢⱼ)wᵢⱼ(yᵢ − yⱼ) = 4·((m·y)ᵢ − yᵢ·Σⱼ mᵢⱼ): one matmul with [y, 1]
    // gives m·y and the row sums.
    const my = m.matmul(torch.cat([y, ones], 1));
    const grad = my
      .slice(1, 0, 2)
      .sub(y.mul(my.slice(1, 2, 3)))
      .mul(4);
    const momentum = early ? 0.5 : 0.8;
    const flipped = grad.gt(0).ne(update.gt(0));
    gains = torch.where(flipped, gains.add(0.2), gains.mul(0.8)).clamp(0.01);
    update = update.mul(momentum).sub(gains.mul(grad).mul(learningRate));
    y = y.add(update);
  }
  return { embedding: y, kl };
}

/** The embedding as a scatter plot (SVG), one colour per label. */
export async function tsnePlot(embedding: torch.Tensor, labels: torch.Tensor): Promise<string> {
  const [points, classes] = (await Promise.all([embedding.toArray(), labels.toArray()])) as [
    [number, number][],
    number[],
  ];
  return scatterPlotSvg({
    title: 't-SNE of the hidden layer',
    points,
    labels: classes,
    xLabel: 't-SNE 1',
    yLabel: 't-SNE 2',
  });
}
