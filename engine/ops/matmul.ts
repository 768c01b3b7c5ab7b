/** Matrix products: matmul's 1-D/2-D/batched rules, mm, bmm and dot, over one batched kernel. */
import { defineOp } from '../autograd/function.ts';
import { isGradEnabled } from '../autograd/grad-mode.ts';
import { isFloatingPoint, isHalfPrecision, promoteTypes } from '../dtype.ts';
import { broadcastShapes, formatShape } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { toAutocastDtype } from '../amp/autocast.ts';
import { launchBinary, launchMatmul, launchReduce, launchUnary } from './kernels.ts';

/** [..., M, K] @ [..., K, N] with broadcast batch dims; both operands at least 2-D. */
const batchedOp = defineOp(
  'MmBackward0',
  (ctx, a: Tensor, b: Tensor) => {
    ctx.saveForBackward(ctx.needsInputGrad[1] ? a : null, ctx.needsInputGrad[0] ? b : null);
    ctx.columnMajor = [columnMajor(a), columnMajor(b)];
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return launchMatmul(a, b, [...batch, a.shape[a.ndim - 2]!, b.shape[b.ndim - 1]!], a.dtype);
  },
  (ctx, g) => {
    const [a, b] = ctx.savedTensors;
    const [aColumns, bColumns] = ctx.columnMajor as [boolean, boolean];
    const t = (x: Tensor) => x.transpose(-1, -2);
    // dA = g·Bᵀ and dB = Aᵀ·g; broadcast batch dims are summed away by the engine. For an operand
    // stored column-major (nn.Linear's weight, seen through .t()) the gradient is computed as the
    // transpose of the transposed product, so it comes out in the operand's own layout and reaches
    // .grad without a strided copy. Each element is the same sum of the same products in the same
    // order either way, so the values are identical.
    const gradA = b ? (aColumns ? t(b.matmul(t(g))) : g.matmul(t(b))) : null;
    const gradB = a ? (bColumns ? t(t(g).matmul(a)) : t(a).matmul(g)) : null;
    return [gradA, gradB];
  },
);

/** Whether the last two dims are laid out column by column (a transposed contiguous matrix). */
function columnMajor(x: Tensor): boolean {
  const n = x.ndim;
  const [rows, cols, rowStride, colStride] = [x.shape[n - 2]!, x.shape[n - 1]!, x.strides[n - 2]!, x.strides[n - 1]!];
  return rows > 1 && cols > 1 && rowStride === 1 && colStride === rows;
}

function checkInner(a: Tensor, b: Tensor, k1: number, k2: number, what: string): void {
  if (k1 !== k2) {
    const fmt = (t: Tensor) => (t.ndim === 1 ? `${t.shape[0]}` : `${t.shape.slice(-2).join('x')}`);
    throw new RangeError(
      what === 'mm'
        ? `mat1 and mat2 shapes cannot be multiplied (${fmt(a)} and ${fmt(b)})`
        : `matmul: inner dimensions do not match: ${formatShape(a.shape)} @ ${formatShape(b.shape)} (${k1} vs ${k2})`,
    );
  }
}

function sameDtype(a: Tensor, b: Tensor): [Tensor, Tensor] {
  if (a.dtype === b.dtype) return [a, b];
  const dtype = promoteTypes(a.dtype, b.dtype);
  return [a.to(dtype), b.to(dtype)];
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(`both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`);
  }
  // autocast's low-precision list: matmul (and so linear and conv) run in the region's dtype.
  [a, b] = sameDtype(toAutocastDtype(a), toAutocastDtype(b));
  const k1 = a.shape[a.ndim - 1]!;
  const k2 = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  checkInner(a, b, k1, k2, a.ndim <= 2 && b.ndim <= 2 ? 'mm' : 'matmul');
  if (a.ndim === 1 && b.ndim === 1) return batchedOp(a.unsqueeze(0), b.unsqueeze(1)).reshape([]);
  if (a.ndim === 1) return batchedOp(a.unsqueeze(0), b).squeeze(-2);
  if (b.ndim === 1) return batchedOp(a, b.unsqueeze(1)).squeeze(-1);
  return batchedOp(a, b);
}

export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new RangeError(
      `mm: expected 2D tensors, but got ${a.ndim}D and ${b.ndim}D (shapes ${formatShape(a.shape)} and ${formatShape(b.shape)})`,
    );
  }
  return matmul(a, b);
}

