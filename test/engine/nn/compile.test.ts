/** torch.compile: PyTorch 2's wrapper, with the same parameters, outputs and gradients as eager. */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';

const { nn } = torch;

describe.each(devices)('torch.compile (%s)', (device) => {
  function net() {
    torch.manualSeed(0);
    return new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Dropout(0.5), new nn.Linear(8, 3)).to(device);
  }

  it('gives the outputs and gradients of the model itself, on the same parameters', async () => {
    const eager = net();
    const compiled = torch.compile(net());
    const x = torch.randn(5, 4, { device });
    for (const m of [eager, compiled]) {
      m.eval();
      m.call(x).pow(2).sum().backward();
    }
    expect(await compiled.call(x).toArray()).toEqual(await eager.call(x).toArray());
    const grads = async (m: torch.nn.Module) => Promise.all(m.parameters().map((p) => p.grad!.toArray()));
    expect(await grads(compiled)).toEqual(await grads(eager));
  });

  it("wraps, as PyTorch's OptimizedModule: _origMod, shared parameters, prefixed state dict, modes", () => {
    const model = net();
    const compiled = torch.compile(model) as torch.OptimizedModule;
    expect(compiled).toBeInstanceOf(torch.OptimizedModule);
    expect(compiled._origMod).toBe(model);
    expect(compiled.parameters()).toEqual(model.parameters());
    expect(Object.keys(compiled.stateDict())[0]).toBe('_origMod.0.weight');
    compiled.eval();
    expect(model.training).toBe(false);
    const optimizer = new torch.optim.SGD(compiled.parameters(), { lr: 0.1 });
    expect(optimizer.paramGroups[0]!.params[0]).toBe(model.parameters()[0]);
  });
});

describe('torch.compile options', () => {
  it('takes PyTorch options, refuses an unknown mode or key, and disable returns the model', () => {
    const model = new nn.Linear(2, 2);
    expect(torch.compile(model, { mode: 'reduce-overhead', fullgraph: true, dynamic: false })).toBeInstanceOf(
      torch.OptimizedModule,
    );
    expect(torch.compile(model, { disable: true })).toBe(model);
    expect(() => torch.compile(model, { mode: 'fast' as never })).toThrow(
      'Unrecognized mode=fast, should be one of: default, reduce-overhead, max-autotune',
    );
    expect(() => torch.compile(model, { full_graph: true } as never)).toThrow("unknown option 'full_graph'");
    expect(() => torch.compile(3 as never)).toThrow('torch.compile: expected a Module or a function, got number');
  });

  it('compiles a function to one that computes the same', async () => {
    const f = (a: torch.Tensor, b: torch.Tensor) => a.sin().add(b.cos());
    const g = torch.compile(f);
    const [a, b] = [torch.randn(3), torch.randn(3)];
    expect(await g(a, b).toArray()).toEqual(await f(a, b).toArray());
  });
});
