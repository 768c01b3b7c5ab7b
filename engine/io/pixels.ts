/**
 * Converting decoded pixels between channel layouts (gray, gray + alpha, RGB, RGBA). Colour to gray
 * is PIL's `convert('L')`, L = (19595·R + 38470·G + 7471·B + 2^15) >> 16, the ITU-R 601-2 luma
 * weights 0.299, 0.587, 0.114 in 16-bit fixed point; a missing alpha is 255 (opaque), and an alpha
 * that is dropped is simply dropped (no compositing), as both PIL and libpng do.
 */
import type { Pixels } from './png.ts';

export function luma(r: number, g: number, b: number): number {
  return (19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16;
}

export function convertPixels(p: Pixels, channels: Pixels['channels']): Pixels {
  if (p.channels === channels) return p;
  const n = p.width * p.height;
  const data = new Uint8Array(n * channels);
  const c = p.channels;
  for (let i = 0; i < n; i++) {
    const s = i * c;
    const [r, g, b] = c >= 3 ? [p.data[s]!, p.data[s + 1]!, p.data[s + 2]!] : [p.data[s]!, p.data[s]!, p.data[s]!];
    const a = c === 2 || c === 4 ? p.data[s + c - 1]! : 255;
    const o = i * channels;
    if (channels <= 2) data[o] = c >= 3 ? luma(r, g, b) : r;
    else data.set([r, g, b], o);
    if (channels === 2 || channels === 4) data[o + channels - 1] = a;
  }
  return { width: p.width, height: p.height, channels, data };
}
