/**
 * The parts of torch's arranging functions that give no tensor to compare with PyTorch's numbers
 * (ops.py pins the values and gradients): isTensor, asTensor's no-copy, broadcastShapes, seeding
 * and generator state, and the errors PyTorch raises, in its words.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';
import { values } from '../../helpers/assert.ts';

describe.each(devices)('arranging tensors (%s)', (device) => {
  it('isTensor, asTensor (itself when dtype and device match), broadcastShapes, atleast*d', async () => {
    const x = torch.ones([2, 3], { device });
    expect([torch.isTensor(x), torch.isTensor([1]), torch.isTensor(1)]).toEqual([true, false, false]);
    expect(torch.asTensor(x)).toBe(x);
    expect(torch.asTensor(x, { dtype: 'int32' }).dtype).toBe('int32');
    expect(await torch.asTensor([1, 2], { device }).toArray()).toEqual([1, 2]);
    expect(torch.broadcastShapes([2, 1], [3], 1)).toEqual([2, 3]);
    expect(() => torch.broadcastShapes([2], [3])).toThrow(
      'The size of tensor a (2) must match the size of tensor b (3)',
    );
    const s = torch.tensor(5, { device });
    expect([torch.atleast1d(s).shape, torch.atleast2d(s).shape, torch.atleast3d(x).shape]).toEqual([
      [1],
      [1, 1],
      [2, 3, 1],
    ]);
    expect(x.broadcastTo(4, 2, 3).shape).toEqual([4, 2, 3]);
  });

  it("raises PyTorch's errors", () => {
    const x = torch.ones([2, 3], { device });
    expect(() => torch.fliplr(torch.ones(3, { device }))).toThrow('Input must be >= 2-d.');
    expect(() => torch.inner(x, torch.ones(4, { device }))).toThrow(
      'inner() the last dimension must match on both input tensors but got shapes [2, 3] and [4]',
    );
    expect(() => torch.roll(x, [1, 2])).toThrow('shifts and dimensions must align. shifts: 2, dims: 0');
    expect(() => torch.rot90(x, 1, [0, 0])).toThrow('expected rotation dims to be different');
    expect(() => torch.vstack([])).toThrow('vstack(): expects a non-empty TensorList');
    expect(() => torch.repeatInterleave(x, torch.ones(2, { device }))).toThrow(
      `"repeat_interleave_${device}" not implemented for 'float32'`,
    );
    expect(() => torch.repeatInterleave(x, torch.tensor([1, 2], { device }), 1, { outputSize: 3 })).toThrow(
      'repeats must have the same size as input along dim',
    );
    expect(() => torch.meshgrid(x, { indexing: 'ji' } as never)).toThrow('indexing must be one of "xy" or "ij"');
    expect(() => torch.quantile(x, 1.5)).toThrow('quantile() q must be in the range [0, 1] but got 1.5');
    expect(() => torch.quantile(x.int(), 0.5)).toThrow('quantile() input tensor must be either float or double dtype');
    expect(() => torch.kthvalue(x, 4, 1)).toThrow('kthvalue(): selected number k out of range for dimension 1');
  });
});

describe('seeding and generator state', () => {
  it('seed() reseeds from entropy and returns the seed; getRngState/setRngState replay the stream', async () => {
    const s = torch.seed();
    expect(Number.isSafeInteger(s)).toBe(true);
    expect(torch.initialSeed()).toBe(s);
    const state = torch.getRngState();
    const first = await values(torch.rand(4));
    torch.setRngState(state);
    expect(await values(torch.rand(4))).toEqual(first);
    expect(() => torch.setRngState({} as never)).toThrow('expected a state from torch.getRngState()');
  });
});
