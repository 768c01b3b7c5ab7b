/**
 * Module.registerFullBackwardHook / registerFullBackwardPreHook, as PyTorch's: the hook sees the
 * gradients at the module's boundary (grad_input null where the input needs none), may replace
 * them, and its handle removes it. On every device.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';

const { nn } = torch;

describe.each(devices)('full backward hooks (%s)', (device) => {
  const linear = () => {
    const lin = new nn.Linear(3, 2).to(device);
    torch.noGrad(() => {
      lin.weight.copy_(
        torch.tensor(
          [
            [1, 2, 3],
            [-1, 0, 1],
          ],
          { device },
        ),
      );
      lin.bias!.zero_();
    });
    return lin;
  };

  it('gives grad_input and grad_output, and a returned grad_input replaces it', async () => {
    const lin = linear();
    const seen: [torch.nn.Module, (torch.Tensor | null)[], torch.Tensor[]][] = [];
    const handle = lin.registerFullBackwardHook((m, gradInput, gradOutput) => {
      seen.push([m, gradInput, gradOutput]);
      return gradInput.map((g) => (g ? g.mul(10) : null));
    });
    const x = torch.ones(1, 3, { device, requiresGrad: true });
    // d(sum(out · [1, 2]))/dout = [1, 2]; d/dx = [1, 2] · W = [-1, 2, 5]; the hook scales it by 10.
    lin
      .call(x)
      .mul(torch.tensor([[1, 2]], { device }))
      .sum()
      .backward();
    expect(seen).toHaveLength(1);
    const [m, gradInput, gradOutput] = seen[0]!;
    expect(m).toBe(lin);
    expect(await gradInput[0]!.toArray()).toEqual([[-1, 2, 5]]);
    expect(await gradOutput[0]!.toArray()).toEqual([[1, 2]]);
    expect(await x.grad!.toArray()).toEqual([[-10, 20, 50]]);
    // The parameters' gradients are the module's own, untouched by the hook.
    expect(await lin.weight.grad!.toArray()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    handle.remove();
    x.grad = null;
    lin
      .call(x)
      .mul(torch.tensor([[1, 2]], { device }))
      .sum()
      .backward();
    expect(seen).toHaveLength(1);
    expect(await x.grad!.toArray()).toEqual([[-1, 2, 5]]);
  });

  it('reads the gradients it is given, null for an input that needs none (a first layer)', async () => {
    const lin = linear();
    const got: [(torch.Tensor | null)[], torch.Tensor[]][] = [];
    lin.registerFullBackwardHook((_m, gradInput, gradOutput) => void got.push([gradInput, gradOutput]));
    lin
      .call(torch.ones(1, 3, { device }))
      .mul(3)
      .sum()
      .backward();
    expect(got).toHaveLength(1);
    expect(got[0]![0]).toEqual([null]);
    expect(await got[0]![1][0]!.toArray()).toEqual([[3, 3]]);
    // A hook is called inside backward(), which does not wait for it: an async one is refused.
    lin.registerFullBackwardHook((async () => undefined) as unknown as torch.nn.FullBackwardHook);
    expect(() =>
      lin
        .call(torch.ones(1, 3, { device }))
        .sum()
        .backward(),
    ).toThrow(/returned a Promise/);
  });

  it('a pre-hook replaces grad_output before it flows into the module', async () => {
    const lin = linear();
    const inputGrads: torch.Tensor[] = [];
    lin.registerFullBackwardPreHook((_m, gradOutput) => [gradOutput[0]!.mul(0).add(1)]);
    lin.registerFullBackwardHook((_m, gradInput) => void inputGrads.push(gradInput[0]!));
    const x = torch.ones(1, 3, { device, requiresGrad: true });
    lin.call(x).mul(5).sum().backward();
    // grad_output became [1, 1]: the input's gradient is [1, 1] · W = [0, 2, 4].
    expect(await x.grad!.toArray()).toEqual([[0, 2, 4]]);
    expect(await inputGrads[0]!.toArray()).toEqual([[0, 2, 4]]);
  });

  it('does nothing under noGrad, and says what it cannot hook', () => {
    const lin = linear();
    let calls = 0;
    lin.registerFullBackwardHook(() => void calls++);
    torch.noGrad(() => lin.call(torch.ones(1, 3, { device })));
    expect(calls).toBe(0);
    const pair = new (class Pair extends nn.Module {
      override forward(a: torch.Tensor, b: torch.Tensor) {
        return a.add(b);
      }
    })();
    pair.registerFullBackwardHook(() => undefined);
    const a = torch.ones(2, { device, requiresGrad: true });
    expect(() => pair.call(a, a.mul(2))).toThrow(
      /Pair: full backward hooks .* one tensor input that requires grad, got 2/,
    );
    lin.registerFullBackwardHook(() => [torch.ones(1), torch.ones(1)]);
    const x = torch.ones(1, 3, { device, requiresGrad: true });
    expect(() => lin.call(x).sum().backward()).toThrow(/Linear's full backward hook must return 1 gradient/);
  });
});
