import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';
import { expectExact, expectTensor, values } from '../../helpers/assert.ts';

// sort / argsort / topk (one argsort primitive per backend), diagonal, bincount, histc and cdist,
// against values PyTorch gives for the same inputs.
describe.each(devices)('sort, argsort, topk (%s)', (device) => {
  it('sorts along a dim, stable, NaN above every number', async () => {
    const x = torch.tensor(
      [
        [3, 1, NaN, 1, -Infinity, Infinity],
        [0, -2, 5, 5, 2, -2],
      ],
      { dtype: 'float32', device },
    );
    const up = x.sort();
    await expectExact(up.indices, [
      [4, 1, 3, 0, 5, 2],
      [1, 5, 0, 4, 2, 3],
    ]);
    expect(await values(up.values.index(0))).toEqual([-Infinity, 1, 1, 3, Infinity, NaN]);
    const down = torch.sort(x, { dim: 1, descending: true });
    await expectExact(down.indices, [
      [2, 5, 0, 1, 3, 4],
      [2, 3, 4, 0, 1, 5],
    ]);
    await expectExact(x.argsort(0, true), [
      [0, 0, 0, 1, 1, 0],
      [1, 1, 1, 0, 0, 1],
    ]);
    await expectExact(torch.tensor([4, 2, 9], { dtype: 'int32', device }).argsort(), [1, 0, 2]);
    expect(() => x.sort(2)).toThrow(/Dimension out of range/);
  });

  it('sort sends the gradient back to where each value came from', async () => {
    const x = torch.tensor([2, 0, 1], { dtype: 'float32', device, requiresGrad: true });
    x.sort()
      .values.mul(torch.tensor([10, 20, 30], { device }))
      .sum()
      .backward();
    await expectExact(x.grad!, [30, 10, 20]);
  });

  it('topk takes the k largest (or smallest) in order, with gradients', async () => {
    const x = torch.tensor([[1, 7, 3, 7, 5]], { dtype: 'float32', device, requiresGrad: true });
    const top = x.topk(3);
    await expectExact(top.values, [[7, 7, 5]]);
    await expectExact(top.indices, [[1, 3, 4]]);
    await expectExact(torch.topk(x, 2, { largest: false }).indices, [[0, 2]]);
    top.values.sum().backward();
    await expectExact(x.grad!, [[0, 1, 0, 1, 1]]);
    expect(() => x.topk(6)).toThrow(/selected index k out of range/);
  });

  it('diagonal is a view, with offsets, and its gradient fills the diagonal', async () => {
    const m = torch.arange(12, { device }).reshape(3, 4).float().requiresGrad_();
    await expectExact(m.diagonal(), [0, 5, 10]);
    await expectExact(torch.diagonal(m, 1), [1, 6, 11]);
    await expectExact(m.diagonal(-1), [4, 9]);
    await expectExact(m.diagonal(0, 1, 0), [0, 5, 10]);
    m.diagonal(1).sum().backward();
    await expectExact(m.grad!, [
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
    expect(() => torch.tensor([1, 2], { device }).diagonal()).toThrow(/requires ndim larger than 1/);
  });
});

describe.each(devices)('bincount, histc, cdist (%s)', (device) => {
  it('bincount counts values, or sums weights, with minlength', async () => {
    const x = torch.tensor([1, 3, 1, 0], { dtype: 'int32', device });
    await expectExact(x.bincount({ minlength: device === 'cpu' ? 0 : 4 }), [1, 2, 0, 1]);
    await expectExact(torch.bincount(x, { minlength: 6 }), [1, 2, 0, 1, 0, 0]);
    const w = torch.tensor([0.5, 1, 0.25, 2], { device });
    await expectTensor(x.bincount({ weights: w, minlength: 4 }), [2, 0.75, 0, 1]);
    expect(() => torch.tensor([1.5], { device }).bincount()).toThrow(/1-d non-negative integral/);
    if (device === 'cpu') {
      expect(() => torch.tensor([-1], { dtype: 'int32' }).bincount()).toThrow(/non-negative/);
    } else {
      expect(() => x.bincount()).toThrow(/needs minlength/);
    }
  });

  it('histc bins values over [min, max], max in the last bin', async () => {
    const x = torch.tensor([0, 0.5, 1, 2, 2, 4, 5], { device });
    await expectTensor(x.histc(4, 0, 4), [2, 1, 2, 1]);
    if (device === 'cpu')
      await expectTensor(torch.histc(torch.tensor([1, 2, 1], { dtype: 'float32' }), 4), [2, 0, 0, 1]);
  });

  it('cdist gives p-norm distances, through the matmul form past 25 rows', async () => {
    const a = torch.tensor(
      [
        [0, 0],
        [3, 4],
      ],
      { dtype: 'float32', device },
    );
    const b = torch.tensor(
      [
        [0, 0],
        [1, 1],
        [-3, 0],
      ],
      { dtype: 'float32', device },
    );
    await expectTensor(torch.cdist(a, b), [
      [0, Math.SQRT2, 3],
      [5, Math.sqrt(13), Math.sqrt(52)],
    ]);
    await expectTensor(torch.cdist(a, b, 1), [
      [0, 2, 3],
      [7, 5, 10],
    ]);
    await expectTensor(torch.cdist(a, b, Infinity), [
      [0, 1, 3],
      [4, 3, 6],
    ]);
    const big = torch.randn([30, 5], { generator: new torch.Generator(1) }).to(device);
    const direct = big.unsqueeze(1).sub(big.unsqueeze(0)).pow(2).sum(-1);
    // Squared: the matmul form ‖x‖² + ‖y‖² − 2x·y cancels to ~1e-6 on the diagonal (as PyTorch's
    // does), which the square root would blow up to ~1e-3.
    await expectTensor(torch.cdist(big, big).pow(2), await direct.toArray(), { atol: 1e-4, rtol: 1e-3 });
    // A zero distance has gradient 0, not NaN.
    const x = torch.tensor(
      [
        [1, 2],
        [1, 2],
      ],
      { dtype: 'float32', device, requiresGrad: true },
    );
    torch.cdist(x, x).sum().backward();
    await expectExact(x.grad!, [
      [0, 0],
      [0, 0],
    ]);
    expect(() => torch.cdist(a, torch.ones([2, 3], { device }))).toThrow(/same number of columns/);
  });
});
