/** pixel_shuffle and pixel_unshuffle: channels traded for resolution as views and one reshape (any backend, any gradient). */
import { argTypeError } from '../../args.ts';
import type { Tensor } from '../../tensor/tensor.ts';

function checkFactor(call: string, name: string, factor: unknown): number {
  if (!Number.isInteger(factor) || (factor as number) <= 0) throw argTypeError(call, name, 2, 'a positive int', factor);
  return factor as number;
}

function checkRank(what: string, input: Tensor): void {
  if (input.ndim < 3)
    throw new RangeError(
      `${what} expects input to have at least 3 dimensions, but got input with ${input.ndim} dimension(s)`,
    );
}

/** [*, C·r², H, W] → [*, C, H·r, W·r]. */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  const r = checkFactor('torch.nn.functional.pixelShuffle', 'upscaleFactor', upscaleFactor);
  checkRank('pixel_shuffle', input);
  const lead = input.shape.slice(0, -3);
  const [c, h, w] = input.shape.slice(-3) as [number, number, number];
  if (c % (r * r) !== 0)
    throw new RangeError(
      `pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${c} is not divisible by ${r * r}`,
    );
  const k = lead.length;
  return input
    .reshape([...lead, c / (r * r), r, r, h, w])
    .permute([...lead.map((_, i) => i), k, k + 3, k + 1, k + 4, k + 2])
    .reshape([...lead, c / (r * r), h * r, w * r]);
}

/** [*, C, H·r, W·r] → [*, C·r², H, W]: pixel_shuffle's inverse. */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  const r = checkFactor('torch.nn.functional.pixelUnshuffle', 'downscaleFactor', downscaleFactor);
  checkRank('pixel_unshuffle', input);
  const lead = input.shape.slice(0, -3);
  const [c, h, w] = input.shape.slice(-3) as [number, number, number];
  if (h % r !== 0)
    throw new RangeError(
      `pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=${h} is not divisible by ${r}`,
    );
  if (w % r !== 0)
    throw new RangeError(
      `pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=${w} is not divisible by ${r}`,
    );
  const k = lead.length;
  return input
    .reshape([...lead, c, h / r, r, w / r, r])
    .permute([...lead.map((_, i) => i), k, k + 2, k + 4, k + 1, k + 3])
    .reshape([...lead, c * r * r, h / r, w / r]);
}
