/**
 * im2col and its adjoint col2im (see Backend.im2col), behind conv2d and max_pool2d: one dispatch
 * each, with window positions computed in the kernel rather than read from an index tensor.
 *
 * Each invocation handles one row, as the CPU backend's loops do: a row of windows (n, c, i, j, y)
 * for im2col, a row of the image (n, c, h) for col2im. The columns whose window lies inside the
 * input are one range [x0, x1) per row, so the inner loops are a strided copy (or add) with no
 * division and no per-element bounds test; on lavapipe, which runs invocations as SIMD lanes of a
 * CPU thread, this measured about twice as fast as one invocation per element.
 */
import type { View, WindowGeometry } from '../../../backend/types.ts';
import { hostArray } from '../../../dtype.ts';
import { arithType, convert, storageType } from '../dtypes.ts';
import type { KernelCall } from '../kernel.ts';
import { operands } from '../kernel.ts';
import { numel } from '../strided.ts';
import { WORKGROUP, grid, linearEntry, p, prelude } from '../codegen/wgsl.ts';

// Parameter slots shared by both kernels: the window geometry, then each kernel's own.
const ROWS = 0,
  C = 1,
  KH = 2,
  KW = 3,
  H = 4,
  W = 5,
  HO = 6,
  WO = 7,
  SH = 8,
  SW = 9,
  DH = 10,
  DW = 11,
  PT = 12,
  PL = 13,
  X_OFF = 14, // the image: im2col's input, col2im's output
  X_S = 15, // its strides n, c, h, w
  C_OFF = 19, // the columns
  C_S = 20, // their strides n, c, i, j, y, x
  PAD = 26;

function geometryParams(rows: number, image: View, w: WindowGeometry, cols: View): number[] {
  const [, channels, h, wd] = image.shape as [number, number, number, number];
  return [
    rows,
    channels,
    ...w.kernel,
    h,
    wd,
    ...w.out,
    ...w.stride,
    ...w.dilation,
    ...w.padding,
    image.offset,
    ...image.strides,
    cols.offset,
    ...cols.strides,
  ];
}

/**
 * WGSL: for kernel column `kj`, `left` (the input column of window column 0) and [x0, x1), the
 * window columns whose input column is inside the image.
 */
function columnRange(kj: string): string {
  return `  let left = ${kj} * ${p(DW)} - ${p(PL)};
  let sw = ${p(SW)};
  // Ceiling divisions of possibly negative numerators: a negative quotient clamps to 0 either way.
  let x0 = min(${p(WO)}, max(0, (sw - 1 - left) / sw));
  let x1 = min(${p(WO)}, max(x0, (${p(W)} - left + sw - 1) / sw));`;
}

/** The pad value as the i32 parameter the kernel reads: the value stored as the CPU stores it, f32 bits for floats. */
function padBits(padValue: number, dtype: View['buffer']['dtype']): number {
  const stored = hostArray(dtype, 1);
  stored[0] = padValue;
  if (arithType(dtype) === 'i32') return stored[0]!;
  return new Int32Array(Float32Array.of(stored[0]!).buffer)[0]!;
}

