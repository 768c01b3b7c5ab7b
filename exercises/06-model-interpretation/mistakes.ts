// 06 · 모델 해석: where the model is wrong — README.md 를 먼저 읽으세요. Read README.md first. Guide §8.2.
import * as torch from '#engine';
import { todo } from '#kit/todo';

/**
 * C[t][p]: how many samples of true class t were predicted as p (int32 [K, K]), counted in one
 * bincount of t·K + p, as one writes it in PyTorch:
 * `torch.bincount(labels * K + preds, minlength=K*K).reshape(K, K)`.
 */
export function confusionMatrix(labels: torch.Tensor, preds: torch.Tensor, numClasses = 10): torch.Tensor {
  return todo('confusionMatrix', labels, preds, numClasses);
}

/** Per class, the fraction of its samples predicted right: the diagonal over the row sums (recall). */
export function perClassAccuracy(cm: torch.Tensor): torch.Tensor {
  return todo('perClassAccuracy', cm);
}

export interface Confusion {
  label: number;
  pred: number;
  count: number;
}

/** The k largest off-diagonal cells, most first: which true class is taken for which. */
export async function mostConfused(cm: torch.Tensor, k: number): Promise<Confusion[]> {
  return todo('mostConfused', cm, k);
}

export interface Mistake {
  /** Position in the evaluated set. */
  index: number;
  label: number;
  pred: number;
  /** The softmax probability of `pred`. */
  confidence: number;
}

/** The k wrong predictions with the highest softmax probability, most confident first. */
export async function confidentMistakes(logits: torch.Tensor, labels: torch.Tensor, k: number): Promise<Mistake[]> {
  return todo('confidentMistakes', logits, labels, k);
}

/** The mistakes' images [k, 1, 28, 28] in one PNG, 8 per row, each grid scaled to [0, 1] for display. */
export async function saveMistakeGrid(images: torch.Tensor, mistakes: Mistake[], path: string): Promise<void> {
  return todo('saveMistakeGrid', images, mistakes, path);
}
