// 06 · 모델 해석: gradient-based importance maps, solved. Guide §8.3.
import * as torch from '#engine';

/**
 * ∂z_c/∂x for each sample: z_c is the logit (before softmax) of that sample's class target[i].
 * In eval mode samples do not mix, so one backward of Σᵢ z_{c_i} gives every sample its own
 * gradient. x: [B, …], target: int32 [B]; the result has x's shape. Take .abs() for the usual map.
 */
export function vanillaGradient(model: torch.nn.Module, x: torch.Tensor, target: torch.Tensor): torch.Tensor {
  model.eval();
  const input = x.detach().clone().requiresGrad_();
  const logits = model.call(input) as torch.Tensor;
  // Each sample's own class logit, picked by gather: no softmax, no loss.
  const score = logits.gather(1, target.reshape(-1, 1)).sum();
  const [grad] = torch.autograd.grad(score, input);
  return grad!;
}

/** Gradient × input: where the model is sensitive and the pixel is actually on. */
export function gradientTimesInput(model: torch.nn.Module, x: torch.Tensor, target: torch.Tensor): torch.Tensor {
  return vanillaGradient(model, x, target).mul(x);
}

export interface SmoothGradOptions {
  /** Noisy copies (default 25). */
  samples?: number;
  /** Noise σ as a fraction of each sample's max − min (default 0.15, Smilkov et al.). */
  noiseLevel?: number;
  generator?: torch.Generator;
}

/**
 * SmoothGrad (Smilkov et al., 2017): the mean of vanillaGradient over noisy copies x + ε,
 * ε ~ N(0, σ²), σ = noiseLevel·(max − min) of each sample. All the noise is drawn at once, as
 * torch.randn([samples, ...x.shape], { generator }), so that a seeded generator fixes the result.
 */
export function smoothGrad(
  model: torch.nn.Module,
  x: torch.Tensor,
  target: torch.Tensor,
  options: SmoothGradOptions = {},
): torch.Tensor {
  const { samples = 25, noiseLevel = 0.15, generator } = options;
  const flat = x.detach().flatten(1);
  const range = flat.max(1).values.sub(flat.min(1).values);
  const sigma = range.mul(noiseLevel).reshape(1, -1, ...x.shape.slice(1).map(() => 1));
  const noise = torch.randn([samples, ...x.shape], { generator, device: x.device }).mul(sigma);
  // Every noisy copy in one batch: [samples·B, …], the targets repeated to match.
  const noisy = x.detach().unsqueeze(0).add(noise).flatten(0, 1);
  const targets = target.unsqueeze(0).expand(samples, -1).flatten();
  return vanillaGradient(model, noisy, targets)
    .reshape(samples, ...x.shape)
    .mean(0);
}
