import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';
import { expectExact, values } from '../../helpers/assert.ts';
import { permute as refPermute, size } from '../../helpers/reference.ts';

/** 0, 1, 2, … as a float32 tensor of `shape`. */
function iota(shape: number[], device: torch.Device): torch.Tensor {
  return torch.arange(size(shape), { dtype: 'float32', device }).reshape(shape);
}

describe.each(devices)('views share storage (%s)', (device) => {
  const views: [string, (x: torch.Tensor) => torch.Tensor][] = [
    ['view', (x) => x.view(3, 4)],
    ['view(-1)', (x) => x.view(-1)],
    ['reshape of a contiguous tensor', (x) => x.reshape([4, 3])],
    ['transpose', (x) => x.transpose(0, 1)],
    ['permute', (x) => x.permute(1, 0)],
    ['t', (x) => x.t()],
    ['T', (x) => x.T],
    ['expand', (x) => x.unsqueeze(0).expand(2, 4, 3)],
    ['squeeze', (x) => x.unsqueeze(1).squeeze(1)],
    ['unsqueeze', (x) => x.unsqueeze(-1)],
    ['flatten', (x) => x.flatten()],
    ['slice', (x) => x.slice(0, 1, 3)],
    ['slice with a step', (x) => x.slice(1, 0, null, 2)],
    ['index', (x) => x.index(2)],
    ['select', (x) => x.select(1, -1)],
    ['narrow', (x) => x.narrow(1, 1, 2)],
    ['detach', (x) => x.detach()],
    ['split', (x) => x.split(2)[1]!],
    ['chunk', (x) => x.chunk(2, 1)[0]!],
  ];

  it.each(views)('%s does not copy', (_name, op) => {
    const x = iota([4, 3], device);
    const y = op(x);
    expect(y.storage).toBe(x.storage);
  });

  it('writing through a view with an in-place op is seen through the base, and back', async () => {
    const x = iota([2, 3], device);
    const col = x.t().select(0, 1); // column 1 of x: a strided view
    col.mul_(10);
    await expectExact(x, [
      [0, 10, 2],
      [3, 40, 5],
    ]);
    x.add_(1);
    await expectExact(col, [11, 41]);
    const tail = x.view(-1).slice(0, 4);
    tail.zero_();
    await expectExact(x, [
      [1, 11, 3],
      [4, 0, 0],
    ]);
    const e = torch.zeros(3, { device });
    const big = e.expand(2, 3);
    e.fill_(2);
    await expectExact(big, [
      [2, 2, 2],
      [2, 2, 2],
    ]);
  });

  it('contiguous() copies a non-contiguous view, and is a no-op on a contiguous tensor', async () => {
    const x = iota([2, 3], device);
    expect(x.contiguous()).toBe(x);
    const t = x.t();
    expect(t.isContiguous()).toBe(false);
    const c = t.contiguous();
    expect(c.isContiguous()).toBe(true);
    expect(c.storage).not.toBe(x.storage);
    await expectExact(c, [
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    c.add_(100);
    await expectExact(x, [
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it('reshape is a view when the layout allows it, and a copy otherwise', async () => {
    const x = iota([2, 3, 4], device);
    expect(x.reshape(6, 4).storage).toBe(x.storage);
    expect(x.permute(1, 0, 2).reshape(3, 8).storage).not.toBe(x.storage);
    // Merging dims 1 and 2 of a transposed-in-dim-0 tensor is still a view.
    expect(x.transpose(0, 1).reshape(3, 2, 2, 2).storage).toBe(x.storage);
    await expectExact(x.permute(2, 1, 0).reshape(4, 6).slice(0, 0, 1), [[0, 12, 4, 16, 8, 20]]);
  });

  it('view on an incompatible layout fails as PyTorch does', () => {
    const t = iota([2, 3], device).t();
    expect(() => t.view(6)).toThrow(
      /view size is not compatible with input tensor's size and stride \(at least one dimension spans across two contiguous subspaces\). Use .reshape\(...\) instead./,
    );
    expect(() => iota([2, 3], device).view(4, 2)).toThrow("shape '[4, 2]' is invalid for input of size 6");
    expect(() => iota([2, 3], device).view(-1, -1)).toThrow('only one dimension can be inferred');
    expect(() => iota([2, 3], device).view(-1, 4)).toThrow("shape '[-1, 4]' is invalid for input of size 6");
  });

  it('permute/transpose/t move values as a reference does', async () => {
    const x = iota([2, 3, 4], device);
    const ref = { shape: [2, 3, 4], data: await values(x) };
    for (const dims of [
      [2, 0, 1],
      [1, 2, 0],
      [0, 2, 1],
      [-1, 0, 1],
    ]) {
      const norm = dims.map((d) => (d < 0 ? d + 3 : d));
      expect(await values(x.permute(dims))).toEqual(refPermute(ref, norm).data);
    }
    expect(await values(x.transpose(0, 2))).toEqual(refPermute(ref, [2, 1, 0]).data);
    await expectExact(iota([2, 2], device).t(), [
      [0, 2],
      [1, 3],
    ]);
    expect(torch.tensor([1, 2], { device }).t().shape).toEqual([2]);
  });

  it('expand broadcasts with stride 0, and -1 keeps a size', async () => {
    const x = torch.tensor([[1], [2]], { device });
    const e = x.expand(2, 3);
    expect(e.strides[1]).toBe(0);
    await expectExact(e, [
      [1, 1, 1],
      [2, 2, 2],
    ]);
    await expectExact(x.expand(2, -1, 2), [
      [
        [1, 1],
        [2, 2],
      ],
      [
        [1, 1],
        [2, 2],
      ],
    ]);
    expect(() => x.expand(3, 3)).toThrow(
      'The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0.  Target sizes: [3, 3].  Tensor sizes: [2, 1]',
    );
    expect(() => x.expand(3)).toThrow(
      /the number of sizes provided \(1\) must be greater or equal to the number of dimensions in the tensor \(2\)/,
    );
  });

  it('squeeze, unsqueeze and flatten handle dims as PyTorch does', () => {
    const x = torch.zeros(2, 1, 3, 1, { device });
    expect(x.squeeze().shape).toEqual([2, 3]);
    expect(x.squeeze(1).shape).toEqual([2, 3, 1]);
    expect(x.squeeze(0).shape).toEqual([2, 1, 3, 1]);
    expect(x.squeeze(-1).shape).toEqual([2, 1, 3]);
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 1, 3, 1]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 1, 3, 1, 1]);
    expect(x.unsqueeze(4).shape).toEqual([2, 1, 3, 1, 1]);
    expect(x.flatten().shape).toEqual([6]);
    expect(x.flatten(1).shape).toEqual([2, 3]);
    expect(x.flatten(0, 2).shape).toEqual([6, 1]);
    expect(torch.tensor(5, { device }).flatten().shape).toEqual([1]);
    expect(torch.zeros(3, 1, 4, { device }).transpose(0, 2).squeeze().shape).toEqual([4, 3]);
    expect(() => x.unsqueeze(6)).toThrow('Dimension out of range (expected to be in range of [-5, 4], but got 6)');
    expect(() => x.flatten(2, 1)).toThrow('flatten() has invalid args: start_dim cannot come after end_dim');
  });

  it('rejects dims out of range in PyTorch words', () => {
    const x = torch.zeros(2, 3, { device });
    expect(() => x.transpose(0, 2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => x.sum(-3)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got -3)');
    expect(() => x.permute(0)).toThrow(/input.dim\(\) = 2 is not equal to len\(dims\) = 1/);
    expect(() => x.permute(0, 0)).toThrow(/repeated dim/);
    expect(() => torch.zeros(2, 3, 4).t()).toThrow('t() expects a tensor with <= 2 dimensions, but self is 3D');
  });
});

describe.each(devices)('slicing (%s)', (device) => {
  const x = () => torch.arange(10, { device });

  it('follows Python slices: negative bounds, steps, clamping', async () => {
    await expectExact(x().slice(0, 2, 5), [2, 3, 4]);
    await expectExact(x().slice(0, -3), [7, 8, 9]);
    await expectExact(x().slice(0, null, -2), [0, 1, 2, 3, 4, 5, 6, 7]);
    await expectExact(x().slice(0, 1, null, 3), [1, 4, 7]);
    await expectExact(x().slice(0, -8, -1, 2), [2, 4, 6, 8]);
    await expectExact(x().slice(0, 5, 100), [5, 6, 7, 8, 9]);
    await expectExact(x().slice(0, -100, 2), [0, 1]);
    await expectExact(x().slice(0, 7, 3), []);
    await expectExact(torch.arange(12, { device }).reshape(3, 4).slice(1, -2), [
      [2, 3],
      [6, 7],
      [10, 11],
    ]);
    await expectExact(torch.arange(12, { device }).reshape(3, 4).slice(0, 0, null, 2).slice(1, 1, null, 2), [
      [1, 3],
      [9, 11],
    ]);
    expect(() => x().slice(0, 0, 5, 0)).toThrow('slice step must be positive, but got 0');
    expect(() => x().slice(0, 0, 5, -1)).toThrow(/slice step must be positive/);
  });

  it('index and select remove the dim; negative indices count from the end', async () => {
    const m = torch.arange(6, { device }).reshape(2, 3);
    await expectExact(m.index(1), [3, 4, 5]);
    await expectExact(m.index(-1), [3, 4, 5]);
    await expectExact(m.select(1, -1), [2, 5]);
    await expectExact(m.index(0).index(2), 2);
    expect(() => m.index(2)).toThrow('index 2 is out of bounds for dimension 0 with size 2');
    expect(() => m.select(1, -4)).toThrow('index -4 is out of bounds for dimension 1 with size 3');
    expect(() => torch.tensor(1, { device }).index(0)).toThrow('select() cannot be applied to a 0-dim tensor.');
  });

  it('split and chunk cut along a dim', async () => {
    const parts = torch.arange(7, { device }).split(3);
    expect(await Promise.all(parts.map((p) => p.toArray()))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    const sized = torch.arange(7, { device }).split([2, 5]);
    expect(sized.map((p) => p.shape)).toEqual([[2], [5]]);
    expect(
      torch
        .arange(6, { device })
        .chunk(3)
        .map((p) => p.shape),
    ).toEqual([[2], [2], [2]]);
    expect(() => torch.arange(7).split([2, 2])).toThrow(/split_sizes to sum exactly to 7/);
  });
});
