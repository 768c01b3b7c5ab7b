import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices, hasFloat64 } from '../../helpers/devices.ts';
import { expectExact, expectTensor } from '../../helpers/assert.ts';
import { asFloat32, refArb, runs, tensorOf } from '../../helpers/arbitraries.ts';
import { matmul as refMatmul } from '../../helpers/reference.ts';

const side = fc.integer({ min: 1, max: 5 });
const batchDim = fc.integer({ min: 1, max: 3 });

/** Shapes [batchA…, M, K] and [batchB…, K, N], with batch dims that broadcast (or 1-D operands). */
const matmulShapes = fc
  .tuple(
    side,
    side,
    side,
    fc.array(batchDim, { maxLength: 2 }),
    fc.integer({ min: 0, max: 5 }),
    fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  )
  .map(([M, K, N, batch, mode, ones]) => {
    const ba = batch.map((b, i) => (ones[i] ? 1 : b));
    const bb = batch.map((b, i) => (ones[i] ? b : 1)).slice(mode % 2);
    if (mode === 4) return [[K], [...bb, K, N]] as const;
    if (mode === 5) return [[...ba, M, K], [K]] as const;
    return [
      [...ba, M, K],
      [...bb, K, N],
    ] as const;
  });

describe.each(devices)('matmul (%s)', (device) => {
  it('handles 1-D, 2-D and batched operands with broadcasting, as a reference', async () => {
    await fc.assert(
      fc.asyncProperty(
        matmulShapes.chain(([sa, sb]) => fc.tuple(refArb(sa), refArb(sb))),
        async ([ra, rb]) => {
          const a = asFloat32(ra);
          const b = asFloat32(rb);
          await expectTensor(tensorOf(a, { device }).matmul(tensorOf(b, { device })), refMatmul(a, b));
        },
      ),
      runs(40),
    );
  });

  it('1-D @ 1-D is a 0-d dot product', async () => {
    const a = torch.tensor([1, 2, 3], { dtype: 'float32', device });
    const b = torch.tensor([4, 5, 6], { dtype: 'float32', device });
    await expectExact(a.matmul(b), 32);
    await expectExact(torch.dot(a, b), 32);
  });

  it('mm, bmm and hand-computed values; works on transposed views', async () => {
    const a = torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32', device },
    );
    const b = torch.tensor(
      [
        [5, 6],
        [7, 8],
      ],
      { dtype: 'float32', device },
    );
    await expectExact(a.mm(b), [
      [19, 22],
      [43, 50],
    ]);
    await expectExact(torch.mm(a, b.t()), [
      [17, 23],
      [39, 53],
    ]);
    await expectExact(torch.bmm(a.unsqueeze(0), b.unsqueeze(0)), [
      [
        [19, 22],
        [43, 50],
      ],
    ]);
    await expectExact(a.t().matmul(b), [
      [26, 30],
      [38, 44],
    ]);
  });

  it('promotes dtypes; int32 matmul stays int32', async () => {
    const i = torch.tensor([[1, 2]], { device });
    expect(i.matmul(torch.tensor([[3], [4]], { device })).dtype).toBe('int32');
    await expectExact(i.matmul(torch.tensor([[3], [4]], { device })), [[11]]);
    const f = i.matmul(torch.tensor([[3.5], [4]], { device }));
    expect(f.dtype).toBe('float32');
    await expectExact(f, [[11.5]]);
    await expectExact(torch.tensor([[3.5], [4]], { device }).matmul(i), [
      [3.5, 7],
      [4, 8],
    ]);
    if (hasFloat64(device))
      expect(i.matmul(torch.tensor([[3.5], [4]], { dtype: 'float64', device })).dtype).toBe('float64');
  });

  it('gives a column-major operand (a Linear weight seen through .t()) its gradient in its own layout, with the same values', async () => {
    torch.manualSeed(5);
    const x = torch.randn(6, 9, { device });
    const w = torch.randn(7, 9, { device }).requiresGrad_();
    const wRows = w.detach().t().contiguous().requiresGrad_();
    const g = torch.randn(6, 7, { device });
    x.matmul(w.t()).backward(g);
    x.matmul(wRows).backward(g);
    expect(w.grad!.isContiguous()).toBe(true);
    await expectExact(w.grad!.t(), await wRows.grad!.tolist());
    const xt = torch.randn(9, 6, { device }).requiresGrad_();
    const xRows = xt.detach().t().contiguous().requiresGrad_();
    xt.t().matmul(w.detach().t()).backward(g);
    xRows.matmul(w.detach().t()).backward(g);
    expect(xt.grad!.isContiguous()).toBe(true);
    await expectExact(xt.grad!.t(), await xRows.grad!.tolist());
  });

  it('linear with a bias is one AddmmBackward0 node with the bits of matmul(w.t()).add(b), gradients and createGraph too', async () => {
    torch.manualSeed(6);
    const F = torch.nn.functional;
    const make = (...shape: number[]) => torch.randn(shape, { device }).requiresGrad_();
    const [x, w, b] = [make(5, 9), make(7, 9), make(7)];
    const g = torch.randn(5, 7, { device });
    const y = F.linear(x, w, b);
    expect(y.gradFn?.name).toBe('AddmmBackward0');
    const composed = x.matmul(w.t()).add(b);
    await expectExact(y, await composed.tolist());
    const grads = torch.autograd.grad(y, [x, w, b], { gradOutputs: [g] });
    const expected = torch.autograd.grad(composed, [x, w, b], { gradOutputs: [g] });
    for (let i = 0; i < 3; i++) await expectExact(grads[i]!, await expected[i]!.tolist());
    // Recorded, the backward is made of differentiable ops: a second derivative exists.
    const [gw] = torch.autograd.grad(F.linear(x, w, b), [w], { gradOutputs: [g], createGraph: true });
    await expectExact(gw!, await expected[1]!.tolist());
    const [gx2] = torch.autograd.grad(gw!.mul(gw!).sum(), [x]);
    const [gw2] = torch.autograd.grad(x.matmul(w.t()).add(b), [w], { gradOutputs: [g], createGraph: true });
    await expectExact(gx2!, await torch.autograd.grad(gw2!.mul(gw2!).sum(), [x])[0]!.tolist());
  });

  it('addmm with beta = 0 ignores its input (NaN too) and still gives it a zero gradient, as PyTorch', async () => {
    const input = torch.tensor(
      [
        [NaN, 1],
        [Infinity, 2],
      ],
      { device, requiresGrad: true },
    );
    const a = torch.ones([2, 3], { device, requiresGrad: true });
    const b = torch.ones([3, 2], { device, requiresGrad: true });
    const y = torch.addmm(input, a, b, { beta: 0 });
    await expectExact(y, [
      [3, 3],
      [3, 3],
    ]);
    y.sum().backward();
    await expectExact(input.grad!, [
      [0, 0],
      [0, 0],
    ]);
    await expectExact(a.grad!, [
      [2, 2, 2],
      [2, 2, 2],
    ]);
  });

  it('rejects mismatched shapes in PyTorch words', () => {
    expect(() => torch.zeros(64, 784, { device }).matmul(torch.zeros(128, 10, { device }))).toThrow(
      'mat1 and mat2 shapes cannot be multiplied (64x784 and 128x10)',
    );
    expect(() => torch.mm(torch.zeros(2, 3, { device }), torch.zeros(4, 2, { device }))).toThrow(
      'mat1 and mat2 shapes cannot be multiplied (2x3 and 4x2)',
    );
    expect(() => torch.zeros(2, 2, 3, { device }).matmul(torch.zeros(2, 4, 2, { device }))).toThrow(
      /\[2, 2, 3\] @ \[2, 4, 2\]/,
    );
    expect(() => torch.zeros(3, 2, 3).matmul(torch.zeros(2, 3, 2))).toThrow(
      /The size of tensor a \(3\) must match the size of tensor b \(2\) at non-singleton dimension 0/,
    );
    expect(() => torch.tensor(1).matmul(torch.zeros(2))).toThrow(
      'both arguments to matmul need to be at least 1D, but they are 0D and 1D',
    );
    expect(() => torch.mm(torch.zeros(2), torch.zeros(2, 2))).toThrow(/mm: expected 2D tensors, but got 1D and 2D/);
    expect(() => torch.bmm(torch.zeros(2, 2), torch.zeros(2, 2))).toThrow(
      'batch1 and batch2 must be 3D tensors, but got 2D and 2D',
    );
    expect(() => torch.bmm(torch.zeros(2, 2, 2), torch.zeros(3, 2, 2))).toThrow(/batch sizes differ/);
    expect(() => torch.dot(torch.zeros(2), torch.zeros(3))).toThrow(/inconsistent tensor size/);
    expect(() => torch.dot(torch.zeros(2, 1), torch.zeros(2))).toThrow(
      '1D tensors expected, but got 2D and 1D tensors',
    );
  });
});
