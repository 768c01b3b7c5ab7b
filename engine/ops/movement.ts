/**
 * Movement ops: new shapes, strides and offsets over the same storage, never a copy (except
 * contiguous() and a reshape that cannot be a view). Each gradient moves the gradient back.
 */
import { argTypeError } from '../args.ts';
import { defineOp } from '../autograd/function.ts';
import {
  checkSize,
  expandStrides,
  formatShape,
  inferShape,
  isContiguous,
  normalizeDim,
  viewStrides,
} from '../tensor/shape.ts';
import { Tensor, type DimArgs } from '../tensor/tensor.ts';
import { emptyTensor, launchAssign, launchUnary } from './kernels.ts';

/** Dims given as separate numbers or one array, as PyTorch accepts both. */
export function dimsOf(args: DimArgs | readonly number[]): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as number[]);
  return [...list];
}

export function dimIndex(x: Tensor, dim: number): number {
  return normalizeDim(dim, x.ndim);
}

function restride(x: Tensor, shape: readonly number[], strides: readonly number[], offset = x.offset): Tensor {
  return new Tensor(x.storage, shape, strides, offset);
}

export function isContiguousTensor(x: Tensor): boolean {
  return isContiguous(x.shape, x.strides);
}

const viewOp = defineOp(
  'ViewBackward0',
  (ctx, x: Tensor, shape: readonly number[]) => {
    ctx.inputShape = x.shape;
    const strides = viewStrides(x.shape, x.strides, shape);
    if (!strides) {
      throw new RangeError(
        `view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). ` +
          `Use .reshape(...) instead. (input shape ${formatShape(x.shape)}, strides ${formatShape(x.strides)}, requested ${formatShape(shape)})`,
      );
    }
    return restride(x, shape, strides);
  },
  (ctx, g) => [g.reshape(ctx.inputShape as number[]), null],
);

export function view(x: Tensor, shape: readonly number[]): Tensor {
  return viewOp(x, inferShape(shape, x.numel()));
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.numel());
  return viewStrides(x.shape, x.strides, target) ? viewOp(x, target) : viewOp(contiguous(x), target);
}

export function contiguous(x: Tensor): Tensor {
  return isContiguousTensor(x) ? x : cloneContiguous(x);
}

const cloneContiguous = defineOp(
  'CloneBackward0',
  (_ctx, x: Tensor) => launchUnary('identity', x),
  (_ctx, g) => [g],
);

const permuteOp = defineOp(
  'PermuteBackward0',
  (ctx, x: Tensor, dims: readonly number[]) => {
    ctx.dims = dims;
    return restride(
      x,
      dims.map((d) => x.shape[d]!),
      dims.map((d) => x.strides[d]!),
    );
  },
  (ctx, g) => {
    const dims = ctx.dims as number[];
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => (inverse[d] = i));
    return [g.permute(inverse), null];
  },
);

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new RangeError(
      `permute: number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.ndim} is not equal to len(dims) = ${dims.length}`,
    );
  }
  const norm = dims.map((d) => normalizeDim(d, x.ndim));
  if (new Set(norm).size !== norm.length) throw new RangeError(`permute: repeated dim in ${formatShape(dims)}`);
  return permuteOp(x, norm);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (x.ndim === 0) return x;
  const a = normalizeDim(dim0, x.ndim);
  const b = normalizeDim(dim1, x.ndim);
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permuteOp(x, dims);
}

export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new RangeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.ndim}D`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

const expandOp = defineOp(
  'ExpandBackward0',
  (ctx, x: Tensor, shape: readonly number[]) => {
    ctx.inputShape = x.shape;
    return restride(x, shape, expandStrides(x.shape, x.strides, shape));
  },
  (ctx, g) => [g.sumToSize(ctx.inputShape as number[]), null],
);

export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const offset = shape.length - x.ndim;
  // -1 keeps the existing size, as in torch.expand.
  const target = shape.map((d, i) => (d === -1 && i >= offset ? x.shape[i - offset]! : checkSize(d, `size[${i}]`)));
  return expandOp(x, target);
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined)
    return view(
      x,
      x.shape.filter((d) => d !== 1),
    );
  const d = normalizeDim(dim, x.ndim);
  if (x.ndim === 0 || x.shape[d] !== 1) return x;
  return view(
    x,
    x.shape.filter((_, i) => i !== d),
  );
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return view(x, shape);
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim);
  const e = normalizeDim(endDim, x.ndim);
  if (s > e) throw new RangeError('flatten() has invalid args: start_dim cannot come after end_dim');
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const inner = inferShape(sizes, x.shape[d]!);
  return view(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

/**
 * Gradient of a slice: zeros with g written into the sliced window. An op of its own, whose
 * gradient is the slice again, so that a createGraph backward can be differentiated once more.
 */
const sliceBackward: (g: Tensor, inputShape: readonly number[], window: (t: Tensor) => Tensor) => Tensor = defineOp(
  'SliceBackwardBackward0',
  (ctx, g: Tensor, inputShape: readonly number[], window: (t: Tensor) => Tensor) => {
    ctx.window = window;
    const out = emptyTensor(inputShape, g.dtype, g.device);
    launchAssign(window(out), g);
    return out;
  },
  (ctx, gg) => [(ctx.window as (t: Tensor) => Tensor)(gg), null, null],
);

const sliceOp: (x: Tensor, dim: number, start: number, length: number, step: number) => Tensor = defineOp(
  'SliceBackward0',
  (ctx, x: Tensor, dim: number, start: number, length: number, step: number) => {
    ctx.inputShape = x.shape;
    ctx.args = [dim, start, length, step];
    const shape = [...x.shape];
    shape[dim] = length;
    const strides = [...x.strides];
    strides[dim] = x.strides[dim]! * step;
    return restride(x, shape, strides, x.offset + start * x.strides[dim]!);
  },
  (ctx, g) => {
    const [dim, start, length, step] = ctx.args as number[];
    return [
      sliceBackward(g, ctx.inputShape as number[], (z) => sliceOp(z, dim!, start!, length!, step!)),
      null,
      null,
      null,
      null,
    ];
  },
);

/** x[start:end:step] along dim, with Python's clamping of out-of-range bounds. */
export function slice(x: Tensor, dim: number, start?: number, end?: number, step = 1): Tensor {
  const d = normalizeDim(dim, x.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice step must be positive, but got ${step}`);
  const size = x.shape[d]!;
  const clampIndex = (i: number | undefined, fallback: number) => {
    if (i === undefined) return fallback;
    const j = i < 0 ? i + size : i;
    return Math.min(Math.max(j, 0), size);
  };
  const s = clampIndex(start, 0);
  const e = Math.max(clampIndex(end, size), s);
  return sliceOp(x, d, s, Math.ceil((e - s) / step), step);
}

