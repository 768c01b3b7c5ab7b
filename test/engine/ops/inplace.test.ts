import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';
import { expectExact, expectTensor } from '../../helpers/assert.ts';

describe.each(devices)('in-place ops (%s)', (device) => {
  it('write into the tensor and bump its version', async () => {
    const t = torch.tensor([1, 2, 3], { dtype: 'float32', device });
    const v0 = t._version;
    expect(t.add_(1)).toBe(t);
    t.mul_(2).sub_(1).div_(2);
    await expectExact(t, [1.5, 2.5, 3.5]);
    expect(t._version).toBe(v0 + 4);
    t.clamp_(2, 3);
    await expectExact(t, [2, 2.5, 3]);
    t.copy_(torch.tensor([7, 8, 9], { device }));
    await expectExact(t, [7, 8, 9]);
    t.fill_(1);
    t.addcmul_(
      torch.tensor([1, 2, 3], { dtype: 'float32', device }),
      torch.tensor([2, 2, 2], { dtype: 'float32', device }),
      { value: 0.5 },
    );
    await expectExact(t, [2, 3, 4]);
    t.maskedFill_(t.gt(2.5), 0);
    await expectExact(t, [2, 0, 0]);
  });

  it('unary ops write their result over their input, on views too', async () => {
    const t = torch.tensor([0.5, 1, 2, 4], { device });
    const v0 = t._version;
    expect(t.reciprocal_()).toBe(t);
    await expectExact(t, [2, 1, 0.5, 0.25]);
    t.log_().exp_();
    await expectTensor(t, [2, 1, 0.5, 0.25], { atol: 1e-6 });
    t.neg_().relu_();
    await expectExact(t, [0, 0, 0, 0]);
    expect(t._version).toBe(v0 + 5);
    // A column of a matrix: only its elements change.
    const m = torch.full([300, 2], 4, { device });
    m.slice(1, 1, 2).sqrt_();
    await expectExact(m.sum(0), [1200, 600]);
    // x.sub_(y) is x − y; with alpha, x − alpha·y.
    await expectExact(torch.tensor([5, 7], { device }).sub_(torch.tensor([1, 2], { device })), [4, 5]);
    await expectExact(torch.tensor([5, 7], { device }).sub_(torch.tensor([1, 2], { device }), { alpha: 2 }), [3, 3]);
  });

  it('unary in-place ops keep autograd: the gradient of the result, the input read before it is overwritten', async () => {
    const x = torch.tensor([0.5, 2], { device, requiresGrad: true });
    const y = x.mul(1);
    y.reciprocal_().exp_();
    y.sum().backward();
    // d/dx exp(1/x) = −exp(1/x)/x².
    await expectTensor(x.grad!, [-Math.exp(2) / 0.25, -Math.exp(0.5) / 4], { rtol: 1e-5 });
  });

  it('broadcast the operand, not the destination', () => {
    const t = torch.zeros(2, 3, { device });
    t.add_(torch.ones(3, { device }));
    expect(() => torch.zeros(3, { device }).add_(torch.ones(2, 3, { device }))).toThrow(
      "output with shape [3] doesn't match the broadcast shape [2, 3]",
    );
  });

  it('keep the tensor’s dtype: a result it cannot hold is an error, as in torch; copy_ converts', async () => {
    const ints = () => torch.tensor([1, 2], { device });
    for (const [name, op] of [
      ['add_', (t: torch.Tensor) => t.add_(0.5)],
      ['mul_', (t: torch.Tensor) => t.mul_(torch.tensor([0.5, 1], { device }))],
      ['div_', (t: torch.Tensor) => t.div_(2)],
      ['sqrt_', (t: torch.Tensor) => t.sqrt_()],
    ] as const)
      expect(() => op(ints()), name).toThrow(
        `result type float32 can't be cast to the desired output type int32 (${name})`,
      );
    expect(() => torch.tensor([true, false], { device }).add_(1)).toThrow(
      "result type int32 can't be cast to the desired output type bool (add_)",
    );
    await expectExact(ints().add_(1), [2, 3]);
    await expectExact(ints().copy_(torch.tensor([0.5, 1.5], { device })), [0, 1]);
    await expectExact(torch.tensor([1.5, 2], { device }).add_(ints()), [2.5, 4]);
  });

  it('clamp promotes with its bounds: clamp(int32, 0, 2.5) is float32', async () => {
    const x = torch.tensor([1, 5], { device });
    expect(torch.clamp(x, 0, 2.5).dtype).toBe('float32');
    await expectExact(torch.clamp(x, 0, 2.5), [1, 2.5]);
    expect(torch.clamp(x, 0, 2).dtype).toBe('int32');
  });
});
