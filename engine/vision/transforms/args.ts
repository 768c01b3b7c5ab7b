/**
 * Argument checks and small numerics the transforms share, worded as torchvision words its
 * errors, plus the Python behaviours its formulas rely on (round half to even, float32 draws).
 */
import type { Generator } from '../../tensor/random.ts';

/** Python's round(): to the nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** `float(torch.empty(1).uniform_(low, high))`: a float32 uniform in [low, high). */
export function uniform(g: Generator, low: number, high: number): number {
  return Math.fround(Math.fround((high - low) * g.uniform24()) + low);
}

export function isNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** A sequence of one of the lengths `sizes`, of numbers; torchvision's _check_sequence_input. */
export function sequence(x: unknown, name: string, sizes: readonly number[]): number[] {
  if (!Array.isArray(x) || !x.every(isNumber)) throw new TypeError(`${name} should be a sequence of numbers`);
  if (!sizes.includes(x.length)) throw new RangeError(`${name} should be a sequence of length ${sizes.join(' or ')}.`);
  return [...(x as number[])];
}

/** torchvision's _setup_angle: d → [−d, d] (d ≥ 0), or a sequence of the allowed lengths. */
export function angleRange(x: unknown, name: string, sizes: readonly number[] = [2]): number[] {
  if (isNumber(x)) {
    if (x < 0) throw new RangeError(`If ${name} is a single number, it must be positive.`);
    return [-x, x];
  }
  return sequence(x, name, sizes);
}

/** [h, w] from an int or a sequence of 1 or 2 ints (torchvision's _setup_size). */
export function size2(size: unknown, what: string): [number, number] {
  if (size === undefined || size === null) throw new TypeError(`${what}: size is required: an int or [h, w]`);
  const s = isNumber(size) ? [size, size] : Array.isArray(size) && size.length === 1 ? [size[0], size[0]] : size;
  if (!Array.isArray(s) || s.length !== 2)
    throw new RangeError(`${what}: Please provide only two dimensions (h, w) for size.`);
  if (!s.every((v) => Number.isInteger(v) && v > 0))
    throw new RangeError(`${what}: size should be positive integers, got ${JSON.stringify(size)}`);
  return [s[0] as number, s[1] as number];
}

/** A fill value: one number for every channel, or one per channel. */
export function checkFill(fill: unknown, what: string): number | number[] {
  if (isNumber(fill)) return fill;
  if (Array.isArray(fill) && fill.length > 0 && fill.every(isNumber)) return [...(fill as number[])];
  throw new TypeError(`${what}: Fill should be either a sequence or a number.`);
}

/** The fill for each of `channels` channels; a sequence must have one value or one per channel. */
export function fillPerChannel(fill: number | number[], channels: number, what: string): number[] {
  if (typeof fill === 'number') return Array.from({ length: channels }, () => fill);
  if (fill.length === 1) return Array.from({ length: channels }, () => fill[0]!);
  if (fill.length !== channels) {
    throw new RangeError(
      `${what}: the number of elements in 'fill' does not match the number of channels of the image (${fill.length} != ${channels})`,
    );
  }
  return fill;
}

export type InterpolationMode = 'nearest' | 'bilinear';

export function checkInterpolation(mode: unknown, what: string): InterpolationMode {
  if (mode === 'nearest' || mode === 'bilinear') return mode;
  throw new TypeError(
    `${what}: interpolation should be 'nearest' or 'bilinear' (InterpolationMode), got ${String(mode)}`,
  );
}
