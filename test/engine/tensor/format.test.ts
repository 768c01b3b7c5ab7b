/** A tensor prints as PyTorch prints it (expected strings are PyTorch 2.x's own output). */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';

const f32 = (data: unknown) => torch.tensor(data, { dtype: 'float32' });

describe('tensor repr', () => {
  it.each([
    [
      'column padding',
      f32([
        [1, -2.5],
        [3, 4],
      ]),
      'tensor([[ 1.0000, -2.5000],\n        [ 3.0000,  4.0000]])',
    ],
    ['integral floats', f32([1, 2, 10]), 'tensor([ 1.,  2., 10.])'],
    [
      'ints and bools',
      torch.tensor([
        [1, -20],
        [300, 4],
      ]),
      'tensor([[  1, -20],\n        [300,   4]])',
    ],
    ['bools', torch.tensor([true, false]), 'tensor([ True, False])'],
    ['scientific for a wide range', f32([1, 2000]), 'tensor([1.0000e+00, 2.0000e+03])'],
    ['scientific for tiny values', f32([0.5, 1e-5]), 'tensor([5.0000e-01, 1.0000e-05])'],
    ['ties round to even', f32([0.03125, 0.5]), 'tensor([0.0312, 0.5000])'],
    ['nan and inf', f32([NaN, 1.5, -Infinity]), 'tensor([   nan, 1.5000,   -inf])'],
    ['a scalar', f32(3.5), 'tensor(3.5000)'],
    ['empty', torch.zeros(0, 3), 'tensor([], size=(0, 3))'],
    ['empty int', torch.zeros([0], { dtype: 'int32' }), 'tensor([], dtype=torch.int32)'],
    [
      'line wrapping',
      torch.arange(0, 12, 1, { dtype: 'float32' }).div(7),
      'tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n        1.2857, 1.4286, 1.5714])',
    ],
    [
      'summarised past 1000 elements',
      torch.arange(0, 2000, 1, { dtype: 'float32' }),
      'tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])',
    ],
    [
      'summarised rows and columns',
      torch.arange(0, 1600).reshape(40, 40),
      'tensor([[   0,    1,    2,  ...,   37,   38,   39],\n' +
        '        [  40,   41,   42,  ...,   77,   78,   79],\n' +
        '        [  80,   81,   82,  ...,  117,  118,  119],\n' +
        '        ...,\n' +
        '        [1480, 1481, 1482,  ..., 1517, 1518, 1519],\n' +
        '        [1520, 1521, 1522,  ..., 1557, 1558, 1559],\n' +
        '        [1560, 1561, 1562,  ..., 1597, 1598, 1599]])',
    ],
    [
      'a blank line between 3-d slices',
      torch.arange(0, 8).reshape(2, 2, 2),
      'tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])',
    ],
  ])('%s', (_, x, expected) => {
    expect(x.toString()).toBe(expected);
  });

  it('suffixes: requires_grad, grad_fn, dtype; Parameters', () => {
    const w = torch.ones(3, { requiresGrad: true });
    expect(w.toString()).toBe('tensor([1., 1., 1.], requires_grad=True)');
    expect(w.mul(2).add(1).toString()).toBe('tensor([3., 3., 3.], grad_fn=<AddBackward0>)');
    expect(torch.tensor([1.5], { dtype: 'float64', requiresGrad: true }).toString()).toBe(
      'tensor([1.5000], dtype=torch.float64, requires_grad=True)',
    );
    expect(new torch.nn.Parameter(torch.ones(2)).toString()).toBe(
      'Parameter containing:\ntensor([1., 1.], requires_grad=True)',
    );
  });

  it('console.log (util.inspect) prints the repr, for tensors and modules', () => {
    const x = f32([1, 2]);
    expect(inspect(x)).toBe(x.toString());
    const model = new torch.nn.Sequential(new torch.nn.Linear(2, 1));
    expect(inspect(model)).toBe('Sequential(\n  (0): Linear(in_features=2, out_features=1, bias=True)\n)');
  });
});

describe.each(devices.filter((d) => d !== 'cpu'))('tensor repr on %s', (device) => {
  it("names the device and says how to read a GPU's values", () => {
    expect(torch.ones(2, 3, { device }).toString()).toBe(
      `tensor(<shape (2, 3): read the values with await x.toArray()>, device='${device}')`,
    );
  });
});
