/** torch.compile: PyTorch 2's wrapper, with the same parameters, outputs and gradients as eager. */
import { describe, expect, it, vi } from 'vitest';
import * as torch from '#engine';
import { backendFor } from '../../../engine/backend/registry.ts';
import { expectCloseValues, values } from '../../helpers/assert.ts';
import { devices } from '../../helpers/devices.ts';

const { nn } = torch;
const F = nn.functional;

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

/** Spies on the device's kernels: how many elementwise launches (unary, binary, where) and fused ones (a kernel the backend lacks counts 0). */
function kernels(
  device: torch.Device,
  names: readonly ('unary' | 'binary' | 'where' | 'fused' | 'matmul' | 'reluBackward')[] = [
    'unary',
    'binary',
    'where',
    'fused',
    'matmul',
  ],
) {
  const backend = backendFor(device);
  const spies = names.flatMap((k) => (backend[k] ? [[k, vi.spyOn(backend, k)] as const] : []));
  return {
    count: () =>
      Object.fromEntries(names.map((k) => [k, spies.find(([name]) => name === k)?.[1].mock.calls.length ?? 0])),
    restore: () => spies.forEach(([, s]) => s.mockRestore()),
  };
}

/**
 * Compiled equals eager: bit for bit on the CPU (each fused step is rounded to float32 as storing it
 * rounds it, and the backward kernels compute eager's formulas, op by op, on eager's values). On WebGPU within 2 float32
 * ulps: the shader compiler may contract a fused kernel's a·b + c into one fused multiply-add.
 */
async function expectSame(device: torch.Device, got: torch.Tensor, want: torch.Tensor): Promise<void> {
  const [g, w] = [await values(got), await values(want)];
  if (device === 'cpu') expect(g).toEqual(w);
  else expectCloseValues(g, w, { atol: 1e-6, rtol: 2.4e-7 });
}

