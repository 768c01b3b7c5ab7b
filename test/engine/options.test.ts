/**
 * The calling convention across the API (engine/args.ts): an options object may name any optional
 * positional argument, and a key a call does not take is an error naming the key meant.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { transforms } from '#engine/vision';
import { camelCase, closestName } from '#engine/names';
import { devices } from '../helpers/devices.ts';

const { nn, optim } = torch;
const F = nn.functional;
const { DataLoader, TensorDataset, randomSplit } = torch.utils.data;

/** Plain data to compare: tensors as nested arrays (with shape and dtype), containers recursively. */
async function plain(value: unknown): Promise<unknown> {
  if (value instanceof torch.Tensor)
    return { shape: [...value.shape], dtype: value.dtype, data: await value.toArray() };
  if (Array.isArray(value)) return Promise.all(value.map(plain));
  return value;
}

const seeded = () => new torch.Generator().manualSeed(7);
const params = () => [new nn.Parameter(torch.ones(2))];
const sgd = () => new optim.SGD(params(), { lr: 1 });

describe.each(devices)('positional arguments by name (%s)', (device) => {
  const x = torch.tensor(
    [
      [-1, 0.25, 2],
      [3, -0.5, 0.75],
    ],
    { device },
  );
  const w = torch.tensor([[1, 2, 3]], { device, dtype: 'float32' });
  const col = x.slice(1, 0, 1);

  // [call, positional spelling, the same call naming its arguments]
  const rows: [string, () => unknown, () => unknown][] = [
    ['Tensor.clamp min', () => x.clamp(0), () => x.clamp({ min: 0 })],
    ['Tensor.clamp max', () => x.clamp(null, 0.5), () => x.clamp({ max: 0.5 })],
    ['Tensor.clamp both', () => x.clamp(0, 0.5), () => x.clamp(0, { max: 0.5 })],
    ['torch.clamp', () => torch.clamp(x, 0), () => torch.clamp(x, { min: 0 })],
    ['torch.clip', () => torch.clip(x, null, 0.5), () => torch.clip(x, { max: 0.5 })],
    ['Tensor.clamp_', () => x.clone().clamp_(0), () => x.clone().clamp_({ min: 0 })],
    ['Tensor.sum', () => x.sum(1, true), () => x.sum({ dim: 1, keepdim: true })],
    ['torch.mean', () => torch.mean(x, 0), () => torch.mean(x, { dim: 0 })],
    ['Tensor.std', () => x.std(1), () => x.std({ dim: 1 })],
    ['Tensor.var', () => x.var(0, true), () => x.var({ dim: 0, keepdim: true })],
    ['Tensor.max', () => x.max(1).values, () => x.max({ dim: 1 }).values],
    ['torch.argmin', () => torch.argmin(x, 1), () => torch.argmin(x, { dim: 1 })],
    ['Tensor.logsumexp', () => x.logsumexp(0), () => x.logsumexp({ dim: 0 })],
    ['Tensor.norm', () => x.norm(1, 1), () => x.norm({ p: 1, dim: 1 })],
    ['torch.norm', () => torch.norm(x, 1), () => torch.norm(x, { p: 1 })],
    ['Tensor.softmax', () => x.softmax(1), () => x.softmax({ dim: 1 })],
    ['Tensor.squeeze', () => col.squeeze(1), () => col.squeeze({ dim: 1 })],
    ['torch.flatten', () => torch.flatten(x, 1), () => torch.flatten(x, { startDim: 1 })],
    ['Tensor.slice', () => x.slice(1, 1, 3, 1), () => x.slice(1, { start: 1, end: 3, step: 1 })],
    ['Tensor.index', () => x.index(1, 1), () => x.index(1, { dim: 1 })],
    ['torch.chunk', () => torch.chunk(x, 3, 1), () => torch.chunk(x, 3, { dim: 1 })],
    ['Tensor.split', () => x.split(2, 1), () => x.split(2, { dim: 1 })],
    ['torch.sort', () => torch.sort(x, 0, true)[0], () => torch.sort(x, { dim: 0, descending: true }).values],
    ['Tensor.topk', () => x.topk(2, 1, false).indices, () => x.topk(2, { dim: 1, largest: false })[1]],
    ['torch.arange', () => torch.arange(1, 9, 3, { device }), () => torch.arange(1, { end: 9, step: 3, device })],
    ['torch.eye', () => torch.eye(2, 3, { device }), () => torch.eye(2, { m: 3, device })],
    [
      'torch.randint',
      () => torch.randint(0, 5, [4], { generator: seeded(), device }),
      () => torch.randint(5, [4], { generator: seeded(), device }),
    ],
    ['F.dropout', () => F.dropout(x, 0.5, false), () => F.dropout(x, { p: 0.5, training: false })],
    ['F.linear', () => F.linear(x, w, w.index(0, 1)), () => F.linear(x, w, { bias: w.index(0, 1) })],
    ['F.softmax', () => F.softmax(x, 0), () => F.softmax(x, { dim: 0 })],
    [
      'Tensor.requiresGrad_',
      () => x.float().requiresGrad_(true).requiresGrad,
      () => x.float().requiresGrad_({ requiresGrad: true }).requiresGrad,
    ],
  ];

  it.each(rows)('%s', async (_, positional, named) => {
    expect(await plain(named())).toEqual(await plain(positional()));
  });
});