const selectOp: (x: Tensor, dim: number, index: number) => Tensor = defineOp(
  'SelectBackward0',
  (ctx, x: Tensor, dim: number, index: number) => {
    ctx.inputShape = x.shape;
    ctx.args = [dim, index];
    return restride(
      x,
      x.shape.filter((_, i) => i !== dim),
      x.strides.filter((_, i) => i !== dim),
      x.offset + index * x.strides[dim]!,
    );
  },
  (ctx, g) => {
    const [dim, index] = ctx.args as number[];
    return [sliceBackward(g, ctx.inputShape as number[], (z) => selectOp(z, dim!, index!)), null, null];
  },
);

/** x.select(dim, i): removes dim, keeping index i (negative counts from the end). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  if (x.ndim === 0) throw new RangeError('select() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(`index ${index} is out of bounds for dimension ${d} with size ${size}`);
  }
  return selectOp(x, d, index < 0 ? index + size : index);
}

const diagonalOp: (x: Tensor, offset: number, dim1: number, dim2: number) => Tensor = defineOp(
  'DiagonalBackward0',
  (ctx, x: Tensor, offset: number, dim1: number, dim2: number) => {
    ctx.inputShape = x.shape;
    ctx.args = [offset, dim1, dim2];
    // Rows start at max(0, −offset), columns at max(0, offset); the diagonal becomes the last dim.
    const row = Math.max(0, -offset);
    const col = Math.max(0, offset);
    const length = Math.max(0, Math.min(x.shape[dim1]! - row, x.shape[dim2]! - col));
    const keep = x.shape.map((_, i) => i).filter((i) => i !== dim1 && i !== dim2);
    return restride(
      x,
      [...keep.map((i) => x.shape[i]!), length],
      [...keep.map((i) => x.strides[i]!), x.strides[dim1]! + x.strides[dim2]!],
      x.offset + (length > 0 ? row * x.strides[dim1]! + col * x.strides[dim2]! : 0),
    );
  },
  (ctx, g) => {
    const [offset, dim1, dim2] = ctx.args as number[];
    return [
      sliceBackward(g, ctx.inputShape as number[], (z) => diagonalOp(z, offset!, dim1!, dim2!)),
      null,
      null,
      null,
    ];
  },
);

/**
 * torch.diagonal(x, offset=0, dim1=0, dim2=1): a view of the diagonal of the (dim1, dim2) planes,
 * appended as the last dim; offset > 0 is above the main diagonal, < 0 below.
 */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  if (x.ndim < 2) throw new RangeError(`diagonal dimensions requires ndim larger than 1, but got ${x.ndim}`);
  const d1 = normalizeDim(dim1, x.ndim);
  const d2 = normalizeDim(dim2, x.ndim);
  if (d1 === d2) throw new RangeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  if (!Number.isInteger(offset)) throw new TypeError(`diagonal offset must be an integer, but got ${offset}`);
  return diagonalOp(x, offset, d1, d2);
}

export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  if (typeof splitSize !== 'number' && !Array.isArray(splitSize))
    throw argTypeError('torch.split', 'splitSize', 2, 'a number or an array of numbers', splitSize);
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  const sizes =
    typeof splitSize === 'number'
      ? Array.from({ length: Math.max(Math.ceil(size / splitSize), 1) }, (_, i) =>
          Math.min(splitSize, size - i * splitSize),
        )
      : [...splitSize];
  if (sizes.reduce((a, b) => a + b, 0) !== size) {
    throw new RangeError(
      `split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=${formatShape(sizes)}`,
    );
  }
  let start = 0;
  return sizes.map((n) => {
    const part = slice(x, d, start, start + n);
    start += n;
    return part;
  });
}

export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const size = x.shape[normalizeDim(dim, x.ndim)]!;
  return split(x, Math.max(Math.ceil(size / chunks), 1), dim);
}