export function im2colKernel(x: View, w: WindowGeometry, padValue: number, out: View): KernelCall | null {
  if (numel(out.shape) === 0) return null;
  const [N, channels] = x.shape as [number, number];
  const rows = N * channels * w.kernel[0] * w.kernel[1] * w.out[0];
  const dtype = x.buffer.dtype;
  const params = [...geometryParams(rows, x, w, out), padBits(padValue, dtype)];
  const ops = operands(['O', 'X'], [out, x]);
  const key = `im2col:${dtype}:${ops.key}`;
  const source = (): string => {
    const st = storageType(dtype);
    const pad = convert(arithType(dtype) === 'i32' ? p(PAD) : `bitcast<f32>(${p(PAD)})`, arithType(dtype), st);
    const s = (d: number) => p(X_S + d);
    const o = (d: number) => p(C_S + d);
    return `${prelude(ops.bindings, params.length)}
${linearEntry()}
  if (i >= ${p(ROWS)}) { return; }
  // Row i is (n, c, ki, kj, y) in that order.
  let y = i % ${p(HO)};
  var rest = i / ${p(HO)};
  let kj = rest % ${p(KW)};
  rest = rest / ${p(KW)};
  let ki = rest % ${p(KH)};
  rest = rest / ${p(KH)};
  let c = rest % ${p(C)};
  let n = rest / ${p(C)};
  var o = ${p(C_OFF)} + n * ${o(0)} + c * ${o(1)} + ki * ${o(2)} + kj * ${o(3)} + y * ${o(4)};
  let iy = y * ${p(SH)} + ki * ${p(DH)} - ${p(PT)};
${columnRange('kj')}
  let inside = iy >= 0 && iy < ${p(H)};
  let lo = select(${p(WO)}, x0, inside);
  let hi = select(${p(WO)}, x1, inside);
  var q = ${p(X_OFF)} + n * ${s(0)} + c * ${s(1)} + iy * ${s(2)} + (lo * sw + left) * ${s(3)};
  let step = sw * ${s(3)};
  let ox = ${o(5)};
  for (var x = 0; x < lo; x++) { O[o] = ${pad}; o += ox; }
  for (var x = lo; x < hi; x++) { O[o] = ${ops.names[1]}[q]; o += ox; q += step; }
  for (var x = hi; x < ${p(WO)}; x++) { O[o] = ${pad}; o += ox; }
}`;
  };
  return { key, source, buffers: ops.buffers, params, workgroups: grid(Math.ceil(rows / WORKGROUP)) };
}

export function col2imKernel(cols: View, w: WindowGeometry, out: View): KernelCall | null {
  if (numel(out.shape) === 0) return null;
  const [N, channels, h] = out.shape as [number, number, number];
  const rows = N * channels * h;
  const dtype = out.buffer.dtype;
  const params = geometryParams(rows, out, w, cols);
  const ops = operands(['O', 'S'], [out, cols]);
  const key = `col2im:${dtype}:${ops.key}`;
  const source = (): string => {
    const st = storageType(dtype);
    const t = arithType(dtype);
    const s = (d: number) => p(X_S + d);
    const cs = (d: number) => p(C_S + d);
    const sum = convert(`${convert('O[q]', st, t)} + ${convert(`${ops.names[1]}[k]`, st, t)}`, t, st);
    return `${prelude(ops.bindings, params.length)}
${linearEntry()}
  if (i >= ${p(ROWS)}) { return; }
  // Row i is (n, c, h): cleared, then each window row that reads it adds its run of columns, in
  // kernel-offset order (ki, kj) as the CPU backend adds them.
  let h = i % ${p(H)};
  let nc = i / ${p(H)};
  let c = nc % ${p(C)};
  let n = nc / ${p(C)};
  let row = ${p(X_OFF)} + n * ${s(0)} + c * ${s(1)} + h * ${s(2)};
  let ow = ${s(3)};
  for (var x = 0; x < ${p(W)}; x++) { O[row + x * ow] = ${st}(0); }
  let base = ${p(C_OFF)} + n * ${cs(0)} + c * ${cs(1)};
  for (var ki = 0; ki < ${p(KH)}; ki++) {
    // Window row y reads image row h when y·stride = h + padding − ki·dilation, which falls as ki grows.
    let ty = h + ${p(PT)} - ki * ${p(DH)};
    if (ty < 0) { break; }
    let y = ty / ${p(SH)};
    if (y * ${p(SH)} != ty || y >= ${p(HO)}) { continue; }
    for (var kj = 0; kj < ${p(KW)}; kj++) {
${columnRange('kj')
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
      var k = base + ki * ${cs(2)} + kj * ${cs(3)} + y * ${cs(4)} + x0 * ${cs(5)};
      var q = row + (x0 * sw + left) * ow;
      let step = sw * ow;
      for (var x = x0; x < x1; x++) { O[q] = ${sum}; q += step; k += ${cs(5)}; }
    }
  }
}`;
  };
  return { key, source, buffers: ops.buffers, params, workgroups: grid(Math.ceil(rows / WORKGROUP)) };
}
