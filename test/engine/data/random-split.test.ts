import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';

const { randomSplit, TensorDataset, Subset, ConcatDataset, DataLoader } = torch.utils.data;

describe('randomSplit, Subset, ConcatDataset', () => {
  it('splits into disjoint subsets that cover the dataset', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 1000 }),
        (lengths, seed) => {
          const n = lengths.reduce((a, b) => a + b, 0);
          const parts = randomSplit(
            new TensorDataset(torch.arange(0, Math.max(n, 1)).slice(0, 0, n)),
            lengths,
            new torch.Generator(seed),
          );
          expect(parts.map((p) => p.length)).toEqual(lengths);
          const all = parts.flatMap((p) => [...p.indices]);
          expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        },
      ),
    );
  });

  it('turns fractions into lengths as PyTorch does (remainder round-robin from the first)', () => {
    const ds = new TensorDataset(torch.arange(0, 10));
    expect(randomSplit(ds, [0.25, 0.25, 0.5]).map((s) => s.length)).toEqual([3, 2, 5]);
    expect(() => randomSplit(ds, [3, 3])).toThrow(
      'Sum of input lengths (6) does not equal the length of the input dataset (10)!',
    );
  });

  it('is reproducible with the same generator seed', () => {
    const ds = new TensorDataset(torch.arange(0, 50));
    const split = (seed: number) => randomSplit(ds, [20, 30], new torch.Generator(seed)).map((s) => [...s.indices]);
    expect(split(1)).toEqual(split(1));
    expect(split(1)).not.toEqual(split(2));
  });

  it('keeps the batch fast path through a Subset and reads items through both', async () => {
    const ds = new TensorDataset(torch.arange(0, 10).mul(10));
    const sub = new Subset(ds, [9, 2, 5]);
    expect(await (await sub.getItem(-1))[0]!.item()).toBe(50);
    const batches: unknown[] = [];
    for await (const [x] of new DataLoader(sub, { batchSize: 2 })) batches.push(await x.toArray());
    expect(batches).toEqual([[90, 20], [50]]);
    const cat = new ConcatDataset([ds, sub]);
    expect(cat.length).toBe(13);
    expect(await (await cat.getItem(11))[0]!.item()).toBe(20);
    expect(() => sub.getItem(3)).toThrow('Subset: index 3 is out of range for a dataset of length 3');
  });
});