describe('constructors take their positional arguments by name', () => {
  const ds = new TensorDataset(torch.arange(0, 4));
  // [class, positional spelling, named spelling, what to compare]
  const rows: [string, () => unknown, () => unknown, (made: never) => unknown][] = [
    [
      'nn.Linear',
      () => new nn.Linear(2, 3, false),
      () => new nn.Linear(2, 3, { bias: false }),
      (m: torch.nn.Linear) => m.bias,
    ],
    ['nn.Dropout', () => new nn.Dropout(0.2, true), () => new nn.Dropout({ p: 0.2, inplace: true }), String],
    ['nn.Flatten', () => new nn.Flatten(0), () => new nn.Flatten({ startDim: 0 }), String],
    ['nn.Softmax', () => new nn.Softmax(1), () => new nn.Softmax({ dim: 1 }), String],
    [
      'nn.BatchNorm1d',
      () => new nn.BatchNorm1d(3, 1e-3, 0.2),
      () => new nn.BatchNorm1d(3, { eps: 1e-3, momentum: 0.2 }),
      String,
    ],
    [
      'nn.LayerNorm',
      () => new nn.LayerNorm(3, 1e-3, false),
      () => new nn.LayerNorm(3, { eps: 1e-3, elementwiseAffine: false }),
      String,
    ],
    ['nn.Conv2d', () => new nn.Conv2d(1, 2, 3, 2, 1), () => new nn.Conv2d(1, 2, 3, { stride: 2, padding: 1 }), String],
    ['nn.MaxPool2d', () => new nn.MaxPool2d(2, 1), () => new nn.MaxPool2d(2, { stride: 1 }), String],
    [
      'optim.SGD',
      () => new optim.SGD(params(), 0.1, 0.9),
      () => new optim.SGD(params(), { lr: 0.1, momentum: 0.9 }),
      (o: torch.optim.SGD) => o.defaults,
    ],
    [
      'optim.Adam',
      () => new optim.Adam(params(), 0.1, [0.8, 0.9]),
      () => new optim.Adam(params(), { lr: 0.1, betas: [0.8, 0.9] }),
      (o: torch.optim.Adam) => o.defaults,
    ],
    [
      'lrScheduler.StepLR',
      () => new optim.lrScheduler.StepLR(sgd(), 2, 0.5),
      () => new optim.lrScheduler.StepLR(sgd(), { stepSize: 2, gamma: 0.5 }),
      (s: torch.optim.lrScheduler.StepLR) => [s.stepSize, s.gamma],
    ],
    [
      'lrScheduler.ReduceLROnPlateau',
      () => new optim.lrScheduler.ReduceLROnPlateau(sgd(), 'max', 0.5),
      () => new optim.lrScheduler.ReduceLROnPlateau(sgd(), { mode: 'max', factor: 0.5 }),
      (s: torch.optim.lrScheduler.ReduceLROnPlateau) => [s.mode, s.factor],
    ],
    [
      'utils.data.DataLoader',
      () => new DataLoader(ds, 2, true),
      () => new DataLoader(ds, { batchSize: 2, shuffle: true }),
      (l: InstanceType<typeof DataLoader>) => [l.batchSize, l.shuffle],
    ],
    [
      'utils.data.randomSplit',
      () => randomSplit(ds, [2, 2], seeded()),
      () => randomSplit(ds, [2, 2], { generator: seeded() }),
      (s: { indices: ArrayLike<number> }[]) => s.map((p) => Array.from(p.indices)),
    ],
  ];

  it.each(rows)('%s', async (_, positional, named, pick) => {
    expect(await plain(pick(named() as never))).toEqual(await plain(pick(positional() as never)));
  });

  it('nn.init and clipGradNorm_ take theirs by name too', async () => {
    const a = nn.init.uniform_(torch.empty(3), -2, 2, { generator: seeded() });
    const b = nn.init.uniform_(torch.empty(3), { a: -2, b: 2, generator: seeded() });
    expect(await b.toArray()).toEqual(await a.toArray());
    const grads = () => {
      const p = new nn.Parameter(torch.ones(4));
      p.grad = torch.tensor([3, -4, 0, 0], { dtype: 'float32' });
      return p;
    };
    const n1 = nn.utils.clipGradNorm_(grads(), 1, 1);
    const n2 = nn.utils.clipGradNorm_(grads(), 1, { normType: 1 });
    expect(await n2.item()).toBe(await n1.item());
  });

  it('refuses a value given both ways', () => {
    expect(() => new nn.Linear(2, 3, true, { bias: false } as never)).toThrow(
      "torch.nn.Linear got multiple values for argument 'bias'",
    );
  });
});

