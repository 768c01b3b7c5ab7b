// 06 · 모델 해석: where the model is wrong, solved. Guide §8.2.
import * as torch from '#engine';
import { utils } from '#engine/vision';

/**
 * C[t][p]: how many samples of true class t were predicted as p (int32 [K, K]), counted in one
 * bincount of t·K + p, as one writes it in PyTorch:
 * `torch.bincount(labels * K + preds, minlength=K*K).reshape(K, K)`.
 */
export function confusionMatrix(labels: torch.Tensor, preds: torch.Tensor, numClasses = 10): torch.Tensor {
  const k = numClasses;
  return torch.bincount(labels.mul(k).add(preds), { minlength: k * k }).reshape(k, k);
}

/** Per class, the fraction of its samples predicted right: the diagonal over the row sums (recall). */
export function perClassAccuracy(cm: torch.Tensor): torch.Tensor {
  return cm.diagonal().float().div(cm.sum(1).float());
}

export interface Confusion {
  label: number;
  pred: number;
  count: number;
}

/** The k largest off-diagonal cells, most first: which true class is taken for which. */
export async function mostConfused(cm: torch.Tensor, k: number): Promise<Confusion[]> {
  const n = cm.shape[0]!;
  const offDiagonal = cm.maskedFill(torch.eye(n, { device: cm.device }).bool(), -1).flatten();
  const { values, indices } = offDiagonal.topk(k);
  const [counts, at] = (await Promise.all([values.toArray(), indices.toArray()])) as number[][];
  return at!.map((i, j) => ({ label: Math.floor(i / n), pred: i % n, count: counts![j]! }));
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
  const { values: confidence, indices: preds } = logits.detach().softmax(1).max(1);
  // Right answers sink below every probability, so topk takes wrong ones first.
  const wrongness = confidence.where(preds.ne(labels), -1);
  const count = Math.min(k, await preds.ne(labels).sum().item());
  const { values, indices } = wrongness.topk(count);
  const [conf, at, p, t] = (await Promise.all([
    values.toArray(),
    indices.toArray(),
    preds.indexSelect(0, indices).toArray(),
    labels.indexSelect(0, indices).toArray(),
  ])) as number[][];
  return at!.map((index, j) => ({ index, label: t![j]!, pred: p![j]!, confidence: conf![j]! }));
}

/** The mistakes' images [k, 1, 28, 28] in one PNG, 8 per row, each grid scaled to [0, 1] for display. */
export async function saveMistakeGrid(images: torch.Tensor, mistakes: Mistake[], path: string): Promise<void> {
  const at = torch.tensor(
    mistakes.map((m) => m.index),
    { dtype: 'int32', device: images.device },
  );
  await utils.saveImage(images.indexSelect(0, at), path, { nrow: 8, normalize: true });
}
