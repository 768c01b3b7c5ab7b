/**
 * In-place ops (add_, mul_, zero_, copy_, …): the result is computed, written into the tensor's own
 * memory, and the storage's version counter is bumped, so a backward that saved the old values
 * fails clearly instead of computing a wrong gradient.
 */
import { isGradEnabled } from '../autograd/grad-mode.ts';
import type { BinaryOp, UnaryOp } from '../backend/types.ts';
import { canCast, isFloatingPoint, promoteTypes, promoteWithScalar, type DType } from '../dtype.ts';
import { formatShape, broadcastShapes } from '../tensor/shape.ts';
import { Tensor, type TensorLike } from '../tensor/tensor.ts';
import { launchAssign, launchBinary, launchUnary, scalarTensor } from './kernels.ts';

function checkWritable(self: Tensor, name: string): void {
  if (isGradEnabled() && self.isLeaf && self.requiresGrad) {
    throw new Error(
      `a leaf Variable that requires grad is being used in an in-place operation (${name}). ` +
        'Wrap the update in torch.noGrad(() => …), as optimizers do, or use an out-of-place op.',
    );
  }
}

/** An in-place op keeps self's dtype: a result self cannot hold (x.add_(0.5) on an int32 x) is an error, as in torch. */
function checkCast(self: Tensor, result: DType, name: string): void {
  if (!canCast(result, self.dtype))
    throw new TypeError(
      `result type ${result} can't be cast to the desired output type ${self.dtype} (${name}): ` +
        'use the out-of-place op, or make the tensor floating point first (x = x.float())',
    );
}

function write(self: Tensor, result: Tensor, name: string, cast: boolean): void {
  if (!cast) checkCast(self, result.dtype, name);
  const shape = broadcastShapes(self.shape, result.shape);
  if (shape.length !== self.ndim || shape.some((d, i) => d !== self.shape[i])) {
    throw new RangeError(
      `output with shape ${formatShape(self.shape)} doesn't match the broadcast shape ${formatShape(shape)} (${name})`,
    );
  }
  launchAssign(self, result);
  self.storage.version++;
}

/** Writes compute(self) into self; under autograd, self takes over the result's history. */
export function apply<T extends Tensor>(self: T, compute: (x: Tensor) => Tensor, name: string, cast = false): T {
  checkWritable(self, name);
  const result = compute(self);
  write(self, result, name, cast);
  if (result.gradFn && isGradEnabled()) self._setGradFn(result.gradFn);
  return self;
}

/**
 * self op= other. When autograd is not recording (optimizer steps, noGrad code) the kernel writes
 * straight into self's memory: no temporary and no second pass.
 */
export function binary<T extends Tensor>(self: T, op: BinaryOp, other: TensorLike, compute: (x: Tensor) => Tensor): T {
  const recording = isGradEnabled() && (self.requiresGrad || (other instanceof Tensor && other.requiresGrad));
  if (recording) return apply(self, compute, `${op}_`);
  const promoted =
    other instanceof Tensor ? promoteTypes(self.dtype, other.dtype) : promoteWithScalar(self.dtype, other);
  // True division of integers is a float, as out-of-place div makes it.
  checkCast(self, op === 'div' && !isFloatingPoint(promoted) ? 'float32' : promoted, `${op}_`);
  const operand = other instanceof Tensor ? other : scalarTensor(other, self.dtype, self.device);
  launchBinary(op, self, operand.dtype === self.dtype ? operand : operand.to(self.dtype), self.dtype, self);
  self.storage.version++;
  return self;
}

/**
 * op(self) written into self. A floating-point tensor outside autograd's recording is read and
 * written by one kernel in place (each element is read before it is written): no temporary.
 */
export function unary<T extends Tensor>(self: T, op: UnaryOp, compute: (x: Tensor) => Tensor): T {
  if ((isGradEnabled() && self.requiresGrad) || !isFloatingPoint(self.dtype)) return apply(self, compute, `${op}_`);
  launchUnary(op, self, self.dtype, self);
  self.storage.version++;
  return self;
}

export function copy<T extends Tensor>(self: T, src: Tensor): T {
  // Through clone() when src requires grad, so self gets a node of its own whose edge reaches src
  // (a leaf src has no node self could borrow, and src's node has src's shape, not self's).
  return apply(
    self,
    () => {
      const moved = src.device === self.device ? src : src.to(self.device);
      return moved.requiresGrad ? moved.clone() : moved;
    },
    'copy_',
    true, // copy_ converts to self's dtype, as torch's does
  );
}

export function fill<T extends Tensor>(self: T, value: number): T {
  checkWritable(self, 'fill_');
  write(self, scalarTensor(value, self.dtype, self.device), 'fill_', true);
  return self;
}
