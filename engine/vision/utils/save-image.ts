/**
 * torchvision.utils.save_image: makeGrid, then each value v in [0, 1] becomes the byte
 * trunc(clamp(v·255 + 0.5, 0, 255)), written as an RGB PNG. Async, as every read of a tensor here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { encodePng } from '../../io/png.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { formatShape } from '../../tensor/shape.ts';
import { makeGrid, type MakeGridOptions } from './make-grid.ts';

/** The grid's bytes, [H, W, C] interleaved: what the PNG holds. */
async function toImageBytes(
  tensor: Tensor | readonly Tensor[],
  options: MakeGridOptions = {},
): Promise<{ width: number; height: number; channels: 1 | 3 | 4; data: Uint8Array }> {
  const grid = makeGrid(tensor, options).detach();
  const [c, height, width] = grid.shape as [number, number, number];
  if (c !== 3 && c !== 4) {
    throw new RangeError(
      `saveImage: the grid has ${c} channels (shape ${formatShape(grid.shape)}); PNG takes 1, 3 or 4`,
    );
  }
  const values = await grid.mul(255).add(0.5).clamp(0, 255).permute(1, 2, 0).float().data();
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.trunc(values[i]!);
  return { width, height, channels: c, data };
}

export async function saveImage(
  tensor: Tensor | readonly Tensor[],
  fp: string,
  options: MakeGridOptions = {},
): Promise<void> {
  if (extname(fp).toLowerCase() !== '.png') throw new Error(`saveImage writes PNG only: '${fp}' does not end in .png`);
  const image = await toImageBytes(tensor, options);
  mkdirSync(dirname(fp), { recursive: true });
  writeFileSync(fp, encodePng(image));
}
