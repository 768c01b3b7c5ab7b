/**
 * torch.nn.Parameter: a tensor that a Module lists among its parameters. It shares memory with the
 * tensor it wraps (as PyTorch's does) and is a leaf that requires grad unless told otherwise.
 */
import { tensorArg } from '../args.ts';
import { zeros } from '../tensor/create.ts';
import { Tensor } from '../tensor/tensor.ts';

export class Parameter extends Tensor {
  constructor(data: Tensor | null = zeros([0]), requiresGrad = true) {
    // PyTorch's Parameter(None) is an empty one.
    const t = data === null ? zeros([0]) : tensorArg('torch.nn.Parameter', 'data', 1, data);
    super(t.storage, t.shape, t.strides, t.offset);
    this.requiresGrad_(requiresGrad);
  }

  /**
   * PyTorch's `param.data = t`: this same object now views t's memory, so whoever holds the
   * Parameter (an optimizer) sees the new values, device or dtype. Module.to() relies on it.
   */
  _setData(t: Tensor): void {
    if (t.requiresGrad && !t.isLeaf) throw new Error('_setData expects a tensor without history (call detach() first)');
    Object.assign(this, { storage: t.storage, shape: t.shape, strides: t.strides, offset: t.offset });
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
