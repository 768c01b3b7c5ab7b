/**
 * torchvision.utils.make_grid: a batch of images [B, C, H, W] tiled into one image [C, H', W'], nrow
 * per row, `padding` pixels of `padValue` around and between them. Composed from tensor ops, so it
 * runs on the tensor's device and keeps the graph.
 */
import { cat } from '../../ops/indexing.ts';
import { formatShape } from '../../tensor/shape.ts';
import { full } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';

export interface MakeGridOptions {
  /** Images per row (default 8). */
  nrow?: number;
  /** Pixels between and around the images (default 2). */
  padding?: number;
  /** Shift and scale to [0, 1] by the min and max (of valueRange, else of the images). Default false. */
  normalize?: boolean;
  /** [low, high] for normalize: values are clamped to it first. */
  valueRange?: [number, number] | null;
  /** With normalize: each image by its own min and max. Default false. */
  scaleEach?: boolean;
  /** Value of the padding pixels (default 0). */
  padValue?: number;
}

/** Clamps to [low, high] and maps it to [0, 1] (torchvision's norm_ip; a flat image becomes 0). */
function normalizeRange(x: Tensor, low: Tensor | number, high: Tensor | number): Tensor {
  if (typeof low === 'number' && typeof high === 'number') {
    return x
      .clamp(low, high)
      .sub(low)
      .div(Math.max(high - low, 1e-5));
  }
  const lo = low as Tensor;
  const hi = high as Tensor;
  return x.maximum(lo).minimum(hi).sub(lo).div(hi.sub(lo).clamp(1e-5));
}

export function makeGrid(tensor: Tensor | readonly Tensor[], options: MakeGridOptions = {}): Tensor {
  const { nrow = 8, padding = 2, normalize = false, valueRange = null, scaleEach = false, padValue = 0 } = options;
  if (!Number.isInteger(nrow) || nrow < 1)
    throw new RangeError(`makeGrid: nrow must be a positive integer, got ${nrow}`);
  if (!Number.isInteger(padding) || padding < 0) {
    throw new RangeError(`makeGrid: padding must be a non-negative integer, got ${padding}`);
  }
  let x = Array.isArray(tensor) ? cat(tensor.map((t: Tensor) => t.unsqueeze(0))) : (tensor as Tensor);
  // As torchvision: one image [H, W] or [C, H, W] becomes a batch of one, and gray becomes RGB.
  if (x.ndim === 2) x = x.unsqueeze(0);
  if (x.ndim === 3) x = (x.shape[0] === 1 ? cat([x, x, x]) : x).unsqueeze(0);
  if (x.ndim !== 4) throw new RangeError(`makeGrid: expected images [B, C, H, W], got ${formatShape(x.shape)}`);
  if (x.shape[1] === 1) x = cat([x, x, x], 1);
  if (normalize) {
    if (scaleEach) {
      const flat = x.flatten(1);
      const low = valueRange ? valueRange[0] : flat.min(1).values.reshape([-1, 1, 1, 1]);
      const high = valueRange ? valueRange[1] : flat.max(1).values.reshape([-1, 1, 1, 1]);
      x = normalizeRange(x, low, high);
    } else {
      x = normalizeRange(x, valueRange ? valueRange[0] : x.min(), valueRange ? valueRange[1] : x.max());
    }
  }
  const [b, c, h, w] = x.shape as [number, number, number, number];
  if (b === 1) return x.squeeze(0);
  const cols = Math.min(nrow, b);
  const rows = Math.ceil(b / cols);
  const opts = { dtype: x.dtype, device: x.device };
  // Empty cells, then each cell padded on top and on the left; the bottom and right edges last.
  if (rows * cols > b) x = cat([x, full([rows * cols - b, c, h, w], padValue, opts)]);
  x = cat([full([rows * cols, c, padding, w], padValue, opts), x], 2);
  x = cat([full([rows * cols, c, h + padding, padding], padValue, opts), x], 3);
  let grid = x
    .reshape(rows, cols, c, h + padding, w + padding)
    .permute(2, 0, 3, 1, 4)
    .reshape(c, rows * (h + padding), cols * (w + padding));
  grid = cat([grid, full([c, padding, cols * (w + padding)], padValue, opts)], 1);
  return cat([grid, full([c, rows * (h + padding) + padding, padding], padValue, opts)], 2);
}