describe('unknown option keys', () => {
  const x = torch.ones(2, 3);
  const ds = new TensorDataset(torch.arange(0, 4));
  const model = new nn.Linear(2, 1);
  // [a slip a learner makes, the call, the error it gets]
  const rows: [string, () => unknown, string][] = [
    [
      'snake_case on a factory',
      () => torch.randn(2, 3, { requires_grad: true } as never),
      "unknown option 'requires_grad' for torch.randn; did you mean 'requiresGrad'?",
    ],
    [
      'a typo on a factory',
      () => torch.zeros([2], { dtpye: 'float64' } as never),
      "unknown option 'dtpye' for torch.zeros; did you mean 'dtype'?",
    ],
    [
      'torch.tensor',
      () => torch.tensor([1], { requires_grad: true } as never),
      "unknown option 'requires_grad' for torch.tensor; did you mean 'requiresGrad'?",
    ],
    ['a reduction', () => x.sum({ dims: 1 } as never), "unknown option 'dims' for torch.sum; did you mean 'dim'?"],
    [
      'keep_dim',
      () => x.mean({ dim: 0, keep_dim: true } as never),
      "unknown option 'keep_dim' for torch.mean; did you mean 'keepdim'?",
    ],
    ['clamp', () => x.clamp({ mn: 0 } as never), "unknown option 'mn' for Tensor.clamp; did you mean 'min'?"],
    [
      'no close key',
      () => new nn.Linear(2, 3, { use_bias: false } as never),
      "unknown option 'use_bias' for torch.nn.Linear; it takes 'bias', 'device', 'dtype'",
    ],
    [
      'an optimizer',
      () => new optim.SGD(model.parameters(), { lr: 0.1, weight_decay: 1e-4 } as never),
      "unknown option 'weight_decay' for torch.optim.SGD; did you mean 'weightDecay'?",
    ],
    [
      'a param group',
      () => new optim.Adam([{ params: model.parameters(), learning_rate: 1 }] as never),
      "unknown option 'learning_rate' for torch.optim.Adam param group",
    ],
    [
      'a scheduler',
      () => new optim.lrScheduler.StepLR(sgd(), { step_size: 2 } as never),
      "unknown option 'step_size' for torch.optim.lrScheduler.StepLR; did you mean 'stepSize'?",
    ],
    [
      'the DataLoader',
      () => new DataLoader(ds, { batch_size: 2 } as never),
      "unknown option 'batch_size' for torch.utils.data.DataLoader; did you mean 'batchSize'?",
    ],
    [
      'a transform',
      () => new transforms.RandomCrop(2, { pad_if_needed: true } as never),
      "unknown option 'pad_if_needed' for transforms.RandomCrop; did you mean 'padIfNeeded'?",
    ],
    [
      'a functional loss',
      () => F.crossEntropy(x, torch.tensor([0, 1]), { label_smoothing: 0.1 } as never),
      "unknown option 'label_smoothing' for torch.nn.functional.crossEntropy; did you mean 'labelSmoothing'?",
    ],
    [
      'a loss module',
      () => new nn.CrossEntropyLoss({ ignore_index: 0 } as never),
      "unknown option 'ignore_index' for torch.nn.CrossEntropyLoss; did you mean 'ignoreIndex'?",
    ],
    [
      'a module method',
      () => model.zeroGrad({ set_to_none: false } as never),
      "unknown option 'set_to_none' for Module.zeroGrad; did you mean 'setToNone'?",
    ],
    [
      'backward',
      () =>
        x
          .requiresGrad_()
          .sum()
          .backward({ retain_graph: true } as never),
      "unknown option 'retain_graph' for Tensor.backward; did you mean 'retainGraph'?",
    ],
    [
      'Tensor.to',
      () => x.to({ dtype: 'float64', devcie: 'cpu' } as never),
      "unknown option 'devcie' for Tensor.to; did you mean 'device'?",
    ],
  ];

  it.each(rows)('%s', (_, call, message) => {
    expect(call).toThrow(message);
  });
});

