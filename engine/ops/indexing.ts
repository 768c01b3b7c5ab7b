/** gather / scatterAdd / indexSelect and joining tensors (cat, stack). */
import { tensorListArg } from '../args.ts';
import { defineOp } from '../autograd/function.ts';
import { promoteTypes } from '../dtype.ts';
import { formatShape, normalizeDim } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { commonDevice, emptyTensor, launchAssign, launchGather, launchScatterAdd } from './kernels.ts';

function checkIndex(x: Tensor, dim: number, index: Tensor, what: string): number {
  if (index.dtype !== 'int32') throw new TypeError(`${what}(): Expected dtype int32 for index, but got ${index.dtype}`);
  return normalizeDim(dim, x.ndim);
}

const gatherOp: (x: Tensor, dim: number, index: Tensor) => Tensor = defineOp(
  'GatherBackward0',
  (ctx, x: Tensor, dim: number, index: Tensor) => {
    ctx.inputShape = x.shape;
    ctx.dim = dim;
    ctx.saveForBackward(index);
    return launchGather(x, dim, index);
  },
  (ctx, g) => {
    const [index] = ctx.savedTensors;
    return [scatterAddOp(zerosOf(ctx.inputShape as number[], g), ctx.dim as number, index!, g), null, null];
  },
);

const scatterAddOp: (base: Tensor, dim: number, index: Tensor, src: Tensor) => Tensor = defineOp(
  'ScatterAddBackward0',
  (ctx, base: Tensor, dim: number, index: Tensor, src: Tensor) => {
    ctx.dim = dim;
    ctx.saveForBackward(index);
    const added = launchScatterAdd(base.shape, dim, index, src);
    return added.add(base);
  },
  (ctx, g) => {
    const [index] = ctx.savedTensors;
    return [g, null, null, gatherOp(g, ctx.dim as number, index!)];
  },
);

function zerosOf(shape: readonly number[], like: Tensor): Tensor {
  return emptyTensor(shape, like.dtype, like.device);
}

/** torch.gather: out[i][j] = x[i][index[i][j]] along dim 1 (any dim). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = checkIndex(x, dim, index, 'gather');
  if (index.ndim !== x.ndim) {
    throw new RangeError(
      `Index tensor must have the same number of dimensions as input tensor (${index.ndim} vs ${x.ndim})`,
    );
  }
  index.shape.forEach((s, i) => {
    if (i !== d && s > x.shape[i]!) {
      throw new RangeError(
        `Size does not match at dimension ${i} expected index ${formatShape(index.shape)} to be smaller than self ${formatShape(x.shape)} apart from dimension ${d}`,
      );
    }
  });
  return gatherOp(x, d, index);
}

/** x.scatterAdd(dim, index, src): out-of-place torch.scatter_add. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = checkIndex(x, dim, index, 'scatter_add');
  return scatterAddOp(x, d, index, src.dtype === x.dtype ? src : src.to(x.dtype));
}

/** Rows (or slices along dim) picked by a 1-D index, as a gather over an expanded index. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = checkIndex(x, dim, index, 'index_select');
  if (index.ndim > 1) throw new RangeError('index_select(): Index is supposed to be a vector');
  const n = index.numel();
  const shape = x.shape.map((s, i) => (i === d ? n : s));
  const viewShape = x.shape.map((_, i) => (i === d ? n : 1));
  return gatherOp(x, d, index.reshape(viewShape).expand(shape));
}

const catOp = defineOp(
  'CatBackward0',
  (ctx, dim: number, ...tensors: Tensor[]) => {
    ctx.sizes = tensors.map((t) => t.shape[dim]!);
    ctx.dim = dim;
    const shape = [...tensors[0]!.shape];
    shape[dim] = tensors.reduce((s, t) => s + t.shape[dim]!, 0);
    const out = emptyTensor(shape, tensors[0]!.dtype, tensors[0]!.device);
    let start = 0;
    for (const t of tensors) {
      launchAssign(out.slice(dim, start, start + t.shape[dim]!), t);
      start += t.shape[dim]!;
    }
    return out;
  },
  (ctx, g) => [null, ...g.split(ctx.sizes as number[], ctx.dim as number)],
);

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  tensorListArg('torch.cat', 'tensors', 1, tensors);
  if (tensors.length === 0) throw new RangeError('torch.cat(): expected a non-empty list of Tensors');
  commonDevice(tensors);
  const ref = tensors[0]!;
  const d = normalizeDim(dim, ref.ndim);
  tensors.forEach((t, i) => {
    if (t.ndim !== ref.ndim || t.shape.some((s, j) => j !== d && s !== ref.shape[j])) {
      throw new RangeError(
        `Sizes of tensors must match except in dimension ${d}. Expected ${formatShape(ref.shape)} but got ${formatShape(t.shape)} for tensor number ${i} in the list.`,
      );
    }
  });
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  return catOp(d, ...tensors.map((t) => (t.dtype === dtype ? t : t.to(dtype))));
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  tensorListArg('torch.stack', 'tensors', 1, tensors);
  if (tensors.length === 0) throw new RangeError('stack expects a non-empty TensorList');
  const ref = tensors[0]!;
  tensors.forEach((t, i) => {
    if (t.ndim !== ref.ndim || t.shape.some((s, j) => s !== ref.shape[j])) {
      throw new RangeError(
        `stack expects each tensor to be equal size, but got ${formatShape(ref.shape)} at entry 0 and ${formatShape(t.shape)} at entry ${i}`,
      );
    }
  });
  const d = normalizeDim(dim, ref.ndim + 1);
  return cat(
    tensors.map((t) => t.unsqueeze(d)),
    d,
  );
}
