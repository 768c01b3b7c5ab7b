import { describe, expect, it } from 'vitest';
import * as torch from '#engine';

const { nn } = torch;

class Net extends nn.Module {
  fc1 = new nn.Linear(4, 3);
  relu = new nn.ReLU();
  fc2 = new nn.Linear(3, 2);
  scale = 2; // not a parameter: plain fields are ignored
  loose = torch.zeros(3, { requiresGrad: true }); // a plain tensor is not registered, as in PyTorch
  override forward(x: torch.Tensor): torch.Tensor {
    return this.fc2.call(this.relu.call(this.fc1.call(x)));
  }
}

class WithBuffer extends nn.Module {
  declare running: torch.Tensor;
  declare scratch: torch.Tensor;
  w = new nn.Parameter(torch.ones(2));
  constructor() {
    super();
    this.registerBuffer('running', torch.zeros(2));
    this.registerBuffer('scratch', torch.zeros(2), { persistent: false });
  }
  override forward(x: torch.Tensor) {
    return x.mul(this.w).add(this.running);
  }
}

describe('Module registration', () => {
  it('finds parameters and children from fields, with dotted names in definition order', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['fc1.weight', [3, 4]],
      ['fc1.bias', [3]],
      ['fc2.weight', [2, 3]],
      ['fc2.bias', [2]],
    ]);
    expect(net.parameters()).toHaveLength(4);
    expect(net.parameters().every((p) => p instanceof nn.Parameter && p.requiresGrad && p.isLeaf)).toBe(true);
    expect(net.namedChildren().map(([n]) => n)).toEqual(['fc1', 'relu', 'fc2']);
    expect(net.children()[0]).toBe(net.fc1);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'fc1', 'relu', 'fc2']);
    expect(net.modules()[0]).toBe(net);
    expect(net.fc1.parameters({ recurse: false })).toHaveLength(2);
  });

  it('lists a shared parameter once, and a shared module once', () => {
    const net = new Net();
    const tied = new (class extends nn.Module {
      a = net.fc1;
      b = net.fc1;
    })();
    expect(tied.parameters()).toHaveLength(2);
    expect(tied.namedModules().map(([n]) => n)).toEqual(['', 'a']);
    expect(tied.namedParameters({ removeDuplicate: false }).map(([n]) => n)).toEqual([
      'a.weight',
      'a.bias',
      'b.weight',
      'b.bias',
    ]);
  });

  it('skips an absent bias', () => {
    const lin = new nn.Linear(3, 2, { bias: false });
    expect(lin.bias).toBeNull();
    expect(lin.namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(new nn.Linear(3, 2, false).bias).toBeNull();
  });

  it('registers buffers: in namedBuffers and (if persistent) in stateDict, not in parameters', () => {
    const m = new WithBuffer();
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['running', 'scratch']);
    expect(Object.keys(m.stateDict())).toEqual(['w', 'running']);
    expect(m.parameters()).toHaveLength(1);
    expect(() => m.registerBuffer('forward', torch.zeros(1))).toThrow(/already exists/);
    expect(() => m.registerBuffer('a.b', torch.zeros(1))).toThrow(/can't be empty or contain "."/);
  });

  it('train() and eval() set the mode recursively', () => {
    const net = new Net();
    expect(net.training).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.fc2.training).toBe(true);
  });

  it('zeroGrad sets grads to null by default, or zeroes them in place', async () => {
    const net = new Net();
    net.call(torch.ones(2, 4)).sum().backward();
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
    const g = net.fc1.weight.grad!;
    net.zeroGrad({ setToNone: false });
    expect(net.fc1.weight.grad).toBe(g);
    expect(Array.from(await g.data()).every((v) => v === 0)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('to() keeps Parameter identity (so an optimizer still holds them) and casts floats only', async () => {
    const net = new Net();
    const before = net.parameters();
    const optimizer = new torch.optim.SGD(net.parameters(), { lr: 0.1 });
    const values = await net.fc1.weight.data();
    net.to('float64');
    expect(net.parameters()).toEqual(before);
    expect(net.parameters().every((p, i) => p === before[i] && p.dtype === 'float64')).toBe(true);
    expect(Array.from(await net.fc1.weight.data())).toEqual(Array.from(values));
    expect(optimizer.paramGroups[0]!.params[0]).toBe(net.fc1.weight);
    const bn = new nn.BatchNorm1d(3).double();
    expect(bn.runningMean!.dtype).toBe('float64');
    expect(bn.numBatchesTracked!.dtype).toBe('int32');
    expect(net.to('cpu')).toBe(net);
  });

  it('apply() visits children first, then the module', () => {
    const seen: string[] = [];
    new Net().apply((m) => seen.push(m.constructor.name));
    expect(seen).toEqual(['Linear', 'ReLU', 'Linear', 'Net']);
  });
});

describe('Module state dicts', () => {
  it('round-trips values into a fresh model', async () => {
    torch.manualSeed(1);
    const a = new Net();
    torch.manualSeed(2);
    const b = new Net();
    const sd = a.stateDict();
    expect(Object.keys(sd)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    expect(sd['fc1.weight']!.requiresGrad).toBe(false);
    const result = b.loadStateDict(sd);
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    for (const [name, p] of b.namedParameters())
      expect(Array.from(await p.data())).toEqual(Array.from(await sd[name]!.data()));
    const x = torch.randn(3, 4);
    expect(await b.call(x).toArray()).toEqual(await a.call(x).toArray());
    // Loading copies: changing the source later leaves the model alone.
    torch.noGrad(() => a.fc1.bias!.add_(1));
    expect(Array.from(await b.fc1.bias!.data())).not.toEqual(Array.from(await a.fc1.bias!.data()));
  });

  it('includes BatchNorm running statistics and restores them', async () => {
    const bn = new nn.BatchNorm1d(2);
    bn.call(
      torch.tensor(
        [
          [1, 2],
          [3, 6],
          [5, 7],
        ],
        { dtype: 'float32' },
      ),
    );
    const fresh = new nn.BatchNorm1d(2);
    fresh.loadStateDict(bn.stateDict());
    expect(await fresh.runningMean!.toArray()).toEqual(await bn.runningMean!.toArray());
    expect(await fresh.numBatchesTracked!.item()).toBe(1);
  });

  it("loads a state dict PyTorch saved: its snake_case buffer names are the kit's camelCase ones", async () => {
    const bn = new nn.BatchNorm1d(2);
    const pytorch = {
      weight: torch.tensor([1, 2], { dtype: 'float32' }),
      bias: torch.tensor([0, 1], { dtype: 'float32' }),
      running_mean: torch.tensor([0.5, -0.5], { dtype: 'float32' }),
      running_var: torch.tensor([2, 3], { dtype: 'float32' }),
      num_batches_tracked: torch.tensor(7),
    };
    expect(bn.loadStateDict(pytorch)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(await bn.runningVar!.toArray()).toEqual([2, 3]);
    expect(await bn.numBatchesTracked!.item()).toBe(7);
    const linear = new nn.Linear(2, 1);
    const compiled = torch.compile(new nn.Sequential(linear));
    const weight = torch.tensor([[3, 4]], { dtype: 'float32' });
    compiled.loadStateDict({ '_orig_mod.0.weight': weight, '_orig_mod.0.bias': torch.zeros(1) });
    expect(await linear.weight.toArray()).toEqual([[3, 4]]);
    // A name that is neither spelling stays unexpected.
    expect(() => bn.loadStateDict({ ...pytorch, running_total: torch.zeros(2) })).toThrow(
      'Unexpected key(s) in state_dict: "running_total".',
    );
  });

  it('names missing and unexpected keys, and shape mismatches, like PyTorch', () => {
    const net = new Net();
    const sd = net.stateDict();
    delete sd['fc2.weight'];
    sd['fc3.bias'] = torch.zeros(2);
    sd['fc1.bias'] = torch.zeros(5);
    let message = '';
    try {
      net.loadStateDict(sd);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      'Error(s) in loading state_dict for Net:\n' +
        '\tMissing key(s) in state_dict: "fc2.weight".\n' +
        '\tUnexpected key(s) in state_dict: "fc3.bias".\n' +
        '\tsize mismatch for fc1.bias: copying a param with shape [5] from checkpoint, the shape in current model is [3].',
    );
  });

  it('with strict: false reports the keys instead of failing', () => {
    const net = new Net();
    const sd = net.stateDict();
    delete sd['fc2.bias'];
    sd.extra = torch.zeros(1);
    expect(net.loadStateDict(sd, { strict: false })).toEqual({ missingKeys: ['fc2.bias'], unexpectedKeys: ['extra'] });
    expect(net.loadStateDict(new Map(Object.entries(net.stateDict())))).toEqual({
      missingKeys: [],
      unexpectedKeys: [],
    });
  });
});

describe('Module calling and printing', () => {
  it('call() runs pre-hooks, forward, then hooks; handles remove them', async () => {
    const lin = new nn.Linear(2, 2);
    const log: string[] = [];
    const pre = lin.registerForwardPreHook((_m, args) => {
      log.push('pre');
      return [(args[0] as torch.Tensor).mul(0)];
    });
    const post = lin.registerForwardHook((_m, _args, out) => {
      log.push('post');
      return (out as torch.Tensor).mul(0).add(7);
    });
    expect(await lin.call(torch.ones(1, 2)).toArray()).toEqual([[7, 7]]);
    expect(log).toEqual(['pre', 'post']);
    pre.remove();
    post.remove();
    expect(await lin.call(torch.ones(1, 2)).toArray()).toEqual(await lin.forward(torch.ones(1, 2)).toArray());
  });

  it('a Module without forward fails clearly', () => {
    expect(() => new nn.Module().call()).toThrow('Module [Module] is missing the required "forward" function');
  });

  it('prints like PyTorch', () => {
    const net = new (class Net extends nn.Module {
      fc1 = new nn.Linear(784, 128);
      relu = new nn.ReLU();
      body = new nn.Sequential(
        new nn.Conv2d(1, 8, 3, { padding: 1, bias: false }),
        new nn.MaxPool2d(2),
        new nn.Dropout(0.25),
      );
    })();
    expect(String(net)).toBe(
      [
        'Net(',
        '  (fc1): Linear(in_features=784, out_features=128, bias=True)',
        '  (relu): ReLU()',
        '  (body): Sequential(',
        '    (0): Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)',
        '    (1): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)',
        '    (2): Dropout(p=0.25, inplace=False)',
        '  )',
        ')',
      ].join('\n'),
    );
    expect(String(new nn.BatchNorm1d(64))).toBe(
      'BatchNorm1d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
    );
    expect(String(new nn.LayerNorm([4, 5]))).toBe('LayerNorm((4, 5), eps=1e-05, elementwise_affine=True)');
    expect(String(new nn.Softmax({ dim: 1 }))).toBe('Softmax(dim=1)');
    expect(String(new nn.Flatten())).toBe('Flatten(start_dim=1, end_dim=-1)');
    expect(String(new nn.CrossEntropyLoss())).toBe('CrossEntropyLoss()');
    expect(String(new nn.Parameter(torch.tensor([1, 2], { dtype: 'float32' })))).toMatch(
      /^Parameter containing:\ntensor\(/,
    );
  });
});

describe('Sequential and ModuleList', () => {
  it('Sequential chains, indexes and names layers "0", "1", …', async () => {
    const seq = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 1));
    expect(seq.length).toBe(3);
    expect(seq[0]).toBe(seq.at(0));
    expect(seq.at(-1)).toBe(seq[2]);
    expect(() => seq.at(3)).toThrow(/out of range/);
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    const x = torch.randn(2, 3);
    const manual = seq[2]!.call(seq[1]!.call(seq[0]!.call(x)));
    expect(await seq.call(x).toArray()).toEqual(await manual.toArray());
    expect([...seq]).toHaveLength(3);
  });

  it('Sequential keeps given names, and supports append', () => {
    const seq = new nn.Sequential({ fc: new nn.Linear(2, 2), act: new nn.Tanh() });
    seq.append(new nn.Sigmoid());
    expect(seq.namedChildren().map(([n]) => n)).toEqual(['fc', 'act', '2']);
  });

  it('ModuleList registers its layers, and numbers layers past 9 in order', () => {
    const layers = new nn.ModuleList(Array.from({ length: 12 }, () => new nn.Linear(2, 2)));
    expect(layers.length).toBe(12);
    expect(
      layers
        .namedParameters()
        .map(([n]) => n)
        .slice(-2),
    ).toEqual(['11.weight', '11.bias']);
    layers.insert(0, new nn.ReLU());
    expect(layers[0]).toBeInstanceOf(nn.ReLU);
    expect(layers.length).toBe(13);
    const holder = new (class extends nn.Module {
      blocks = layers;
    })();
    expect(holder.parameters()).toHaveLength(24);
  });
});
