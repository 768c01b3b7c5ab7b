// 04 · MNIST 다층 퍼셉트론 — README.md 를 먼저 읽으세요. Read README.md first.
import * as torch from '#engine';
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
 * (`new datasets.MNIST({ train })` from '#engine/vision' has `data` [N, 28, 28] with values 0…255
 * and `targets` [N].)
 *
 * PyTorch: `datasets.MNIST(root, train=train, transform=Compose([ToTensor(), Normalize((0.1307,), (0.3081,))]))`
 */
export function loadMnist(options: { train?: boolean; limit?: number } = {}): torch.utils.data.TensorDataset {
  return todo('loadMnist', options);
}

/**
 * Cross-entropy written by hand: −(1/N)·Σᵢ log softmax(logitsᵢ)[yᵢ]. Must agree with
 * torch.nn.functional.crossEntropy, value and gradient, also for logits in the thousands.
 */
export function crossEntropyLoss(logits: torch.Tensor, targets: torch.Tensor): torch.Tensor {
  return todo('crossEntropyLoss', logits, targets);
}

/** The optimizer by name, over `params`, with PyTorch's defaults for everything but lr. */
export function makeOptimizer(name: OptimizerName, params: Iterable<torch.Tensor>, lr: number): torch.optim.Optimizer {
  return todo('makeOptimizer', name, params, lr);
}

/** A learning-rate scheduler for `optimizer`, stepped once per epoch. */
export function makeScheduler(
  optimizer: torch.optim.Optimizer,
  spec: SchedulerSpec,
): torch.optim.lrScheduler.LRScheduler {
  return todo('makeScheduler', optimizer, spec);
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
  return todo('trainStep', model, optimizer, criterion, x, y);
}

/** Accuracy (0…1) of `model` over every sample of `batches`: correct predictions / samples. */
export async function evaluate(
  model: torch.nn.Module,
  batches: Batches,
  device: torch.Device = 'cpu',
): Promise<number> {
  return todo('evaluate', model, batches, device);
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
  return todo('fit', config, data);
}
