// 06 · 모델 해석: the weights as pictures, solved. Guide §8.1.
import * as torch from '#engine';
import { heatMapSvg } from '#engine/io/plot';
import { utils } from '#engine/vision';

/**
 * The first layer's rows as images: weight [H, 784] → [H, 1, 28, 28], each row mapped to [0, 1] by
 * its own min and max, so that a weak unit's pattern is as visible as a strong one's. A flat row
 * (max = min, e.g. a dead unit) becomes 0 rather than 0/0.
 */
export function weightImages(weight: torch.Tensor): torch.Tensor {
  const w = weight.detach();
  const lo = w.min({ dim: 1, keepdim: true }).values;
  const hi = w.max({ dim: 1, keepdim: true }).values;
  const span = hi.sub(lo);
  // Where the span is 0 the numerator is 0 too: dividing by 1 there gives 0.
  const safe = span.where(span.gt(0), 1);
  return w.sub(lo).div(safe).reshape(-1, 1, 28, 28);
}

/** weightImages as one PNG: 16 per row, 2 pixels of padding (torchvision's default) between. */
export async function saveWeightGrid(weight: torch.Tensor, path: string): Promise<void> {
  await utils.saveImage(weightImages(weight), path, { nrow: 16, padding: 2 });
}

/**
 * The second layer [10, H] as a heat map, digits down and hidden units across, colours centred on 0:
 * red where a unit votes for the digit, blue where it votes against it.
 */
export async function weightHeatmap(weight: torch.Tensor): Promise<string> {
  const values = (await weight.detach().toArray()) as number[][];
  return heatMapSvg({
    title: 'fc2.weight: digit × hidden unit',
    values,
    xLabel: 'hidden unit',
    yLabel: 'digit',
    diverging: true,
  });
}
