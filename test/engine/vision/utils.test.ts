import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { io, utils } from '#engine/vision';
import { devices } from '../../helpers/devices.ts';
import { expectExact, expectTensor } from '../../helpers/assert.ts';

// torchvision.utils.make_grid / save_image: layout, padding and normalisation as torchvision's.
describe.each(devices)('makeGrid and saveImage (%s)', (device) => {
  it('tiles nrow images per row with padding around and between, gray made RGB', async () => {
    // Five 2×2 gray images holding 1…5, two per row, padding 1 of value 9.
    const x = torch.arange(1, 6, { device }).float().reshape(5, 1, 1, 1).expand(5, 1, 2, 2);
    const grid = utils.makeGrid(x, { nrow: 2, padding: 1, padValue: 9 });
    expect(grid.shape).toEqual([3, 3 * 3 + 1, 2 * 3 + 1]);
    const row = (a: number, b: number) => [9, a, a, 9, b, b, 9];
    const pad = [9, 9, 9, 9, 9, 9, 9];
    const plane = [pad, row(1, 2), row(1, 2), pad, row(3, 4), row(3, 4), pad, row(5, 9), row(5, 9), pad];
    await expectExact(grid, [plane, plane, plane]);
    // One image comes back without padding.
    expect(utils.makeGrid(x.slice(0, 0, 1)).shape).toEqual([3, 2, 2]);
  });

  it('normalize maps the range (or each image, or valueRange) to [0, 1]', async () => {
    const x = torch.tensor([[[[0, 2]]], [[[4, 8]]]], { dtype: 'float32', device });
    const all = utils.makeGrid(x, { padding: 0, normalize: true });
    await expectTensor(all.index(0), [[0, 0.25, 0.5, 1]]);
    const each = utils.makeGrid(x, { padding: 0, normalize: true, scaleEach: true });
    await expectTensor(each.index(0), [[0, 1, 0, 1]]);
    const clamped = utils.makeGrid(x, { padding: 0, normalize: true, valueRange: [2, 4] });
    await expectTensor(clamped.index(0), [[0, 0, 1, 1]]);
  });

  it('saveImage writes the bytes trunc(v·255 + 0.5) as an RGB PNG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchlings-save-image-'));
    try {
      const x = torch.tensor([[[0, 0.5, 1, 2]]], { dtype: 'float32', device });
      await utils.saveImage(x, join(dir, 'a.png'));
      const back = await io.readImage(join(dir, 'a.png'));
      expect(back.shape).toEqual([3, 1, 4]);
      await expectExact(back.index(0), [[0, 128, 255, 255]]);
      await expect(utils.saveImage(x, join(dir, 'a.jpg'))).rejects.toThrow(/PNG only/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
