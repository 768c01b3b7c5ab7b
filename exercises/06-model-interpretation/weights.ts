// 06 · 모델 해석: the weights as pictures — README.md 를 먼저 읽으세요. Read README.md first. Guide §8.1.
import * as torch from '#engine';
import { todo } from '#kit/todo';

/**
 * The first layer's rows as images: weight [H, 784] → [H, 1, 28, 28], each row mapped to [0, 1] by
 * its own min and max, so that a weak unit's pattern is as visible as a strong one's. A flat row
 * (max = min, e.g. a dead unit) becomes 0 rather than 0/0.
 */
export function weightImages(weight: torch.Tensor): torch.Tensor {
  return todo('weightImages', weight);
}

/** weightImages as one PNG: 16 per row, 2 pixels of padding (torchvision's default) between. */
export async function saveWeightGrid(weight: torch.Tensor, path: string): Promise<void> {
  return todo('saveWeightGrid', weight, path);
}

/**
 * The second layer [10, H] as a heat map, digits down and hidden units across, colours centred on 0:
 * red where a unit votes for the digit, blue where it votes against it.
 */
export async function weightHeatmap(weight: torch.Tensor): Promise<string> {
  return todo('weightHeatmap', weight);
}