export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3) {
    throw new RangeError(`batch1 and batch2 must be 3D tensors, but got ${a.ndim}D and ${b.ndim}D`);
  }
  if (a.shape[0] !== b.shape[0]) {
    throw new RangeError(`bmm: batch sizes differ: ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  return matmul(a, b);
}

export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new RangeError(`1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  }
  if (a.shape[0] !== b.shape[0]) {
    throw new RangeError(
      `inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
    );
  }
  return matmul(a, b);
}

/** x [N, in] · wᵀ with w [out, in] contiguous: the transposed view, made without recording a node. */
function transposed(w: Tensor): Tensor {
  return new Tensor(w.storage, [w.shape[1]!, w.shape[0]!], [w.strides[1]!, w.strides[0]!], w.offset);
}

/** nn.Linear's product x [N, in] · wᵀ, w [out, in] contiguous, launched directly (no node). */
export function linearProduct(x: Tensor, w: Tensor): Tensor {
  return launchMatmul(x, transposed(w), [x.shape[0]!, w.shape[0]!], x.dtype);
}

/** linearProduct's gradients for x (g·w, given w) and for w (gᵀ·x, given x) from the product's gradient g. */
export function linearProductGrads(g: Tensor, x: Tensor | null, w: Tensor | null): [Tensor | null, Tensor | null] {
  return [
    w ? launchMatmul(g, w, [g.shape[0]!, w.shape[1]!], g.dtype) : null,
    x ? launchMatmul(transposed(g), x, [g.shape[1]!, x.shape[1]!], g.dtype) : null,
  ];
}

/**
 * x·wᵀ + b as one node (PyTorch's AddmmBackward0): the product, the bias added into it in place, and
 * a backward of two products and a column sum launched directly, where the composed ops record a
 * transpose, the product and the add, and their backwards add three transposes and a sum-to-size
 * each step. The same kernels run on the same views, so the values are the composed ops' bits.
 */
const linearOp = defineOp(
  'AddmmBackward0',
  (ctx, x: Tensor, w: Tensor, b: Tensor) => {
    ctx.saveForBackward(ctx.needsInputGrad[1] ? x : null, ctx.needsInputGrad[0] ? w : null);
    if (isHalfPrecision(x.dtype)) return halfPrecisionAddmm(x, w, b);
    const y = linearProduct(x, w);
    launchBinary('add', y, b, y.dtype, y);
    return y;
  },
  (ctx, g) => {
    const [x, w] = ctx.savedTensors;
    const gradB = ctx.needsInputGrad[2] ? (isGradEnabled() ? g.sum(0) : launchReduce('sum', g, [0])) : null;
    if (isGradEnabled()) {
      // Recorded (createGraph): the same products through differentiable ops.
      return [w ? g.matmul(w) : null, x ? g.t().matmul(x) : null, gradB];
    }
    return [...linearProductGrads(g, x ?? null, w ?? null), gradB];
  },
);

/**
 * PyTorch's 2-byte addmm: the bias is added to the float32 product, then rounded once (the product
 * rounded to 2 bytes and then added to the bias would round twice: 1 ulp off in about a quarter of
 * the outputs). The float32 operands are transient copies; the node saves the 2-byte ones, and its
 * backward's products round each gradient once, as PyTorch's.
 */
function halfPrecisionAddmm(x: Tensor, w: Tensor, b: Tensor): Tensor {
  const float32 = (t: Tensor) => launchUnary('identity', t, 'float32');
  const y = linearProduct(float32(x), float32(w));
  launchBinary('add', y, float32(b), 'float32', y);
  return launchUnary('identity', y, x.dtype);
}

/**
 * nn.functional.linear's common case as linearOp: a 2-D input, a contiguous weight and a bias, one
 * float dtype and device (autocast's casts already made); null otherwise, for the composed ops.
 * torch.compile's trace records it too, and its fuser folds an activation after it into the
 * product's epilogue (compile/fuse.ts).
 */
export function fusedLinear(x: Tensor, w: Tensor, b: Tensor): Tensor | null {
  const plain =
    x.ndim === 2 &&
    w.ndim === 2 &&
    b.ndim === 1 &&
    x.shape[1] === w.shape[1] &&
    b.shape[0] === w.shape[0] &&
    w.strides[0] === w.shape[1] &&
    w.strides[1] === 1 &&
    isFloatingPoint(x.dtype) &&
    x.dtype === w.dtype &&
    x.dtype === b.dtype &&
    x.device === w.device &&
    x.device === b.device;
  return plain ? linearOp(x, w, b) : null;
}
