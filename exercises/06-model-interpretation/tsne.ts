// 06 · 모델 해석: t-SNE by hand on engine tensors — README.md 를 먼저 읽으세요. Read README.md first. Guide §8.4.
// Exact t-SNE (van der Maaten & Hinton, 2008): O(N²) memory and time per iteration, for N ≈ 1,000.
import * as torch from '#engine';
import { todo } from '#kit/todo';

/** ‖xᵢ − xⱼ‖² for every pair of rows: [N, d] → [N, N], as ‖a‖² + ‖b‖² − 2a·b (clamped at 0). */
export function squaredDistances(x: torch.Tensor): torch.Tensor {
  return todo('squaredDistances', x);
}

/**
 * p_{j|i} = exp(−βᵢ·dᵢⱼ) / Σ_{k≠i} exp(−βᵢ·dᵢₖ), p_{i|i} = 0, with βᵢ = 1/(2σᵢ²) found per row by
 * bisection so that the row's entropy (in nats) is log(perplexity): every point then sees about
 * `perplexity` neighbours. All rows are searched at once, as tensors. Searching on β, not σ: the
 * entropy falls as β grows, and β has a natural bracket [0, ∞) that doubling finds.
 */
export async function conditionalP(d2: torch.Tensor, perplexity: number, tol = 1e-5): Promise<torch.Tensor> {
  return todo('conditionalP', d2, perplexity, tol);
}

/** The joint P of t-SNE: p_ij = (p_{j|i} + p_{i|j}) / 2N, symmetric, summing to 1. */
export function jointP(conditional: torch.Tensor): torch.Tensor {
  return todo('jointP', conditional);
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
 */
export async function tsne(x: torch.Tensor, options: TsneOptions = {}): Promise<TsneResult> {
  return todo('tsne', x, options);
}

/** The embedding as a scatter plot (SVG), one colour per label. */
export async function tsnePlot(embedding: torch.Tensor, labels: torch.Tensor): Promise<string> {
  return todo('tsnePlot', embedding, labels);
}
