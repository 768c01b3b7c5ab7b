import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { encodePng } from '#engine/io/png';
import { datasets, transforms } from '#engine/vision';

const root = mkdtempSync(join(tmpdir(), 'torchlings-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function png(path: string, value: number) {
  writeFileSync(path, encodePng({ width: 3, height: 2, channels: 3, data: new Uint8Array(18).fill(value) }));
}
for (const cls of ['dog', 'cat']) mkdirSync(join(root, cls));
png(join(root, 'dog', 'b.png'), 30);
png(join(root, 'dog', 'a.png'), 20);
png(join(root, 'cat', 'x.png'), 10);
writeFileSync(join(root, 'cat', 'notes.txt'), 'not an image');

describe('datasets.ImageFolder', () => {
  it('lists classes in sorted order and samples class by class', () => {
    const ds = new datasets.ImageFolder(root);
    expect(ds.classes).toEqual(['cat', 'dog']);
    expect(ds.classToIdx).toEqual({ cat: 0, dog: 1 });
    expect(ds.samples).toEqual([
      [join(root, 'cat', 'x.png'), 0],
      [join(root, 'dog', 'a.png'), 1],
      [join(root, 'dog', 'b.png'), 1],
    ]);
    expect(ds.targets).toEqual([0, 1, 1]);
  });

  it('decodes PNGs into transformed items that batch', async () => {
    const ds = new datasets.ImageFolder(root, {
      transform: new transforms.Compose([new transforms.ToTensor(), new transforms.Resize(4)]),
    });
    const [x, y] = ds.getItem(2);
    expect([x.shape, y]).toEqual([[3, 4, 6], 1]);
    expect(await x.max().item()).toBeCloseTo(30 / 255, 6);
    const batches: unknown[] = [];
    for await (const [xb, yb] of new torch.utils.data.DataLoader(ds, { batchSize: 2 }))
      batches.push([xb.shape, await yb.toArray()]);
    expect(batches).toEqual([
      [
        [2, 3, 4, 6],
        [0, 1],
      ],
      [[1, 3, 4, 6], [1]],
    ]);
    expect(ds.getItem(0)[0].shape).toEqual([3, 4, 6]);
  });

  it('names the directory when it is missing', () => {
    expect(() => new datasets.ImageFolder(join(root, 'nope'))).toThrow(/root directory .*nope does not exist/);
  });
});
