import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { backendFor } from '../../engine/backend/registry.ts';
import { devices } from '../helpers/devices.ts';

/**
 * The engine hands back at once the buffers it knows are dead (gradients between nodes, what
 * backward frees, op and layer temporaries), so training reuses them step after step; what the
 * program can reach is never among them: a tensor whose storage was freed throws on use, and its
 * values must still be those it had.
 */
describe.each(devices)('buffer reuse (%s)', (device) => {
  const net = () => {
    torch.manualSeed(0);
    return new torch.nn.Sequential(new torch.nn.Linear(6, 8), new torch.nn.ReLU(), new torch.nn.Linear(8, 3)).to(
      device,
    );
  };
  const x = () => torch.randn(5, 6, { device });
  const y = () => torch.tensor([0, 2, 1, 1, 0], { device });
  /** Steps of training on other data: they take freed buffers and write into them. */
  const churn = (steps = 3) => {
    const model = net();
    const opt = new torch.optim.Adam(model.parameters());
    for (let i = 0; i < steps; i++) {
      opt.zeroGrad();
      torch.nn.functional.crossEntropy(model.call(x()), y()).backward();
      opt.step();
    }
  };
  /** Each tensor still holds the values it had when `kept` was called. */
  const kept = async (tensors: torch.Tensor[]) => {
    const copies = await Promise.all(tensors.map((t) => t.toArray()));
    return async () => {
      churn();
      for (let i = 0; i < tensors.length; i++) expect(await tensors[i]!.toArray()).toEqual(copies[i]);
    };
  };

  it('a steady-state training step of an MLP allocates only the output and the loss it hands over', () => {
    const model = net();
    const opt = new torch.optim.Adam(model.parameters());
    const [xb, yb] = [x(), y()];
    const step = () => {
      opt.zeroGrad();
      torch.nn.functional.crossEntropy(model.call(xb), yb).backward();
      opt.step();
    };
    for (let i = 0; i < 3; i++) step();
    const fresh = () => backendFor(device).memory.freshAllocations;
    if (fresh() === undefined) return; // a backend that does not count them
    const before = fresh()!;
    step();
    // The logits and the loss, which the program holds as long as it likes; the gradients zeroGrad
    // dropped go back, as nobody read them.
    expect(fresh()! - before).toBe(2);
  });

  it('a gradient the program read keeps its values after zeroGrad and later steps', async () => {
    const model = net();
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    torch.nn.functional.crossEntropy(model.call(x()), y()).backward();
    const grads = model.parameters().map((p) => p.grad!);
    const check = await kept(grads);
    opt.step();
    opt.zeroGrad();
    torch.nn.functional.crossEntropy(model.call(x()), y()).backward();
    opt.step();
    await check();
  });

  it('layer outputs seen by hooks, retained gradients and gradients read after backward stay intact', async () => {
    const model = net();
    const seen: torch.Tensor[] = [];
    (model[0] as torch.nn.Linear).registerForwardHook((_m, _i, out) => void seen.push(out as torch.Tensor));
    const gradOut: torch.Tensor[] = [];
    model[2]!.registerFullBackwardHook((_m, _gi, go) => void gradOut.push(go[0]!));
    const logits = model.call(x());
    logits.retainGrad();
    const h = logits.relu();
    const view = h.view(-1).slice(0, 1, 7);
    torch.nn.functional.crossEntropy(h, y()).backward();
    const check = await kept([
      seen[0]!,
      gradOut[0]!,
      logits,
      logits.grad!,
      h,
      view,
      (model[0] as torch.nn.Linear).weight.grad!,
    ]);
    await check();
  });

  it('a tensor saved for backward that the program holds, and a second backward with retainGraph', async () => {
    const a = torch.randn(4, 3, { device, requiresGrad: true });
    const e = a.exp();
    const s = e.mul(e).sigmoid();
    const loss = s.sum();
    loss.backward({ retainGraph: true });
    const first = await a.grad!.toArray();
    const check = await kept([e, s, loss]);
    a.grad = null;
    loss.backward();
    expect(await a.grad!.toArray()).toEqual(first);
    await check();
  });

  it('double backward (createGraph) and autograd.grad keep every gradient they hand over', async () => {
    const a = torch.randn(3, 3, { device, requiresGrad: true });
    const y2 = a.mul(a).mul(a).sum();
    const [g] = torch.autograd.grad(y2, a, { createGraph: true });
    const gg = g!.sum();
    gg.backward();
    const check = await kept([g!, a.grad!]);
    await check();
  });

  it('a custom Function keeps the gradient it is given and the one it returns', async () => {
    const stash: torch.Tensor[] = [];
    class Twice extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, t: torch.Tensor) {
        return t.mul(2);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        const out = g.mul(2);
        stash.push(g, out);
        return out;
      }
    }
    const a = torch.randn(4, { device, requiresGrad: true });
    Twice.apply(a.exp()).tanh().sum().backward();
    const check = await kept([...stash, a.grad!]);
    await check();
  });
});
