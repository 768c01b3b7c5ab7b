// Broken on purpose (test/graders/exercises-03-04.test.ts): makeData draws x from the global generator.
import * as torch from '#engine';

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
  // [n, 1], not [n]: nn.Linear(1, 1) reads the last dimension as the features, one per sample.
  const x = torch.randn([n, 1]); // BUG: the global generator, not `generator`
  // The noise is what makes this regression rather than interpolation: no line passes through every
  // point, and least squares picks the one with the smallest mean squared vertical distance.
  const noise = torch.randn([n, 1], { generator }).mul(NOISE_STD);
  const y = x.mul(2).add(1).add(noise);
  return { x, y };
}

/**
 * The mean squared error, written by hand: mean over every element of (pred − target)².
 * Must agree with torch.nn.functional.mseLoss(pred, target), value and gradient.
 */
export function mseLoss(pred: torch.Tensor, target: torch.Tensor): torch.Tensor {
  // L = (1/N)·Σ (ŷᵢ − yᵢ)². The mean (not the sum) keeps the loss, and so the gradient
  // ∂L/∂ŷᵢ = 2(ŷᵢ − yᵢ)/N, the same size whatever the batch: one learning rate fits every N.
  // Autograd derives that gradient from these three ops; nothing to write by hand.
  return pred.sub(target).pow(2).mean();
}

/**
 * One step of plain gradient descent, written by hand: p ← p − lr·∇p for every parameter that has a
 * gradient, in place (the same tensor objects), without recording the update in the graph.
 * Must agree with `new torch.optim.SGD(params, { lr }).step()`. Parameters whose `grad` is null are
 * left alone; the gradients themselves are not changed.
 */
export function sgdStep(params: Iterable<torch.Tensor>, lr: number): void {
  // θ ← θ − α·∇θ L: the gradient points uphill, so we step against it.
  // noGrad, as PyTorch's `with torch.no_grad():` in optimizer.step(): the update is not part of the
  // model's computation, and an in-place change of a leaf that requires grad is refused otherwise.
  torch.noGrad(() => {
    for (const p of params) {
      if (p.grad === null) continue; // a parameter the loss did not use: SGD skips it too
      p.sub_(p.grad, { alpha: lr }); // in place: the model keeps pointing at this same tensor
    }
  });
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
  const { epochs = 100, lr = 0.1 } = options;
  // PyTorch:
  //   model = nn.Linear(1, 1); criterion = nn.MSELoss(); optimizer = optim.SGD(model.parameters(), lr=0.1)
  const model = new torch.nn.Linear(1, 1);
  const criterion = new torch.nn.MSELoss(); // mseLoss above computes the same thing
  const optimizer = new torch.optim.SGD(model.parameters(), { lr }); // sgdStep above, plus zeroGrad
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    // backward() adds into .grad; without zeroGrad every step would also apply all earlier gradients.
    optimizer.zeroGrad();
    const loss = criterion.call(model.call(x), y);
    loss.backward();
    optimizer.step();
    // item() is async (a GPU answers later). For 100 steps of a [n, 1] model the wait is nothing;
    // in a big training loop read the loss only every so often.
    losses.push(await loss.item());
  }
  // MSE on a line is a convex quadratic in (w, b): gradient descent with a small enough lr reaches the
  // least-squares fit, close to (2, 1) but not exactly, because of the noise.
  const weight = await model.weight.item();
  const bias = await model.bias!.item();
  return { model, weight, bias, losses };
}
