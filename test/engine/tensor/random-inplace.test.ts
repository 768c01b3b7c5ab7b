/**
 * Random draws into a tensor (x.uniform_(), normal_, random_, bernoulli_, exponential_), torch.normal
 * and torch.bernoulli, against PyTorch 1.13's numbers after manual_seed(0) (test/fixtures/pytorch/rng.py),
 * and the autograd rules of an in-place draw. The draws are made on the host, so every device gets
 * PyTorch's values.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices, hasFloat64 } from '../../helpers/devices.ts';
import { values } from '../../helpers/assert.ts';
import PYTORCH from '../../fixtures/pytorch/rng.json' with { type: 'json' };

const WANT = PYTORCH.inplace;

/** Within `ulps` units in the last place of float32 (or float64): PyTorch's vectorised log/sin/cos round on their own. */
function expectUlpClose(got: number[], expected: number[], ulps: number, mantissa = 23): void {
  expect(got).toHaveLength(expected.length);
  got.forEach((g, i) => {
    const e = expected[i]!;
    const ulp = 2 ** (Math.floor(Math.log2(Math.abs(e))) - mantissa);
    expect(Math.abs(g - e), `element ${i}: got ${g}, PyTorch ${e}`).toBeLessThanOrEqual(ulps * ulp);
  });
}

