// 03 · 선형 회귀 (Linear regression) — README.md 를 먼저 읽으세요. Read README.md first.
import * as torch from '#engine';
import { todo } from '#kit/todo';

/** The noise's standard deviation in makeData: y = 2x + 1 + NOISE_STD·ε, ε ~ N(0, 1). */
export const NOISE_STD = 0.1;

/** A data set for regression: inputs and targets, both [n, 1]. */
export interface Data {
  x: torch.Tensor;
  y: torch.Tensor;
}

/**
 * n samples of the line y = 2x + 1 with Gaussian noise: x ~ N(0, 1) and y = 2x + 1 + NOISE_STD·ε,
 * both float32 [n, 1]. Every random number comes from `generator` (pass `{ generator }` to
 * torch.randn), so the same seed gives the same data.
 *
 * PyTorch: `x = torch.randn(n, 1, generator=g); y = 2 * x + 1 + 0.1 * torch.randn(n, 1, generator=g)`
 */
export function makeData(n: number, generator: torch.Generator): Data {
  return todo('makeData', n, generator);
}

/**
 * The mean squared error, written by hand: mean over every element of (pred − target)².
 * Must agree with torch.nn.functional.mseLoss(pred, target), value and gradient.
 */
export function mseLoss(pred: torch.Tensor, target: torch.Tensor): torch.Tensor {
  return todo('mseLoss', pred, target);
}

/**
 * One step of plain gradient descent, written by hand: p ← p − lr·∇p for every parameter that has a
 * gradient, in place (the same tensor objects), without recording the update in the graph.
 * Must agree with `new torch.optim.SGD(params, { lr }).step()`. Parameters whose `grad` is null are
 * left alone; the gradients themselves are not changed.
 */
export function sgdStep(params: Iterable<torch.Tensor>, lr: number): void {
  todo('sgdStep', params, lr);
}

export interface TrainOptions {
  /** Full-batch gradient-descent steps (default 100). */
  epochs?: number;
  /** Learning rate (default 0.1). */
  lr?: number;
}

export interface TrainResult {
  /** The trained nn.Linear(1, 1). */
  model: torch.nn.Linear;
  /** The learned slope, model.weight as a number. */
  weight: number;
  /** The learned intercept, model.bias as a number. */
  bias: number;
  /** The loss of every step, in order (length = epochs). */
  losses: number[];
}

/**
 * Fits y ≈ w·x + b with torch.nn.Linear(1, 1), the MSE loss and torch.optim.SGD: `epochs` steps over
 * the whole of (x, y), each one zeroGrad → forward → loss → backward → step, recording the loss.
 */
export async function train(x: torch.Tensor, y: torch.Tensor, options: TrainOptions = {}): Promise<TrainResult> {
  return todo('train', x, y, options);
}
