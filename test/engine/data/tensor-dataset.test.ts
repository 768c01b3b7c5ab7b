import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';

const { TensorDataset } = torch.utils.data;

/** What getBatch must equal: the rows indexed one by one, stacked (PyTorch's default collate of t[i]). */
async function byItem(t: torch.Tensor, rows: number[]): Promise<unknown> {
  return torch.stack(rows.map((r) => t.index(r))).toArray();
}

describe.each(devices)('TensorDataset batches (%s)', (device) => {
  // Every layout a dataset's tensor can have: rows back to back, rows with a stride between them
  // (a step along dim 0, an expanded dim 0), and rows whose own elements are apart (a transpose).
  const layouts: [string, (base: torch.Tensor) => torch.Tensor][] = [
    ['contiguous', (b) => b],
    ['every other row', (b) => b.slice(0, 0, b.shape[0]!, 2)],
    ['rows from an offset', (b) => b.slice(0, 1, b.shape[0]!)],
    ['transposed rows', (b) => b.transpose(1, 2)],
    ['one row expanded', (b) => b.slice(0, 0, 1).expand(b.shape[0]!, -1, -1)],
  ];

  it.each(layouts)('equal the rows taken one by one: %s', async (_, layout) => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 9 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 1000 }),
        async (n, cols, inner, seed) => {
          torch.manualSeed(seed);
          const x = layout(torch.randn([n, cols, inner], { device }));
          const y = layout(torch.randint(0, 10, [n, cols, inner], { device })).sum(2);
          const rows = Array.from({ length: 5 }, (_, i) => (seed + 7 * i) % x.shape[0]!);
          const [bx, by] = await new TensorDataset(x, y).getBatch(rows);
          expect(bx!.shape).toEqual([rows.length, ...x.shape.slice(1)]);
          expect(await bx!.toArray()).toEqual(await byItem(x, rows));
          expect(await by!.toArray()).toEqual(await byItem(y, rows));
          expect(by!.dtype).toBe('int32');
        },
      ),
      { numRuns: 15 },
    );
  });

  it('read the tensor as it is now: an in-place write shows in the next batch, not in one already made', async () => {
    const x = torch.arange(12, { device }).reshape(4, 3).float();
    const data = new TensorDataset(x);
    const [before] = await data.getBatch([2, 0]);
    x.mul_(10);
    const [after] = await data.getBatch([2, 0]);
    expect(await before!.toArray()).toEqual([
      [6, 7, 8],
      [0, 1, 2],
    ]);
    expect(await after!.toArray()).toEqual([
      [60, 70, 80],
      [0, 10, 20],
    ]);
  });

  it('a batch is a tensor of its own: writing to it leaves the dataset alone', async () => {
    const x = torch.arange(6, { device }).reshape(3, 2).float();
    const [b] = await new TensorDataset(x).getBatch([1]);
    b!.fill_(-1);
    expect(await x.toArray()).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });
});