describe.each(devices)('torch.compile fuses (%s)', (device) => {
  it('sigmoid(x) * 2 - 1 into one kernel, with eager values and gradients', async () => {
    const f = (x: torch.Tensor) => x.sigmoid().mul(2).sub(1);
    const g = torch.compile(f);
    const x = torch.randn([3, 500], { device, requiresGrad: true });
    g(x); // traces
    const k = kernels(device);
    const y = g(x);
    const counts = k.count();
    k.restore();
    expect(counts).toMatchObject({ fused: 1, unary: 0, binary: 0, where: 0 });
    expect(y.gradFn?.name).toBe('CompiledFunctionBackward');
    const want = f(x);
    await expectSame(device, y, want);
    const [gx] = torch.autograd.grad(y.sum(), [x]);
    const [wx] = torch.autograd.grad(want.sum(), [x]);
    await expectSame(device, gx!, wx!);
  });

  it('relu(x @ W.T + b): the product, then bias-add and ReLU as one epilogue kernel over it, in place', async () => {
    torch.manualSeed(1);
    const lin = new nn.Linear(16, 64).to(device);
    const f = (x: torch.Tensor) => lin.call(x).relu();
    const g = torch.compile(f);
    const x = torch.randn([8, 16], { device });
    g(x);
    const k = kernels(device);
    const y = g(x);
    const counts = k.count();
    const backend = backendFor(device);
    const [product, epilogue] = [vi.mocked(backend.matmul), vi.mocked(backend.fused!)].map((m) => m.mock.calls[0]!);
    k.restore();
    expect(counts).toMatchObject({ matmul: 1, fused: 1, unary: 0, binary: 0 });
    expect(epilogue![2].buffer).toBe(product![2].buffer);
    await expectSame(device, y, f(x));
  });

  it('an epilogue whose backward reads the product, a residual, a product used twice: eager values and gradients', async () => {
    torch.manualSeed(8);
    const lin = new nn.Linear(32, 32).to(device);
    const a = torch.rand([1, 32], { device, requiresGrad: true });
    // [name, launches of matmul and binary (the bias add of a Linear run as itself), the function]
    const cases: [string, { matmul: number; binary: number }, (x: torch.Tensor) => torch.Tensor][] = [
      // (x·wᵀ + b)·a: a's gradient reads the product, so the epilogue writes a buffer of its own.
      ['product times a', { matmul: 1, binary: 0 }, (x) => lin.call(x).mul(a)],
      // x is the product's operand and, at the output's shape, an input of the epilogue too.
      ['residual', { matmul: 1, binary: 0 }, (x) => lin.call(x).tanh().add(x)],
      // Read twice, the product is Linear's own node and the chain fuses without it.
      [
        'used twice',
        { matmul: 1, binary: 1 },
        (x) => {
          const p = lin.call(x);
          return p.sigmoid().mul(p);
        },
      ],
    ];
    for (const [name, launches, f] of cases) {
      const g = torch.compile(f, { fullgraph: true });
      const x = torch.randn([6, 32], { device, requiresGrad: true });
      g(x);
      const k = kernels(device);
      const y = g(x);
      const counts = k.count();
      k.restore();
      expect(counts, name).toMatchObject({ ...launches, unary: 0 });
      const want = f(x);
      await expectSame(device, y, want);
      const params = [x, lin.weight, lin.bias!, a];
      const w = torch.randn([6, 32], { device });
      const got = torch.autograd.grad(y.mul(w).sum(), params, { allowUnused: true });
      const ref = torch.autograd.grad(want.mul(w).sum(), params, { allowUnused: true });
      for (const [i, r] of ref.entries()) {
        if (r) await expectSame(device, got[i]!, r);
        else expect(got[i], `${name}: input ${i}`).toBeNull();
      }
    }
  });

  it('backward of relu(x @ W.T + b): one fused kernel from the saved output, then the two products', async () => {
    torch.manualSeed(1);
    const lin = new nn.Linear(16, 64).to(device);
    const f = (x: torch.Tensor) => lin.call(x).relu();
    const g = torch.compile(f);
    const x = torch.randn([8, 16], { device, requiresGrad: true });
    g(x);
    const y = g(x);
    const k = kernels(device, ['fused', 'where', 'reluBackward', 'binary', 'matmul']);
    const [gx, gw, gb] = torch.autograd.grad(y.sum(), [x, lin.weight, lin.bias!]);
    const counts = k.count();
    k.restore();
    // The ReLU mask once, then addmm's backward: two products (the bias's column sum is a reduction).
    expect(counts).toMatchObject({ fused: 1, where: 0, reluBackward: 0, binary: 0, matmul: 2 });
    const want = torch.autograd.grad(f(x).sum(), [x, lin.weight, lin.bias!]);
    for (const [i, got] of [gx!, gw!, gb!].entries()) await expectSame(device, got, want[i]!);
  });

  it("fused backward kernels follow each op's eager formula: inputs used twice, broadcast, scalars, too many inputs", async () => {
    // x, y, e: full shape; a, s, c, d broadcast to it.
    const chains: [string, (...t: torch.Tensor[]) => torch.Tensor][] = [
      ['mul add sigmoid tanh div relu', (x, _y, a) => x.mul(a!).add(1).sigmoid().mul(x.tanh()).div(a!).relu()],
      ['abs sqrt log sub sin exp', (x, y) => x.abs().add(1).sqrt().log().sub(y!.sin().exp())],
      [
        'cos neg reciprocal rsqrt',
        (x, y) => x.cos().neg().add(2).reciprocal().mul(y!.abs().add(1).rsqrt()).sub(x.exp().mul(3)),
      ],
      // x's gradient would read 8 values, more than a WebGPU kernel binds: the ops' backwards run one by one.
      ['8-value gradient', (x, y, a, s, c, d, e) => x.mul(y!).mul(a!).mul(s!).mul(c!).mul(d!).mul(e!).sigmoid()],
    ];
    for (const [name, f] of chains) {
      torch.manualSeed(7);
      const shapes = [[3, 300], [3, 300], [1, 300], [1], [3, 1], [300], [3, 300]];
      const args = shapes.map((s) => torch.rand(s, { device }).add(0.5).requiresGrad_());
      const g = torch.compile(f);
      g(...args);
      const k = kernels(device);
      const y = g(...args);
      const counts = k.count();
      k.restore();
      expect(counts, name).toMatchObject({ fused: 1, unary: 0, binary: 0 });
      const want = f(...args);
      await expectSame(device, y, want);
      const w = torch.randn([3, 300], { device });
      const got = torch.autograd.grad(y.mul(w).sum(), args, { allowUnused: true });
      const ref = torch.autograd.grad(want.mul(w).sum(), args, { allowUnused: true });
      for (const [i, r] of ref.entries()) {
        if (r) await expectSame(device, got[i]!, r);
        else expect(got[i], `${name}: input ${i}`).toBeNull();
      }
    }
  });

  it('a compiled MLP training step allocates no more new buffers than eager', () => {
    const fresh = () => backendFor(device).memory.freshAllocations;
    if (fresh() === undefined) return; // a backend that does not count them
    const perStep = (compile: boolean) => {
      torch.manualSeed(0);
      const model = new nn.Sequential(new nn.Linear(6, 8), new nn.ReLU(), new nn.Linear(8, 3)).to(device);
      const run = compile ? torch.compile(model) : model;
      const opt = new torch.optim.Adam(model.parameters());
      const [x, y] = [torch.randn(5, 6, { device }), torch.tensor([0, 2, 1, 1, 0], { device })];
      const step = () => {
        opt.zeroGrad();
        F.crossEntropy(run.call(x), y).backward();
        opt.step();
      };
      for (let i = 0; i < 3; i++) step();
      const before = fresh()!;
      step();
      return fresh()! - before;
    };
    expect(perStep(true)).toBe(perStep(false));
  });

  it('an MLP, a small CNN and MNIST MLP training steps: outputs, gradients and parameters as eager', async () => {
    const mlp = () =>
      new nn.Sequential(
        new nn.Linear(6, 32),
        new nn.Tanh(),
        new nn.Linear(32, 32),
        new nn.ReLU(),
        new nn.Linear(32, 3),
      );
    const cnn = () =>
      new nn.Sequential(
        new nn.Conv2d(1, 4, 3, { padding: 1 }),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Flatten(),
        new nn.Linear(64, 5),
        new nn.Sigmoid(),
      );
    for (const [make, shape] of [
      [mlp, [5, 6]],
      [cnn, [2, 1, 8, 8]],
    ] as const) {
      torch.manualSeed(2);
      const eager = make().to(device);
      torch.manualSeed(2);
      const compiled = torch.compile(make().to(device));
      const x = torch.randn([...shape], { device });
      compiled.call(x);
      const outs = [eager.call(x), compiled.call(x)];
      for (const y of outs) y.pow(2).sum().backward();
      await expectSame(device, outs[1]!, outs[0]!);
      for (const [i, p] of eager.parameters().entries())
        await expectSame(device, compiled.parameters()[i]!.grad!, p.grad!);
    }
    // The MNIST MLP (784-128-10, ReLU, Adam, cross-entropy), three training steps on random batches.
    const train = (compile: boolean) => {
      torch.manualSeed(3);
      const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10)).to(device);
      const run = compile ? torch.compile(model) : model;
      const optimizer = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
      for (let i = 0; i < 3; i++) {
        const x = torch.randn([16, 784], { device });
        const y = torch.randint(0, 10, [16], { device });
        optimizer.zeroGrad();
        F.crossEntropy(run.call(x), y).backward();
        optimizer.step();
      }
      return model.parameters();
    };
    const [want, got] = [train(false), train(true)];
    for (const [i, p] of want.entries()) await expectSame(device, got[i]!, p);
  });

  it('a compiled loss function, a Linear+ReLU stack into crossEntropy in one graph: loss and gradients as eager', async () => {
    torch.manualSeed(3);
    const model = new nn.Sequential(new nn.Linear(20, 16), new nn.ReLU(), new nn.Linear(16, 5)).to(device);
    const f = (x: torch.Tensor, y: torch.Tensor) => F.crossEntropy(model.call(x), y);
    const g = torch.compile(f, { fullgraph: true });
    const [x, y] = [torch.randn([8, 20], { device }), torch.randint(0, 5, [8], { device })];
    g(x, y);
    const [got, want] = [g(x, y), f(x, y)];
    await expectSame(device, got, want);
    const [gotGrads, wantGrads] = [got, want].map((l) => torch.autograd.grad(l, model.parameters()));
    for (const [i, w] of wantGrads!.entries()) await expectSame(device, gotGrads![i]!, w!);
  });

  it('a graph break (an in-place update, random numbers) runs eagerly with the right values; fullgraph raises naming it', async () => {
    // BatchNorm in training mode updates its running statistics in place.
    const bn = () => {
      torch.manualSeed(6);
      return new nn.Sequential(new nn.Linear(300, 8), new nn.BatchNorm1d(8), new nn.ReLU()).to(device);
    };
    const x = torch.randn([4, 300], { device });
    const [eagerBn, compiledBn] = [bn(), torch.compile(bn()) as torch.OptimizedModule<torch.nn.Sequential>];
    await expectSame(device, compiledBn.call(x), eagerBn.call(x));
    const k = kernels(device);
    const y = compiledBn.call(x);
    const counts = k.count();
    k.restore();
    expect(counts.fused).toBe(0);
    await expectSame(device, y, eagerBn.call(x));
    const mean = (m: torch.nn.Module) => (m as torch.nn.Sequential)[1] as torch.nn.BatchNorm1d;
    await expectSame(device, mean(compiledBn._origMod).runningMean!, mean(eagerBn).runningMean!);
    expect(() => torch.compile(bn(), { fullgraph: true }).call(x)).toThrow(
      /^torch.compile\(fullgraph: true\): graph break at the (mul|add) binary kernel launched outside an op/,
    );
    const drop = new nn.Sequential(new nn.Linear(300, 300), new nn.Dropout(0.5), new nn.ReLU()).to(device);
    const compiled = torch.compile(drop);
    torch.manualSeed(4);
    const eager = await values(drop.call(x));
    for (let i = 0; i < 2; i++) {
      torch.manualSeed(4);
      expect(await values(compiled.call(x))).toEqual(eager);
    }
    expect(() => torch.compile(drop, { fullgraph: true }).call(x)).toThrow(
      /graph break at random numbers drawn outside an op/,
    );
  });

  it('runs a model with hooks eagerly, so its hooks run on every call; fullgraph raises', () => {
    const model = new nn.Sequential(new nn.Linear(4, 4), new nn.ReLU()).to(device);
    const seen: number[] = [];
    model[1]!.registerForwardHook(() => void seen.push(seen.length));
    const compiled = torch.compile(model);
    const x = torch.randn([2, 4], { device });
    for (let i = 0; i < 3; i++) compiled.call(x);
    expect(seen).toEqual([0, 1, 2]);
    expect(() => torch.compile(model, { fullgraph: true }).call(x)).toThrow('graph break at module hooks');
    // A hook on the wrapper itself runs as on any module, around the compiled forward.
    const plain = new nn.Sequential(new nn.Linear(4, 4), new nn.ReLU()).to(device);
    const wrapped = torch.compile(plain, { fullgraph: true });
    const outputs: torch.Tensor[] = [];
    wrapped.registerForwardHook((_m, _input, output) => void outputs.push(output as torch.Tensor));
    for (let i = 0; i < 2; i++) expect(wrapped.call(x)).toBe(outputs[i]);
    expect(outputs).toHaveLength(2);
  });

  it('retraces when a guard changes: input shape, training mode, a replaced parameter', async () => {
    torch.manualSeed(5);
    const model = new nn.Sequential(new nn.Linear(8, 300), new nn.Dropout(0.2), new nn.Sigmoid()).to(device);
    const compiled = torch.compile(model, { fullgraph: true });
    compiled.eval();
    for (const batch of [2, 3, 2]) {
      const x = torch.randn([batch, 8], { device });
      compiled.call(x);
      const k = kernels(device);
      const y = compiled.call(x);
      const counts = k.count();
      k.restore();
      expect(counts.fused).toBe(1);
      expect(y.shape).toEqual([batch, 300]);
      await expectSame(device, y, model.call(x));
    }
    compiled.train();
    expect(() => compiled.call(torch.randn([2, 8], { device }))).toThrow(/random numbers/);
    compiled.eval();
    const x = torch.randn([2, 8], { device });
    (model[0] as torch.nn.Linear).bias = new nn.Parameter(torch.ones(300, { device }));
    await expectSame(device, compiled.call(x), model.call(x));
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