describe.each(devices)('random draws in place (%s)', (device) => {
  const seeded = async (make: () => torch.Tensor) => {
    torch.manualSeed(0);
    return values(make());
  };
  const empty = (shape: number[], dtype: torch.DType = 'float32') => torch.empty(shape, { dtype, device });

  it("uniform_, random_, bernoulli_, exponential_ are PyTorch's, bit for bit", async () => {
    expect(await seeded(() => empty([40]).uniform_(-0.3, 0.7))).toEqual(WANT.uniform_40);
    expect(await seeded(() => empty([40]).uniform_({ from: -0.3, to: 0.7 }))).toEqual(WANT.uniform_40);
    expect(await seeded(() => empty([6]).random_())).toEqual(WANT.random_float32);
    expect(await seeded(() => empty([6], 'int32').random_())).toEqual(WANT.random_int32);
    expect(await seeded(() => empty([6]).random_(-5, 7))).toEqual(WANT.random_from_to);
    expect(await seeded(() => empty([6], 'int32').random_(10))).toEqual(WANT.random_to);
    expect(await seeded(() => empty([40]).bernoulli_(0.3))).toEqual(WANT.bernoulli_scalar);
    const p = torch.linspace(0, 1, 40, { device });
    expect(await seeded(() => empty([40]).bernoulli_(p))).toEqual(WANT.bernoulli_tensor);
    expect(await seeded(() => empty([8]).exponential_(2))).toEqual(WANT.exponential_float32);
    expect(await seeded(() => torch.bernoulli(p))).toEqual(WANT.torch_bernoulli);
    expect(await seeded(() => torch.bernoulli(torch.zeros(2, 5, { device }), 0.5))).toEqual(WANT.torch_bernoulli_p);
    if (!hasFloat64(device)) return;
    expect(await seeded(() => empty([5], 'float64').uniform_(-0.3, 0.7))).toEqual(WANT.uniform_float64);
    expect(await seeded(() => empty([8], 'float64').exponential_(2))).toEqual(WANT.exponential_float64);
    const p64 = torch.linspace(0, 1, 40, { dtype: 'float64', device });
    expect(await seeded(() => empty([40]).bernoulli_(p64))).toEqual(WANT.bernoulli_tensor_float64);
  });

  it("normal_ and torch.normal's four forms are PyTorch's (within its vectorised log/sin/cos's last bit)", async () => {
    expect(await seeded(() => empty([5]).normal_(0.5, 0.01))).toEqual(WANT.normal_5);
    expectUlpClose(await seeded(() => empty([4, 5]).normal_({ mean: 0.5, std: 0.01 })), WANT.normal_4x5, 1);
    const f = (v: number) => torch.full([20], v, { device });
    expectUlpClose(await seeded(() => torch.normal(f(0.5), f(0.01))), WANT.torch_normal_tensors, 1);
    expectUlpClose(await seeded(() => torch.normal(0.5, 0.01, [4, 5], { device })), WANT.torch_normal_size, 1);
    const ramp = torch.arange(20, { dtype: 'float32', device });
    expectUlpClose(await seeded(() => torch.normal(ramp, 2)), WANT.torch_normal_mean_tensor, 2);
    const stds = torch.arange(1, 6, { dtype: 'float32', device });
    expect(await seeded(() => torch.normal(1, stds))).toEqual(WANT.torch_normal_std_tensor);
    if (hasFloat64(device))
      expectUlpClose(await seeded(() => empty([20], 'float64').normal_(-1, 3)), WANT.normal_float64_20, 2, 52);
  });

  it('initialises a layer through detach(), as PyTorch code does through .data', async () => {
    const layer = new torch.nn.Linear(4, 3).to(device);
    torch.manualSeed(0);
    layer.weight.detach().normal_(0, 0.01);
    layer.bias!.detach().zero_();
    torch.manualSeed(0);
    expect(await values(layer.weight)).toEqual(await values(torch.empty([3, 4], { device }).normal_(0, 0.01)));
    expect(layer.weight.requiresGrad).toBe(true);
  });

  it('refuses a leaf that requires grad outside noGrad, and passes a zero gradient through a non-leaf', async () => {
    const w = torch.ones(2, 3, { device }).requiresGrad_();
    expect(() => w.uniform_()).toThrow(
      /leaf Variable that requires grad is being used in an in-place operation \(uniform_\)/,
    );
    torch.noGrad(() => w.uniform_(2, 3));
    expect((await values(w)).every((v) => v >= 2 && v < 3)).toBe(true);
    const y = w.mul(2);
    y.normal_();
    y.mul(torch.arange(6, { dtype: 'float32', device }).reshape(2, 3))
      .sum()
      .backward();
    expect(await values(w.grad!)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("refuses what PyTorch refuses, in PyTorch's words", () => {
    expect(() => empty([3], 'int32').normal_()).toThrow(`"normal_kernel_cpu" not implemented for 'int32'`);
    expect(() => empty([3], 'int32').uniform_()).toThrow(`"check_uniform_bounds" not implemented for 'int32'`);
    expect(() => empty([3]).uniform_(1, 0)).toThrow(
      'uniform_ expects to return a [from, to) range, but found from=1 > to=0',
    );
    expect(() => empty([3]).normal_(0, -1)).toThrow('normal expects std >= 0.0, but found std -1');
    expect(() => empty([3]).random_(5, 5)).toThrow(
      "random_ expects 'from' to be less than 'to', but got from=5 >= to=5",
    );
    expect(() => empty([3]).bernoulli_(1.5)).toThrow('bernoulli_ expects p to be in [0, 1], but got p=1.5');
    expect(() => empty([3]).exponential_(0)).toThrow('exponential_ expects lambda > 0.0, but found lambda=0');
    expect(() => empty([3]).bernoulli_(torch.zeros(4, { device }))).toThrow(
      'The size of tensor a (3) must match the size of tensor b (4)',
    );
    expect(() => torch.normal(0, 1)).toThrow(/give the size/);
    expect(() => empty([3]).normal_(0, 1, { seed: 1 } as never)).toThrow("unknown option 'seed'");
  });

  it("dropout1d / dropout2d (and their layers) draw one keep-or-drop per channel, PyTorch's", async () => {
    const D = PYTORCH.feature_dropout;
    const F = torch.nn.functional;
    const ones = (...shape: number[]) => torch.ones(shape, { device });
    expect(await seeded(() => F.dropout2d(ones(2, 3, 1, 2), 0.5))).toEqual(D.dropout2d_2x3x1x2);
    expect(await seeded(() => F.dropout1d(ones(2, 3, 2), { p: 0.4 }))).toEqual(D.dropout1d_2x3x2.map(Math.fround));
    expect(await seeded(() => F.dropout1d(ones(4, 3), 0.3))).toEqual(D.dropout1d_unbatched_4x3.map(Math.fround));
    const layer = new torch.nn.Dropout2d(0.5);
    expect(await seeded(() => layer.call(ones(2, 3, 1, 2)) as torch.Tensor)).toEqual(D.dropout2d_2x3x1x2);
    layer.eval();
    expect(await values(layer.call(ones(2, 3, 1, 2)) as torch.Tensor)).toEqual(Array(12).fill(1));
    expect(String(new torch.nn.Dropout1d(0.2, true))).toBe('Dropout1d(p=0.2, inplace=True)');
    expect(() => F.dropout1d(ones(3))).toThrow('dropout1d: Expected 2D or 3D input, but received a 1D input.');
  });

  it('a private Generator draws its own stream', async () => {
    const a = await values(empty([5]).uniform_({ generator: new torch.Generator(0) }));
    torch.manualSeed(0);
    expect(a).toEqual(await values(torch.rand(5, { device })));
  });
});
