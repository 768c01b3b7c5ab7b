// 05 · 나만의 Dataset — README.md 를 먼저 읽으세요. Read README.md first.
import * as torch from '#engine';
import { todo } from '#kit/todo';
import type { Transform } from './digits.ts';

/** MNIST's pixel mean and standard deviation, after scaling to [0, 1]. */
export const MEAN = 0.1307;
export const STD = 0.3081;

/**
 * Evaluation: only what every image needs, nothing random.
 * PyTorch: `transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])`.
 */
export function evalTransform(): Transform {
  return todo('evalTransform');
}

/** Training: a small random turn and shift of the image, then what evaluation does. */
export function trainTransform(): Transform {
  return todo('trainTransform');
}

export interface LoaderOptions {
  batchSize?: number;
  /** Fraction of the images held out for validation (default 0.1). */
  validation?: number;
  /** Seeds the split and the shuffling (default 0). */
  seed?: number;
  numWorkers?: number;
}

export interface Loaders {
  train: torch.utils.data.DataLoader<[torch.Tensor, number]>;
  validation: torch.utils.data.DataLoader<[torch.Tensor, number]>;
  classes: string[];
}

/** The folder split into training and validation loaders. */
export function loaders(root: string, options: LoaderOptions = {}): Loaders {
  return todo('loaders', root, options);
}

/** Accuracy (0…1) of `model` over every batch of `loader`. */
export async function evaluate(model: torch.nn.Module, loader: AsyncIterable<torch.Tensor[]>): Promise<number> {
  return todo('evaluate', model, loader);
}

export interface TrainOptions extends LoaderOptions {
  epochs?: number;
}

export interface TrainResult {
  model: torch.nn.Module;
  /** Validation accuracy after each epoch. */
  accuracies: number[];
}

/** A 784 → 128 → 10 MLP trained with Adam on the folder's training part. */
export async function train(root: string, options: TrainOptions = {}): Promise<TrainResult> {
  return todo('train', root, options);
}
