/**
 * im2col as a differentiable op: unfold lays the windows of an [N, C, H, W] input out as the
 * columns of [N, C, kh, kw, Ho, Wo] (torch.nn.functional.unfold's [N, C·kh·kw, L], unflattened),
 * fold sums columns back into an image. Each is the other's
 * adjoint, so each one's backward is the other and gradients of gradients come for free.
 *
 * A backend with im2col/col2im kernels (the CPU and WebGPU ones) runs them; any other gathers through an index
 * tensor on the explicitly padded input and scatter-adds back, the same values more slowly.
 */
import { defineOp } from '../../autograd/function.ts';
import { backendFor } from '../../backend/registry.ts';
import type { WindowGeometry } from '../../backend/types.ts';
import { emptyTensor, launchScatterAdd } from '../../ops/kernels.ts';
import { fromHost } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { pad } from './pad.ts';

export type { WindowGeometry };

/** For each kernel offset k and window l, the flat position of its element in a plane `width` wide. */
export function windowPositions(width: number, w: WindowGeometry, shift: readonly [number, number]): Int32Array {
  const [kh, kw] = w.kernel;
  const [oh, ow] = w.out;
  const L = oh * ow;
  const positions = new Int32Array(kh * kw * L);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const k = i * kw + j;
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          const row = y * w.stride[0] + i * w.dilation[0] - shift[0];
          const col = x * w.stride[1] + j * w.dilation[1] - shift[1];
          positions[k * L + y * ow + x] = row * width + col;
        }
      }
    }
  }
  return positions;
}

function columnsShape([n, c]: readonly number[], w: WindowGeometry): number[] {
  return [n!, c!, w.kernel[0], w.kernel[1], w.out[0], w.out[1]];
}

/** Rows below and columns right of [h, w] that the last windows reach into (≥ 0). */
function farPadding([h, wd]: readonly number[], w: WindowGeometry): [number, number] {
  const reach = (d: 0 | 1, size: number) =>
    Math.max(0, (w.out[d] - 1) * w.stride[d] + w.dilation[d] * (w.kernel[d] - 1) + 1 - size - w.padding[d]);
  return [reach(0, h!), reach(1, wd!)];
}

/** The fallback's index: every window position in the explicitly padded plane, [1, 1, kh·kw·L]. */
function paddedPositions(x: Tensor, w: WindowGeometry, width: number): Tensor {
  const positions = windowPositions(width, w, [0, 0]);
  return fromHost(positions, [1, 1, positions.length], { dtype: 'int32', device: x.device });
}

const unfoldOp: (x: Tensor, w: WindowGeometry, padValue: number) => Tensor = defineOp(
  'Im2ColBackward0',
  (ctx, x: Tensor, w: WindowGeometry, padValue: number) => {
    ctx.windows = w;
    ctx.inputShape = x.shape;
    const backend = backendFor(x.device);
    if (backend.im2col) {
      const out = emptyTensor(columnsShape(x.shape, w), x.dtype, x.device);
      backend.im2col(x.strided, w, padValue, out.strided);
      return out;
    }
    const [n, c, h, wd] = x.shape as [number, number, number, number];
    const [bottom, right] = farPadding([h, wd], w);
    const padded = pad(x, [w.padding[1], right, w.padding[0], bottom], { value: padValue });
    const [hp, wp] = padded.shape.slice(2) as [number, number];
    const index = paddedPositions(x, w, wp);
    return padded
      .reshape([n, c, hp * wp])
      .gather(2, index.expand([n, c, index.shape[2]!]))
      .reshape(columnsShape(x.shape, w));
  },
  (ctx, g) => [foldOp(g, ctx.windows as WindowGeometry, ctx.inputShape as number[]), null, null],
);

const foldOp: (cols: Tensor, w: WindowGeometry, inputShape: readonly number[]) => Tensor = defineOp(
  'Col2ImBackward0',
  (ctx, cols: Tensor, w: WindowGeometry, inputShape: readonly number[]) => {
    ctx.windows = w;
    const backend = backendFor(cols.device);
    if (backend.col2im) {
      const out = emptyTensor(inputShape, cols.dtype, cols.device);
      backend.col2im(cols.strided, w, out.strided);
      return out;
    }
    const [n, c, h, wd] = inputShape as [number, number, number, number];
    const [bottom, right] = farPadding([h, wd], w);
    const [hp, wp] = [w.padding[0] + h + bottom, w.padding[1] + wd + right];
    const index = paddedPositions(cols, w, wp);
    const src = cols.reshape([n, c, index.shape[2]!]);
    return launchScatterAdd([n, c, hp * wp], 2, index.expand([n, c, index.shape[2]!]), src)
      .reshape([n, c, hp, wp])
      .slice(2, w.padding[0], w.padding[0] + h)
      .slice(3, w.padding[1], w.padding[1] + wd)
      .contiguous();
  },
  (ctx, g) => [unfoldOp(g, ctx.windows as WindowGeometry, 0), null, null],
);

/** [N, C, H, W] → [N, C, kh, kw, Ho, Wo]: each window as a column; positions outside x read padValue. */
export function unfold(x: Tensor, windows: WindowGeometry, padValue: number): Tensor {
  return unfoldOp(x, windows, padValue);
}

/** [N, C, kh, kw, Ho, Wo] columns → [N, C, H, W] (inputShape), each summed into the place unfold read it from. */
export function fold(cols: Tensor, windows: WindowGeometry, inputShape: readonly number[]): Tensor {
  return foldOp(cols, windows, inputShape);
}
