/**
 * transforms.Pad(padding, { fill = 0, paddingMode = 'constant' }): pads the last two dims of a
 * tensor, or an image, by [left, top, right, bottom]. Modes as torchvision's: 'constant' (fill),
 * 'edge' (the border pixel repeated), 'reflect' (mirrored without repeating the border:
 * 1 2 3 → 3 2 | 1 2 3 | 2 1) and 'symmetric' (mirrored with it: 2 1 | 1 2 3 | 3 2).
 */
import { checkKeys, keys } from '../../args.ts';
import { fromHost, full } from '../../tensor/create.ts';
import { cat } from '../../ops/indexing.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { channelsOf, isImageLike, type Image, type ImageLike } from '../image.ts';
import { checkFill, fillPerChannel, isNumber } from './args.ts';

export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';
export type Sides = [left: number, top: number, right: number, bottom: number];

/** [left, top, right, bottom] from one number, [leftRight, topBottom] or four numbers. */
export function sides(padding: unknown, what: string): Sides {
  if (!isNumber(padding) && !Array.isArray(padding)) throw new TypeError(`${what}: Got inappropriate padding arg`);
  const p = isNumber(padding) ? [padding] : [...(padding as unknown[])];
  if (![1, 2, 4].includes(p.length))
    throw new RangeError(
      `${what}: Padding must be an int or a 1, 2, or 4 element tuple, not a ${p.length} element tuple`,
    );
  if (!p.every((v) => Number.isInteger(v) && (v as number) >= 0))
    throw new RangeError(`${what}: padding must be non-negative integers, got ${JSON.stringify(padding)}`);
  const n = p as number[];
  if (n.length === 1) return [n[0]!, n[0]!, n[0]!, n[0]!];
  if (n.length === 2) return [n[0]!, n[1]!, n[0]!, n[1]!];
  return n as Sides;
}

/** Source index of each padded position along an axis of `size`; −1 means fill. */
function axisIndices(size: number, before: number, after: number, mode: PaddingMode, what: string): Int32Array {
  const limit = mode === 'reflect' ? size - 1 : size;
  if (mode !== 'constant' && mode !== 'edge' && (before > limit || after > limit)) {
    throw new RangeError(
      `${what}: padding (${before}, ${after}) is too large for ${mode} mode on a dimension of size ${size} (at most ${limit})`,
    );
  }
  return Int32Array.from({ length: size + before + after }, (_, k) => {
    const i = k - before;
    if (i >= 0 && i < size) return i;
    if (mode === 'constant') return -1;
    if (mode === 'edge') return Math.min(size - 1, Math.max(0, i));
    if (mode === 'reflect') return i < 0 ? -i : 2 * (size - 1) - i;
    return i < 0 ? -i - 1 : 2 * size - 1 - i;
  });
}

export function padTensor(x: Tensor, [l, t, r, b]: Sides, fill: number, mode: PaddingMode, what: string): Tensor {
  const [h, w] = x.shape.slice(-2) as [number, number];
  if (mode === 'constant') {
    const block = (shape: number[]) => full(shape, fill, { dtype: x.dtype, device: x.device });
    const lead = x.shape.slice(0, -2);
    const wide = cat([block([...lead, h, l]), x, block([...lead, h, r])], -1);
    return cat([block([...lead, t, w + l + r]), wide, block([...lead, b, w + l + r])], -2);
  }
  const along = (idx: Int32Array) => fromHost(idx, [idx.length], { dtype: 'int32', device: x.device });
  return x
    .indexSelect(-2, along(axisIndices(h, t, b, mode, what)))
    .indexSelect(-1, along(axisIndices(w, l, r, mode, what)));
}

export function padImage(
  image: ImageLike,
  [l, t, r, b]: Sides,
  fill: number[],
  mode: PaddingMode,
  what: string,
): Image {
  const c = channelsOf(image, what);
  const rows = axisIndices(image.height, t, b, mode, what);
  const cols = axisIndices(image.width, l, r, mode, what);
  const data = new Uint8Array(rows.length * cols.length * c);
  rows.forEach((y, oy) =>
    cols.forEach((x, ox) => {
      const o = (oy * cols.length + ox) * c;
      if (y < 0 || x < 0) data.set(fill.slice(0, c), o);
      else data.set(image.data.subarray((y * image.width + x) * c, (y * image.width + x + 1) * c), o);
    }),
  );
  return { width: cols.length, height: rows.length, channels: c as Image['channels'], data };
}

const MODES: readonly PaddingMode[] = ['constant', 'edge', 'reflect', 'symmetric'];

export interface PadOptions {
  /** The value of constant padding: one number, or one per channel for images (default 0). */
  fill?: number | readonly number[];
  paddingMode?: PaddingMode;
}

export class Pad {
  readonly padding: Sides;
  readonly fill: number | number[];
  readonly paddingMode: PaddingMode;

  constructor(padding: number | readonly number[], options: PadOptions = {}) {
    checkKeys('transforms.Pad', options, keys<PadOptions>({ fill: 1, paddingMode: 1 }));
    this.padding = sides(padding, 'Pad');
    this.fill = checkFill(options.fill ?? 0, 'Pad');
    this.paddingMode = options.paddingMode ?? 'constant';
    if (!MODES.includes(this.paddingMode))
      throw new RangeError('Padding mode should be either constant, edge, reflect or symmetric');
  }

  // The tensor overload is last: type inference (e.g. Compose's) reads the last one.
  call(input: ImageLike): Image;
  call(input: Tensor): Tensor;
  call(input: Tensor | ImageLike): Tensor | Image {
    if (input instanceof Tensor) {
      if (input.ndim < 2) throw new RangeError('Pad: expected a tensor of shape [..., H, W]');
      if (Array.isArray(this.fill) && this.fill.length > 1)
        throw new TypeError('Pad: a tensor is padded with one number as fill, not a sequence');
      const fill = typeof this.fill === 'number' ? this.fill : this.fill[0]!;
      return padTensor(input, this.padding, fill, this.paddingMode, 'Pad');
    }
    if (!isImageLike(input)) throw new TypeError('Pad: input should be a Tensor [..., H, W] or an image');
    const fill = fillPerChannel(this.fill, channelsOf(input, 'Pad'), 'Pad').map((v) => Math.trunc(v));
    return padImage(input, this.padding, fill, this.paddingMode, 'Pad');
  }
}
