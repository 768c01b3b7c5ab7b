// Broken on purpose (test/graders/exercises-03-04.test.ts): crossEntropyLoss takes exp/sum/log by hand, which overflows.
// Guide §5.3 (cross-entropy), §5.4 (optimizers), §5.5 (schedulers), §6.1–§6.3 (data, MNIST).
import * as torch from '#engine';
import { datasets } from '#engine/vision';
import { todo } from '#kit/todo';
import type { MLP, Activation } from './mlp.ts';

/** MNIST's pixel mean and standard deviation over the training set, after scaling to [0, 1]. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** Batches of [x, y]: x float32 [B, 784] (or [B, 1, 28, 28]), y int32 class indices [B]. */
export type Batches = AsyncIterable<torch.Tensor[]>;
/** A loss function of (logits [B, 10], targets [B]) → a scalar tensor. */
export type Criterion = (logits: torch.Tensor, targets: torch.Tensor) => torch.Tensor;
export type OptimizerName = 'sgd' | 'rmsprop' | 'adam';
/** StepLR (lr·γ^⌊epoch / stepSize⌋) or CosineAnnealingLR (from lr down to etaMin over tMax epochs). */
export type SchedulerSpec =
  { type: 'step'; stepSize: number; gamma: number } | { type: 'cosine'; tMax: number; etaMin?: number };

/**
 * The real MNIST as a TensorDataset of [x, y]: x float32 [N, 784], each pixel scaled to [0, 1] and
 * normalised with MNIST_MEAN and MNIST_STD; y int32 [N]. `limit` keeps the first `limit` images.
 *
 * PyTorch: `datasets.MNIST(root, train=train, transform=Compose([ToTensor(), Normalize((0.1307,), (0.3081,))]))`
 */
export function loadMnist(options: { train?: boolean; limit?: number } = {}): torch.utils.data.TensorDataset {
  const { train = true, limit } = options;
  const mnist = new datasets.MNIST({ train });
  const n = Math.min(limit ?? mnist.length, mnist.length);
  // ToTensor + Normalize per image would make a few tensors for each of 60,000 samples; applying the
  // same arithmetic once to the whole [N, 28, 28] tensor gives identical values for a fraction of the
  // cost. `data` holds the bytes 0…255, so /255 is exactly ToTensor's scaling.
  const x = mnist.data.slice(0, 0, n).reshape(n, 784).div(255).sub(MNIST_MEAN).div(MNIST_STD);
  const y = mnist.targets.slice(0, 0, n);
  return new torch.utils.data.TensorDataset(x, y);
}

/**
 * Cross-entropy written by hand: −(1/N)·Σᵢ log softmax(logitsᵢ)[yᵢ]. Must agree with
 * torch.nn.functional.crossEntropy, value and gradient, also for logits in the thousands.
 */
export function crossEntropyLoss(logits: torch.Tensor, targets: torch.Tensor): torch.Tensor {
  // log softmax(z)ⱼ = zⱼ − log Σₖ exp(zₖ) = zⱼ − m − log Σₖ exp(zₖ − m), m = maxₖ zₖ. logSoftmax
  // does the shift by m, so exp never sees a number above 0: softmax(z).log() would overflow
  // (exp(1000) = ∞) or take log(0) = −∞ for a class far below the best one.
  const logProbs = logits
    .exp()
    .div(logits.exp().sum({ dim: 1, keepdim: true }))
    .log(); // BUG: overflows for large logits
  // Pick each row's log-probability of its true class: gather along dim 1 with [N, 1] indices.
  const picked = logProbs.gather(1, targets.unsqueeze(1)); // [N, 1]
  return picked.mean().neg(); // the negative log-likelihood, averaged over the batch
}

