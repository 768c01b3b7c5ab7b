import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices, hasFloat64 } from '../../helpers/devices.ts';
import { expectExact, expectIndexError } from '../../helpers/assert.ts';

describe.each(devices)('cat and stack (%s)', (device) => {
  const a = () =>
    torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32', device },
    );
  const b = () => torch.tensor([[5, 6]], { dtype: 'float32', device });

  it('cat joins along an existing dim', async () => {
    await expectExact(torch.cat([a(), b()]), [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    await expectExact(torch.cat([a(), b().t()], 1), [
      [1, 2, 5],
      [3, 4, 6],
    ]);
    await expectExact(torch.cat([a(), a()], -1), [
      [1, 2, 1, 2],
      [3, 4, 3, 4],
    ]);
    await expectExact(torch.cat([a().t(), b()], 0), [
      [1, 3],
      [2, 4],
      [5, 6],
    ]);
    const mixed = torch.cat([torch.tensor([[7, 8]], { device }), a()]);
    expect(mixed.dtype).toBe('float32');
    await expectExact(mixed, [
      [7, 8],
      [1, 2],
      [3, 4],
    ]);
    if (hasFloat64(device))
      expect(torch.cat([a(), torch.tensor([[1, 1]], { dtype: 'float64', device })]).dtype).toBe('float64');
    expect(() => torch.cat([a(), b()], 1)).toThrow(
      'Sizes of tensors must match except in dimension 1. Expected [2, 2] but got [1, 2] for tensor number 1 in the list.',
    );
    expect(() => torch.cat([])).toThrow(/non-empty list of Tensors/);
  });

  it('stack adds a new dim', async () => {
    const x = torch.tensor([1, 2], { device });
    const y = torch.tensor([3, 4], { device });
    await expectExact(torch.stack([x, y]), [
      [1, 2],
      [3, 4],
    ]);
    await expectExact(torch.stack([x, y], 1), [
      [1, 3],
      [2, 4],
    ]);
    await expectExact(torch.stack([x, y], -1), [
      [1, 3],
      [2, 4],
    ]);
    expect(() => torch.stack([x, torch.tensor([1, 2, 3], { device })])).toThrow(
      'stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1',
    );
  });
});

describe.each(devices)('gather, scatterAdd, indexSelect (%s)', (device) => {
  const x = () =>
    torch.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float32', device },
    );
  const idx = (v: number[][] | number[]) => torch.tensor(v, { dtype: 'int32', device });

  it('gather picks along a dim: out[i][j] = x[i][index[i][j]] (dim 1)', async () => {
    await expectExact(
      x().gather(
        1,
        idx([
          [2, 0],
          [1, 1],
        ]),
      ),
      [
        [3, 1],
        [5, 5],
      ],
    );
    await expectExact(torch.gather(x(), 0, idx([[1, 0, 1]])), [[4, 2, 6]]);
    await expectExact(x().gather(-1, idx([[0], [2]])), [[1], [6]]);
    await expectIndexError(() => x().gather(1, idx([[3]])), 'index 3 is out of bounds for dimension 1 with size 3');
    await expectIndexError(
      () => x().gather(0, idx([[0, -3, 0]])),
      'index -3 is out of bounds for dimension 0 with size 2',
    );
    // A negative index counts from the end.
    await expectExact(x().gather(1, idx([[-1], [-3]])), [[3], [4]]);
    expect(() => x().gather(1, idx([0, 1]))).toThrow(
      'Index tensor must have the same number of dimensions as input tensor (1 vs 2)',
    );
    expect(() => x().gather(1, torch.tensor([[0.5]], { device }))).toThrow(
      'gather(): Expected dtype int32 for index, but got float32',
    );
    expect(() => x().gather(1, idx([[0], [0], [0]]))).toThrow(/Size does not match at dimension 0/);
  });

  it('scatterAdd sums duplicates', async () => {
    const base = torch.zeros(2, 3, { device });
    const src = torch.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float32', device },
    );
    await expectExact(
      base.scatterAdd(
        1,
        idx([
          [0, 0, 2],
          [1, 1, 1],
        ]),
        src,
      ),
      [
        [3, 0, 3],
        [0, 15, 0],
      ],
    );
    await expectExact(
      torch.ones(3, { device }).scatterAdd(0, idx([2, 2]), torch.tensor([1, 1], { dtype: 'float32', device })),
      [1, 1, 3],
    );
    await expectExact(
      torch.zeros(3, { device }).scatterAdd(0, idx([-1, 0]), torch.tensor([1, 2], { dtype: 'float32', device })),
      [2, 0, 1],
    );
    await expectIndexError(
      () => torch.zeros(2, 3, { device }).scatterAdd(1, idx([[0, 3]]), torch.ones(1, 2, { device })),
      'index 3 is out of bounds for dimension 1 with size 3',
    );
  });

  it('indexSelect picks whole slices, with repeats', async () => {
    await expectExact(x().indexSelect(0, idx([1, 0, 1])), [
      [4, 5, 6],
      [1, 2, 3],
      [4, 5, 6],
    ]);
    await expectExact(torch.indexSelect(x(), 1, idx([2, 0])), [
      [3, 1],
      [6, 4],
    ]);
    await expectExact(
      x()
        .t()
        .indexSelect(1, idx([1])),
      [[4], [5], [6]],
    );
    expect(() => x().indexSelect(0, idx([[0]]))).toThrow('index_select(): Index is supposed to be a vector');
    await expectIndexError(() => x().indexSelect(0, idx([2])), 'index 2 is out of bounds for dimension 0 with size 2');
    await expectIndexError(
      () => x().indexSelect(1, idx([0, 5])),
      'index 5 is out of bounds for dimension 1 with size 3',
    );
  });

  it('clone copies: a new storage with the same values', async () => {
    const t = x().t();
    const c = t.clone();
    expect(c.storage).not.toBe(t.storage);
    await expectExact(c, [
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    c.zero_();
    await expectExact(t, [
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    await expectExact(torch.clone(t), [
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });
});
