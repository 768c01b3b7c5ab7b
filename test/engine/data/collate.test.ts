import { describe, expect, it } from 'vitest';
import * as torch from '#engine';

const { defaultCollate, CollateError } = torch.utils.data;

describe('defaultCollate', () => {
  it('stacks tensors along a new dim 0 and turns numbers and booleans into tensors', async () => {
    const batch = defaultCollate([
      [torch.tensor([1, 2]), 3, 0.5, true, 'a'],
      [torch.tensor([4, 5]), 6, 1, false, 'b'],
    ]);
    const [x, ints, floats, bools, strings] = batch as unknown as [
      torch.Tensor,
      torch.Tensor,
      torch.Tensor,
      torch.Tensor,
      string[],
    ];
    expect(x.shape).toEqual([2, 2]);
    expect(await x.toArray()).toEqual([
      [1, 2],
      [4, 5],
    ]);
    expect([ints.dtype, await ints.toArray()]).toEqual(['int32', [3, 6]]);
    expect([floats.dtype, await floats.toArray()]).toEqual(['float32', [0.5, 1]]);
    expect([bools.dtype, await bools.toArray()]).toEqual(['bool', [true, false]]);
    expect(strings).toEqual(['a', 'b']);
  });

  it('collates nested objects and arrays element-wise, recursively', async () => {
    const sample = (i: number) => ({ image: torch.full([1, 2], i), meta: { id: i, tags: [i, torch.tensor(i * 10)] } });
    const batch = defaultCollate([sample(1), sample(2), sample(3)]);
    expect(batch.image.shape).toEqual([3, 1, 2]);
    expect(await batch.meta.id.toArray()).toEqual([1, 2, 3]);
    const [a, b] = batch.meta.tags as unknown as torch.Tensor[];
    expect(await a!.toArray()).toEqual([1, 2, 3]);
    expect(b!.shape).toEqual([3]);
    expect(await b!.toArray()).toEqual([10, 20, 30]);
  });

  it('stacks typed arrays as tensors of their type', async () => {
    const batch = defaultCollate([Float64Array.of(1, 2), Float64Array.of(3, 4)]);
    expect([batch.dtype, batch.shape, await batch.toArray()]).toEqual([
      'float64',
      [2, 2],
      [
        [1, 2],
        [3, 4],
      ],
    ]);
  });

  it('names the entry and the path of what does not fit', () => {
    const mismatch = () => defaultCollate([{ x: [torch.zeros(2)] }, { x: [torch.zeros(2)] }, { x: [torch.zeros(3)] }]);
    expect(mismatch).toThrow(CollateError);
    expect(mismatch).toThrow(
      'stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 2 in x[0]',
    );
    expect(() => defaultCollate([[1, 2], [1]])).toThrow(
      'each element in list of batch should be of equal size: entry 0 has 2 elements, entry 1 has 1',
    );
    expect(() => defaultCollate([1, 'a'])).toThrow('default_collate: entry 0 is number but entry 1 is string');
    expect(() => defaultCollate([{ a: 1 }, { b: 1 }])).toThrow("entry 1 has no key 'a'");
    expect(() => defaultCollate([null])).toThrow(/found null/);
  });
});
