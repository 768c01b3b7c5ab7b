/**
 * PyTorch's tensor attributes and Tensor.new_* under their PyTorch names: stride(), storageOffset(),
 * nelement(), ndimension(), getDevice(); newZeros/newOnes/newEmpty/newFull/newTensor, typeAs, reshapeAs.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';

describe.each(devices)('tensor attributes (%s)', (device) => {
  it('stride() and stride(dim) are the views’ steps, as PyTorch reports them', () => {
    const x = torch.zeros([2, 3, 4], { device });
    // PyTorch: x.stride() (12, 4, 1); x.transpose(0, 2).stride() (1, 4, 12); x[:, 1].stride() (12, 1),
    // x.expand-ed dims stride 0; x[1].storage_offset() 12.
    expect(x.stride()).toEqual([12, 4, 1]);
    expect(x.stride(0)).toBe(12);
    expect(x.stride(-1)).toBe(1);
    expect(x.transpose(0, 2).stride()).toEqual([1, 4, 12]);
    expect(x.select(1, 1).stride()).toEqual([12, 1]);
    expect(torch.zeros([3, 1], { device }).expand(3, 5).stride()).toEqual([1, 0]);
    expect(x.index(1).storageOffset()).toBe(12);
    expect(x.storageOffset()).toBe(0);
    expect(() => x.stride(3)).toThrow(/Dimension out of range/);
  });

  it('nelement, ndimension, getDevice and isFloatingPoint', () => {
    const x = torch.zeros([2, 3], { device });
    expect([x.nelement(), x.ndimension()]).toEqual([6, 2]);
    expect(x.getDevice()).toBe(device === 'cpu' ? -1 : 0);
    expect(x.isFloatingPoint()).toBe(true);
    expect(x.int().isFloatingPoint()).toBe(false);
  });

  it("new* take this tensor's dtype and device unless told otherwise, as PyTorch's Tensor.new_*", async () => {
    const ints = torch.tensor([1, 2], { device });
    // PyTorch: x.new_tensor([1.5, -2.7]) on an int64 x is tensor([1, -2]); x.new_full((2,), True) tensor([1, 1]).
    const t = ints.newTensor([1.5, -2.7]);
    expect([t.dtype, t.device, await t.toArray()]).toEqual(['int32', device, [1, -2]]);
    expect(await ints.newFull([2], true).toArray()).toEqual([1, 1]);
    const x = torch.ones([2], { device });
    for (const made of [x.newZeros(2, 3), x.newZeros([2, 3]), x.newOnes(2, 3), x.newEmpty([2, 3])]) {
      expect([made.shape, made.dtype, made.device, made.requiresGrad]).toEqual([[2, 3], 'float32', device, false]);
    }
    expect(await x.newOnes(2, 3).sum().item()).toBe(6);
    const z = x.newZeros([1, 2], { dtype: 'int32' });
    expect([z.dtype, await z.toArray()]).toEqual(['int32', [[0, 0]]]);
    expect(x.newFull(3, 7, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => x.newZeros(2, { requires_grad: true } as never)).toThrow("did you mean 'requiresGrad'?");
  });

  it('typeAs and reshapeAs', async () => {
    const x = torch.arange(6, { dtype: 'float32', device });
    expect(x.typeAs(torch.zeros(1, { dtype: 'int32', device })).dtype).toBe('int32');
    expect(await x.reshapeAs(torch.zeros([3, 2], { device })).toArray()).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(() => x.reshapeAs(torch.zeros(4, { device }))).toThrow("shape '[4]' is invalid for input of size 6");
    expect(() => x.typeAs(undefined as never)).toThrow(
      "Tensor.typeAs(): argument 'other' (position 1) must be a Tensor, not undefined",
    );
  });
});
