// 06 · 모델 해석: gradient-based importance maps — README.md 를 먼저 읽으세요. Read README.md first. Guide §8.3.
import * as torch from '#engine';
import { todo } from '#kit/todo';

/**
 * ∂z_c/∂x for each sample: z_c is the logit (before softmax) of that sample's class target[i].
 * In eval mode samples do not mix, so one backward of Σᵢ z_{c_i} gives every sample its own
 * gradient. x: [B, …], target: int32 [B]; the result has x's shape. Take .abs() for the usual map.
 */
export function vanillaGradient(model: torch.nn.Module, x: torch.Tensor, target: torch.Tensor): torch.Tensor {
  return todo('vanillaGradient', model, x, target);
}

/** Gradient × input: where the model is sensitive and the pixel is actually on. */
export function gradientTimesInput(model: torch.nn.Module, x: torch.Tensor, target: torch.Tensor): torch.Tensor {
  return todo('gradientTimesInput', model, x, target);
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
  return todo('smoothGrad', model, x, target, options);
}
