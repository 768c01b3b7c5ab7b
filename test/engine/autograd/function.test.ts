import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';
import { expectExact, expectTensor } from '../../helpers/assert.ts';

type Ctx = torch.autograd.FunctionCtx;

/** A correct custom Function: y = x³, saving x. */
class Cube extends torch.autograd.Function {
  static override forward(ctx: Ctx, x: torch.Tensor) {
    ctx.saveForBackward(x);
    return x.mul(x).mul(x);
  }
  static override backward(ctx: Ctx, g: torch.Tensor) {
    const [x] = ctx.savedTensors;
    return [g.mul(x!.mul(x!).mul(3))];
  }
}

/** A deliberately wrong one: claims d(a·b)/db = a + 1 (off by one, for input 1 only). */
class WrongMul extends torch.autograd.Function {
  static override forward(ctx: Ctx, a: torch.Tensor, b: torch.Tensor) {
    ctx.saveForBackward(a, b);
    return a.mul(b);
  }
  static override backward(ctx: Ctx, g: torch.Tensor) {
    const [a, b] = ctx.savedTensors;
    return [g.mul(b!), g.mul(a!.add(1))];
  }
}

describe.each(devices)('custom autograd.Function (%s)', (device) => {
  it('runs forward without recording and backward with saved tensors', async () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', device, requiresGrad: true });
    const y = Cube.apply(x);
    expect(y.gradFn?.name).toBe('CubeBackward');
    await expectExact(y, [1, 8]);
    y.sum().backward();
    await expectExact(x.grad!, [3, 12]);
  });

  it('sees needsInputGrad and accepts non-tensor arguments', async () => {
    let seen: readonly boolean[] = [];
    class Scale extends torch.autograd.Function {
      static override forward(ctx: Ctx, x: torch.Tensor, k: number, y: torch.Tensor) {
        seen = ctx.needsInputGrad;
        ctx.k = k;
        return x.mul(k).add(y);
      }
      static override backward(ctx: Ctx, g: torch.Tensor) {
        return [g.mul(ctx.k as number), null, null];
      }
    }
    const x = torch.tensor([1.5], { device, requiresGrad: true });
    Scale.apply(x, 4, torch.tensor([1.5], { device }))
      .sum()
      .backward();
    expect(seen).toEqual([true, false, false]);
    await expectExact(x.grad!, [4]);
  });

  it('a second backward through a custom Function fails clearly', () => {
    const x = torch.tensor([1.5], { device, requiresGrad: true });
    const y = Cube.apply(x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time/);
  });
});

describe('gradcheck', () => {
  const f64 = (v: number[], requiresGrad = true) => torch.tensor(v, { dtype: 'float64', requiresGrad });

  it('passes a correct Function with PyTorch’s defaults', async () => {
    expect(await torch.autograd.gradcheck((x) => Cube.apply(x), [f64([0.5, -1.2, 2])])).toBe(true);
  });

  it('throws GradcheckError naming the input, the element and the difference for a wrong Function', async () => {
    const a = f64([1.5, -2]);
    const b = f64([0.5, 3]);
    const error = await torch.autograd.gradcheck((x, y) => WrongMul.apply(x, y), [a, b]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(torch.autograd.GradcheckError);
    const e = error as InstanceType<typeof torch.autograd.GradcheckError>;
    expect(e.mismatch.input).toBe(1);
    expect(e.mismatch.output).toBe(0);
    // Every element of input 1 is off by exactly 1; each output element depends on its own input element.
    expect(e.mismatch.inputElement).toBe(e.mismatch.outputElement);
    expect(Math.abs(e.mismatch.analytical - e.mismatch.numerical)).toBeCloseTo(1, 6);
    expect(e.mismatch.error).toBeCloseTo(1, 6);
    expect(e.message).toMatch(
      /Jacobian mismatch for output 0 with respect to input 1: d out\[\d\] \/ d in\[\d\] is .* by autograd but .* by finite differences \(\|difference\| 1\.000e\+0 > tolerance/,
    );
  });

  it('returns false instead of throwing when raiseException is false', async () => {
    expect(
      await torch.autograd.gradcheck((x, y) => WrongMul.apply(x, y), [f64([1]), f64([2])], { raiseException: false }),
    ).toBe(false);
  });

  it('only checks inputs that require grad', async () => {
    // WrongMul is right for input 0; input 1 is not checked here.
    expect(await torch.autograd.gradcheck((x, y) => WrongMul.apply(x, y), [f64([1, 2]), f64([2, 3], false)])).toBe(
      true,
    );
  });

  it('uses eps 1e-6, atol 1e-5, rtol 1e-3 by default: an error of 5e-6 passes, 5e-4 fails (tolerance 1e-5 + 1e-3·0.1)', async () => {
    const slightly = (delta: number) =>
      class extends torch.autograd.Function {
        static override forward(_ctx: Ctx, x: torch.Tensor) {
          return x.mul(0.1);
        }
        static override backward(_ctx: Ctx, g: torch.Tensor) {
          return [g.mul(0.1 + delta)];
        }
      };
    const Close = slightly(5e-6);
    const Far = slightly(5e-4);
    expect(await torch.autograd.gradcheck((x) => Close.apply(x), [f64([1])])).toBe(true);
    await expect(torch.autograd.gradcheck((x) => Far.apply(x), [f64([1])])).rejects.toThrow(
      /\|difference\| 5\.000e-4 > tolerance 1\.100e-4/,
    );
    expect(await torch.autograd.gradcheck((x) => Far.apply(x), [f64([1])], { atol: 1e-3 })).toBe(true);
  });

  it('insists on float64 inputs', async () => {
    await expect(
      torch.autograd.gradcheck((x) => x.exp(), [torch.tensor([1.5], { requiresGrad: true })]),
    ).rejects.toThrow(/input 0 is float32; finite differences need float64/);
    await expect(torch.autograd.gradcheck((x) => x.exp(), [f64([1], false)])).rejects.toThrow(
      /at least one input tensor to require gradient/,
    );
  });

  it('agrees with hand-derived Jacobians of multiple outputs', async () => {
    const x = f64([0.3, 0.7]);
    expect(await torch.autograd.gradcheck((t) => [t.exp(), t.sum().mul(t)], [x])).toBe(true);
    await expectTensor(Cube.apply(x), [0.027, 0.343], { atol: 1e-12 });
  });
});
