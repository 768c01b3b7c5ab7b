import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';

// PyTorch 1.13's answers, for the same inputs, are in the comments.
describe.each(devices)('nonzero (%s)', (device) => {
  it('lists the nonzero elements (NaN counts) in row-major order as [n, ndim] int32 rows', async () => {
    const x = torch.tensor(
      [
        [0, 1, 0],
        [NaN, 0, -2],
      ],
      { device },
    );
    const idx = await torch.nonzero(x);
    expect([idx.dtype, idx.device, idx.shape]).toEqual(['int32', device, [3, 2]]);
    expect(await idx.toArray()).toEqual([
      [0, 1],
      [1, 0],
      [1, 2],
    ]); // tensor([[0, 1], [1, 0], [1, 2]])
    expect(await (await x.gt(0).nonzero()).toArray()).toEqual([[0, 1]]);
  });

  it('with asTuple gives one index tensor per dim, which indexes the same elements back', async () => {
    const x = torch.tensor(
      [
        [0, 1],
        [2, 0],
      ],
      { device },
    );
    const [rows, cols] = await x.nonzero({ asTuple: true }); // (tensor([0, 1]), tensor([1, 0]))
    expect([await rows!.toArray(), await cols!.toArray()]).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(await x.flatten().indexSelect(0, rows!.mul(2).add(cols!)).toArray()).toEqual([1, 2]);
  });

  it('takes 0-d and empty inputs as PyTorch does', async () => {
    expect((await torch.nonzero(torch.tensor(3, { device }))).shape).toEqual([1, 0]); // size=(1, 0)
    expect((await torch.nonzero(torch.tensor(0, { device }))).shape).toEqual([0, 0]);
    const [only] = await torch.nonzero(torch.tensor(3, { device }), { asTuple: true }); // (tensor([0]),)
    expect(await only!.toArray()).toEqual([0]);
    expect((await torch.nonzero(torch.zeros([2, 0], { device }))).shape).toEqual([0, 2]);
    await expect(torch.nonzero(torch.ones(2, { device }), { asTupel: true } as object)).rejects.toThrow(/asTupel/);
  });
});