describe("PyTorch's device and dtype names", () => {
  it.each([
    ['x.to', () => torch.ones(2).to('cuda' as never)],
    ['x.to with an index', () => torch.ones(2).to({ device: 'cuda:0' } as never)],
    ['a factory', () => torch.zeros(2, { device: 'mps' } as never)],
    ['Module.to', () => new nn.Linear(2, 2).to('cuda' as never)],
  ])("%s: 'cuda' and 'mps' point to 'webgpu'", (_, call) => {
    expect(call).toThrow(/unknown device '(cuda|cuda:0|mps)': torchlings' GPU device is 'webgpu'/);
  });

  it('int64 and long are int32 here; other names list the devices', () => {
    expect(() => torch.ones(2).to('int64' as never)).toThrow("unknown dtype 'int64'; did you mean 'int32'?");
    expect(() => torch.ones(2, { dtype: 'torch.long' } as never)).toThrow(
      "unknown dtype 'torch.long'; did you mean 'int32'?",
    );
    expect(() => torch.ones(2).to('tpu' as never)).toThrow("unknown device 'tpu': expected 'cpu' or 'webgpu'");
  });
});

describe('did you mean (engine/names.ts, shared with the grading kit)', () => {
  it("maps PyTorch's snake_case to camelCase, keeping a trailing _", () => {
    expect(['requires_grad', 'zero_grad', 'clip_grad_norm_', 'T_max', 'std'].map(camelCase)).toEqual([
      'requiresGrad',
      'zeroGrad',
      'clipGradNorm_',
      'tMax',
      'std',
    ]);
  });

  it('finds the nearest name, or none when nothing is close', () => {
    const names = ['std', 'sum', 'zeroGrad', 'mean', 'logSoftmax'];
    expect(closestName('zero_grad', names)).toBe('zeroGrad');
    expect(closestName('stdev', names)).toBe('std');
    expect(closestName('LogSoftmax', names)).toBe('logSoftmax');
    expect(closestName('backward', names)).toBeUndefined();
  });
});