/** The optimizer by name, over `params`, with PyTorch's defaults for everything but lr. */
export function makeOptimizer(name: OptimizerName, params: Iterable<torch.Tensor>, lr: number): torch.optim.Optimizer {
  // SGD: θ ← θ − lr·g. RMSprop divides by a running RMS of g (one step size per weight); Adam adds
  // momentum (a running mean of g) and bias-corrects both averages for the first steps (§5.4).
  if (name === 'sgd') return new torch.optim.SGD(params, { lr });
  if (name === 'rmsprop') return new torch.optim.RMSprop(params, { lr });
  return new torch.optim.Adam(params, { lr });
}

/** A learning-rate scheduler for `optimizer`, stepped once per epoch. */
export function makeScheduler(
  optimizer: torch.optim.Optimizer,
  spec: SchedulerSpec,
): torch.optim.lrScheduler.LRScheduler {
  // PyTorch: StepLR(optimizer, step_size=…, gamma=…) / CosineAnnealingLR(optimizer, T_max=…, eta_min=…)
  if (spec.type === 'step') return new torch.optim.lrScheduler.StepLR(optimizer, spec.stepSize, { gamma: spec.gamma });
  return new torch.optim.lrScheduler.CosineAnnealingLR(optimizer, spec.tMax, { etaMin: spec.etaMin ?? 0 });
}

/**
 * One optimisation step on one batch: zero the gradients, forward, loss, backward, step. Returns the
 * batch's loss (computed before the step), detached from the graph.
 */
export function trainStep(
  model: torch.nn.Module,
  optimizer: torch.optim.Optimizer,
  criterion: Criterion,
  x: torch.Tensor,
  y: torch.Tensor,
): torch.Tensor {
  // backward() adds into .grad (so that gradients of several losses can be summed); a fresh batch
  // needs fresh gradients, hence zeroGrad first, every step.
  optimizer.zeroGrad();
  const loss = criterion(model.call(x), y);
  loss.backward();
  optimizer.step();
  // detach: the caller only reads the value; keeping the graph alive would keep every activation.
  return loss.detach();
}

/** Accuracy (0…1) of `model` over every sample of `batches`: correct predictions / samples. */
export async function evaluate(
  model: torch.nn.Module,
  batches: Batches,
  device: torch.Device = 'cpu',
): Promise<number> {
  model.eval(); // no dropout or batch-norm updates in evaluation (none here, but the habit matters)
  // noGrad: nothing here is differentiated, so recording the graph would only cost memory and time.
  return torch.noGrad(async () => {
    let correct = 0;
    let total = 0;
    for await (const [x, y] of batches) {
      const predicted = model.call(x!.to(device)).argmax(1); // the largest logit is the predicted digit
      correct += await predicted.eq(y!.to(device)).sum().item();
      total += y!.shape[0]!; // the real batch size: the last batch may be smaller
    }
    return correct / total; // weighted by samples, not an average of per-batch accuracies
  });
}

export interface TrainConfig {
  activation: Activation;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  epochs: number;
  /** Stepped once at the end of every epoch; none: a constant lr. */
  scheduler?: SchedulerSpec;
  /** Seeds the model's initial weights and the shuffling (default 0). */
  seed?: number;
  /** Where the model and each batch live (default 'cpu'). */
  device?: torch.Device;
}

export interface MnistData {
  train: torch.utils.data.Dataset<torch.Tensor[]>;
  test: torch.utils.data.Dataset<torch.Tensor[]>;
}

export interface FitResult {
  model: MLP;
  /** Test accuracy (0…1) after each epoch. */
  accuracies: number[];
  /** Mean training loss of each epoch. */
  losses: number[];
  /** The learning rate each epoch trained with. */
  lrs: number[];
}

/**
 * Trains a fresh MLP(config.activation) on data.train with CrossEntropyLoss and the named optimizer,
 * reshuffling every epoch, and measures the test accuracy after each epoch.
 */
export async function fit(config: TrainConfig, data: MnistData): Promise<FitResult> {
  return todo('fit', config, data); // not written: keeps this variant cheap to grade
}
