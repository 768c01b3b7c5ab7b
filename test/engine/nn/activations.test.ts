/**
 * The activation layers PyTorch has beside ReLU (and the constant padding layers, torch.inferenceMode):
 * each runs its torch.nn.functional twin (whose values
 * and gradients ops.py pins against PyTorch 1.13) and prints as PyTorch prints it.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';
import { values } from '../../helpers/assert.ts';

const nn = torch.nn;
const F = nn.functional;

describe.each(devices)('activation layers (%s)', (device) => {
  const x = () => torch.tensor([[-4, -1, -0.25, 0, 0.5, 2]], { dtype: 'float32', device });

  it('each layer is its functional twin', async () => {
    const pairs: [torch.nn.Module, (t: torch.Tensor) => torch.Tensor][] = [
      [new nn.SELU(), (t) => F.selu(t)],
      [new nn.CELU(0.5), (t) => F.celu(t, 0.5)],
      [new nn.Mish(), (t) => F.mish(t)],
      [new nn.Hardswish(), (t) => F.hardswish(t)],
      [new nn.Hardsigmoid(), (t) => F.hardsigmoid(t)],
      [new nn.Softsign(), (t) => F.softsign(t)],
      [new nn.Tanhshrink(), (t) => F.tanhshrink(t)],
      [new nn.Softshrink(0.3), (t) => F.softshrink(t, 0.3)],
      [new nn.Hardshrink({ lambd: 0.3 }), (t) => F.hardshrink(t, 0.3)],
      [new nn.Threshold(0.1, 20), (t) => F.threshold(t, 0.1, 20)],
      [new nn.GLU(), (t) => F.glu(t)],
    ];
    for (const [layer, fn] of pairs) {
      expect(await values(layer.call(x()) as torch.Tensor), String(layer)).toEqual(await values(fn(x())));
    }
  });

  it("prints as PyTorch's layers print", () => {
    // PyTorch 1.13: str(nn.SELU()), str(nn.SELU(True)), … as listed.
    const printed = [
      new nn.SELU(),
      new nn.SELU(true),
      new nn.CELU(),
      new nn.Mish(),
      new nn.Mish({ inplace: true }),
      new nn.Hardswish(true),
      new nn.Hardsigmoid(true),
      new nn.Softsign(),
      new nn.Softshrink(),
      new nn.Hardshrink(0.3),
      new nn.Tanhshrink(),
      new nn.Threshold(0.1, 20),
      new nn.GLU(),
      new nn.PReLU(),
      new nn.PReLU(3, 0.1),
    ].map(String);
    expect(printed).toEqual([
      'SELU()',
      'SELU(inplace=True)',
      'CELU(alpha=1.0)',
      'Mish()',
      'Mish(inplace=True)',
      'Hardswish()',
      'Hardsigmoid()',
      'Softsign()',
      'Softshrink(0.5)',
      'Hardshrink(0.3)',
      'Tanhshrink()',
      'Threshold(threshold=0.1, value=20)',
      'GLU(dim=-1)',
      'PReLU(num_parameters=1)',
      'PReLU(num_parameters=3)',
    ]);
  });

  it('PReLU learns its slopes: one Parameter of numParameters values, init 0.25 by default', async () => {
    const prelu = new nn.PReLU(2, { device });
    expect([...prelu.weight.shape]).toEqual([2]);
    expect(await values(prelu.weight)).toEqual([0.25, 0.25]);
    expect(Object.keys(prelu.stateDict())).toEqual(['weight']);
    const input = torch.tensor([[[-1, 2]], [[3, -4]]], { dtype: 'float32', device }).reshape(2, 2, 1);
    (prelu.call(input) as torch.Tensor).sum().backward();
    // Σ of the non-positive inputs per channel: channel 0 sees −1 and 3, channel 1 sees 2 and −4.
    expect(await values(prelu.weight.grad!)).toEqual([-1, -4]);
    expect(() => new nn.PReLU(3).call(input)).toThrow(
      'Mismatch of parameter numbers and input channel size. Found parameter numbers = 3 and channel size = 2.',
    );
  });

  it("refuses what PyTorch refuses, in PyTorch's words", () => {
    expect(() => F.glu(torch.zeros([2, 3], { device }))).toThrow(
      'Halving dimension must be even, but dimension 1 is size 3',
    );
    expect(() => F.softshrink(torch.zeros(2, { device }), -1)).toThrow(
      'lambda must be greater or equal to 0, but found to be -1.',
    );
    expect(() => new nn.Softshrink({ lambda: 1 } as never)).toThrow("unknown option 'lambda'");
  });
});

describe.each(devices)('padding layers and inferenceMode (%s)', (device) => {
  it("ZeroPad2d, ConstantPad1d, ConstantPad2d pad as PyTorch's and print as PyTorch's", async () => {
    const x = torch.arange(6, { dtype: 'float32', device }).reshape(1, 2, 3);
    // PyTorch 1.13: nn.ZeroPad2d((1, 0, 2, 1))(x), nn.ConstantPad1d(2, 3.5)(x) on arange(6.).reshape(1, 2, 3).
    expect(await (new nn.ZeroPad2d([1, 0, 2, 1]).call(x) as torch.Tensor).toArray()).toEqual([
      [
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 1, 2],
        [0, 3, 4, 5],
        [0, 0, 0, 0],
      ],
    ]);
    expect(await (new nn.ConstantPad1d(2, 3.5).call(x) as torch.Tensor).toArray()).toEqual([
      [
        [3.5, 3.5, 0, 1, 2, 3.5, 3.5],
        [3.5, 3.5, 3, 4, 5, 3.5, 3.5],
      ],
    ]);
    expect((new nn.ConstantPad2d([1, 2, 0, 1], -1).call(x) as torch.Tensor).shape).toEqual([1, 3, 6]);
    expect([new nn.ZeroPad2d(1), new nn.ConstantPad2d(1, 3.5), new nn.ConstantPad1d([1, 2], 0)].map(String)).toEqual([
      'ZeroPad2d((1, 1, 1, 1))',
      'ConstantPad2d(padding=(1, 1, 1, 1), value=3.5)',
      'ConstantPad1d(padding=(1, 2), value=0.0)',
    ]);
    expect(() => new nn.ConstantPad2d([1, 2], 0)).toThrow(/padding/);
  });

  it('inferenceMode runs its function without recording (inferenceMode(false, fn) records)', () => {
    const w = torch.ones(2, { device }).requiresGrad_();
    expect(torch.inferenceMode(() => w.mul(2)).requiresGrad).toBe(false);
    expect(torch.inferenceMode(false, () => w.mul(2)).requiresGrad).toBe(true);
    expect(() => torch.inferenceMode(true)).toThrow(
      "torch.inferenceMode(): argument 'fn' (position 2) must be a function",
    );
  });
});
