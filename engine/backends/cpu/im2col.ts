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
import { contiguous } from './strided.ts';
import { windowsHeap, windowsKernel } from './wasm/windows.ts';

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
  if (X instanceof Float32Array && O instanceof Float32Array && wasmWindows(x, w, out, X, O, padValue)) return;
  const ox = out.strides[5]!;
  const Wo = w.out[1];
  forEachWindowRow(x, out, w, (input, step, col, x0, x1) => copyRow(X, O, input, step, col, ox, x0, x1, Wo, padValue));
}

export function col2im(cols: View, w: WindowGeometry, out: View): void {
  const [S, O] = [cpuData(cols), cpuData(out)];
  const float32 = out.buffer.dtype === 'float32' && S instanceof Float32Array && O instanceof Float32Array;
  if (float32 && contiguous(out) && wasmWindows(out, w, cols, O, S, null)) return;
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

/** Columns moved through the WebAssembly module's memory per pass (1 MiB): they stay in L2 between copies. */
const CHUNK_FLOATS = 256 * 1024;

/**
 * im2col (padValue a number) or col2im (padValue null) through wasm/windows.ts, a chunk of images
 * at a time: each image [C, H, W] (the input, or col2im's zeroed output) and the chunk's columns
 * are copied into the module's memory, one memcpy each. Needs each image contiguous and the columns
 * contiguous; returns false (the JavaScript loops run) otherwise or without WebAssembly.
 */
// prettier-ignore
function wasmWindows(
  image: View, w: WindowGeometry, cols: View, I: Float32Array, S: Float32Array, padValue: number | null,
): boolean {
  const [N, C, H, W] = image.shape as [number, number, number, number];
  const [sN, sC, sH, sW] = image.strides as [number, number, number, number];
  const plane = H * W;
  const size = C * plane;
  const perImage = cols.shape.slice(1).reduce((a, b) => a * b, 1);
  if (N * perImage === 0 || sW !== 1 || sH !== W || sC !== plane || !contiguous(cols)) return false;
  const k = windowsKernel();
  if (k === null) return false;
  const [kh, kw] = w.kernel;
  const [Ho, Wo] = w.out;
  const tables = Math.ceil((kh * Ho + 3 * kw) / 4) * 4;
  const nb = Math.max(1, Math.min(N, Math.floor(CHUNK_FLOATS / perImage)));
  const [imageBase, colsBase] = [tables, tables + nb * size];
  const heap = windowsHeap(k, colsBase + nb * perImage);
  writeTables(new Int32Array(heap.buffer, 0, tables), w, H, W);
  const geometry = [C, 4 * plane, 0, 4 * kh * Ho, kh, kw, Ho, Wo, 4 * w.stride[1]] as const;
  const padBits = new Int32Array(Float32Array.of(padValue ?? 0).buffer)[0]!;
  for (let n0 = 0; n0 < N; n0 += nb) {
    const m = Math.min(nb, N - n0);
    const colsAt = cols.offset + n0 * perImage;
    if (padValue === null) {
      heap.set(S.subarray(colsAt, colsAt + m * perImage), colsBase);
      heap.fill(0, imageBase, imageBase + m * size);
    }
    for (let n = 0; n < m; n++) {
      const [imageAt, colsAddr] = [4 * (imageBase + n * size), 4 * (colsBase + n * perImage)];
      if (padValue === null) {
        k.col2im(colsAddr, imageAt, ...geometry);
      } else {
        const from = image.offset + (n0 + n) * sN;
        heap.set(I.subarray(from, from + size), imageBase + n * size);
        k.im2col(imageAt, colsAddr, ...geometry, padBits);
      }
    }
    if (padValue === null) I.set(heap.subarray(imageBase, imageBase + m * size), image.offset + n0 * sN);
    else S.set(heap.subarray(colsBase, colsBase + m * perImage), colsAt);
  }
  return true;
}

/** wasm/windows.ts's rowTab and colTab for this geometry (the same bounds as forEachWindowRow). */
function writeTables(T: Int32Array, w: WindowGeometry, H: number, W: number): void {
  const [kh, kw] = w.kernel;
  const [strideH, strideW] = w.stride;
  const [dh, dw] = w.dilation;
  const [pt, pl] = w.padding;
  const [Ho, Wo] = w.out;
  for (let i = 0; i < kh; i++) {
    for (let y = 0; y < Ho; y++) {
      const iy = y * strideH + i * dh - pt;
      T[i * Ho + y] = iy >= 0 && iy < H ? 4 * iy * W : -1;
    }
  }
  for (let j = 0; j < kw; j++) {
    const left = j * dw - pl;
    const x0 = Math.min(Wo, Math.max(0, Math.ceil(-left / strideW)));
    const x1 = Math.min(Wo, Math.max(x0, Math.ceil((W - left) / strideW)));
    T.set([4 * x0, 4 * x1, 4 * (x0 * strideW + left)], kh * Ho + 3 * j);
  }
}
