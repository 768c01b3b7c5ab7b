/**
 * im2col and its adjoint col2im on the CPU: the windows of each image [C, H, W] as the columns of
 * one [C·kh·kw, Ho·Wo] matrix, so a convolution is a batched matmul (weight [O, C·kh·kw] ×
 * columns) rather than a gather through an index tensor. Each row of windows is a strided run of
 * the input with the padding's columns cut off its ends, so bounds are tested per row, not per
 * element.
 */
import type { View, WindowGeometry } from '../../backend/types.ts';
import { storeRounding, type HostArray } from '../../dtype.ts';
import { cpuData } from './buffer.ts';

type Rounding = ((x: number) => number) | null;

/**
 * For each (c, i, j, n, y), in that order: `row` gets the input offset of window column x0, the step between
 * window columns, the columns' offset in cols, and [x0, x1): the windows whose input column lies
 * inside the input. Rows of windows above or below the input get iy = −1 (no input offset).
 */
function forEachWindowRow(
  x: { shape: readonly number[]; strides: readonly number[]; offset: number },
  cols: View,
  w: WindowGeometry,
  row: (input: number, step: number, col: number, x0: number, x1: number) => void,
): void {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [sN, sC, sH, sW] = x.strides as [number, number, number, number];
  const [kh, kw] = w.kernel;
  const [strideH, strideW] = w.stride;
  const [dh, dw] = w.dilation;
  const [pt, pl] = w.padding;
  const [Ho, Wo] = w.out;
  const [on, oc, oi, oj, oy] = cols.strides as [number, number, number, number, number, number];
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const left = j * dw - pl; // input column of window column 0
        const x0 = Math.min(Wo, Math.max(0, Math.ceil(-left / strideW)));
        const x1 = Math.min(Wo, Math.max(x0, Math.ceil((W - left) / strideW)));
        for (let n = 0; n < N; n++) {
          const base = x.offset + n * sN + c * sC + (x0 * strideW + left) * sW;
          let col = cols.offset + c * oc + i * oi + j * oj + n * on;
          for (let y = 0; y < Ho; y++, col += oy) {
            const iy = y * strideH + i * dh - pt;
            if (iy < 0 || iy >= H) row(-1, 0, col, 0, 0);
            else row(base + iy * sH, strideW * sW, col, x0, x1);
          }
        }
      }
    }
  }
}

export function im2col(x: View, w: WindowGeometry, padValue: number, out: View): void {
  const [X, O] = [cpuData(x), cpuData(out)];
  const ox = out.strides[5]!;
  const Wo = w.out[1];
  forEachWindowRow(x, out, w, (input, step, col, x0, x1) => copyRow(X, O, input, step, col, ox, x0, x1, Wo, padValue));
}

export function col2im(cols: View, w: WindowGeometry, out: View): void {
  const [S, O] = [cpuData(cols), cpuData(out)];
  const round = storeRounding(out.buffer.dtype);
  const [N, C, H, W] = out.shape as [number, number, number, number];
  const [sN, sC, sH, sW] = out.strides as [number, number, number, number];
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) zeroRow(O, out.offset + n * sN + c * sC + h * sH, sW, W);
  const cx = cols.strides[5]!;
  forEachWindowRow(out, cols, w, (input, step, col, x0, x1) => addRow(S, O, col, cx, input, step, x0, x1, round));
}

// The per-row loops are top-level functions so V8 compiles each once, whatever closure calls it.
// prettier-ignore
function copyRow(
  X: HostArray, O: HostArray, p: number, step: number, o: number, ox: number, x0: number, x1: number, Wo: number,
  pad: number,
): void {
  let x = 0;
  for (; x < x0; x++, o += ox) O[o] = pad;
  for (; x < x1; x++, o += ox, p += step) O[o] = X[p]!;
  for (; x < Wo; x++, o += ox) O[o] = pad;
}

// prettier-ignore
function addRow(
  S: HostArray, O: HostArray, s: number, sx: number, q: number, step: number, x0: number, x1: number,
  round: Rounding,
): void {
  s += x0 * sx;
  for (let x = x0; x < x1; x++, s += sx, q += step) {
    const v = O[q]! + S[s]!;
    O[q] = round ? round(v) : v;
  }
}

function zeroRow(O: HostArray, o: number, step: number, n: number): void {
  for (let k = 0; k < n; k++, o += step) O[o] = 0;
}
