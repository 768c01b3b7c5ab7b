import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { Image, transforms, utils } from '#engine/vision';
import { devices } from '../helpers/devices.ts';
import { expectCloseValues, values } from '../helpers/assert.ts';
import PYTORCH from '../fixtures/pytorch/snippets.json' with { type: 'json' };

// The theory guide's PyTorch snippets (its §3.1–§7.3), each translated as a learner reading
// engine/API.md would write it, run on each device and compared with PyTorch 1.13's own numbers
// (test/fixtures/pytorch/snippets.py, which runs the Python originals on the same inputs). Seeded
// draws are compared where the kit reproduces PyTorch's CPU generator; a model's parameters are set
// by params() on both sides.

const nn = torch.nn;
const F = torch.nn.functional;
const optim = torch.optim;
const { DataLoader, Dataset, TensorDataset } = torch.utils.data;

/** float32 arithmetic done in another order than PyTorch's (sums, matmuls): a few ulps. */
const F32 = { atol: 1e-6, rtol: 1e-5 };
/** After several optimizer steps the float32 differences compound. */
const STEPS = { atol: 1e-5, rtol: 1e-4 };

let dir: string | undefined;
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

describe.each(devices)("the theory guide's PyTorch snippets on %s", (device) => {
  const cpu = device === 'cpu';

  /** Every parameter, in namedParameters order, set to 0.5·sin(0.37·k) over its elements (snippets.py's params). */
  function params<M extends torch.nn.Module>(model: M): M {
    torch.noGrad(() => {
      for (const [, p] of model.namedParameters()) {
        p.copy_(torch.arange(0, p.numel(), { device }).float().mul(0.37).sin().mul(0.5).view(p.shape));
      }
    });
    return model;
  }

  function mlp(Act: new () => torch.nn.Module = nn.ReLU) {
    return params(new nn.Sequential(new nn.Linear(4, 8), new Act(), new nn.Linear(8, 3)).to(device));
  }

  const X = torch.arange(0, 64, { device }).float().view(16, 4).mul(0.1).cos();
  const Y = torch.tensor([0, 1, 2, 1, 0, 2, 2, 1, 0, 0, 1, 2, 1, 0, 2, 1], { device });

  async function flat(t: torch.Tensor): Promise<number[]> {
    return values(t);
  }

  it('§3.1.1 creating tensors: zeros, ones, randn after manualSeed(0), arange, linspace', async () => {
    torch.manualSeed(0);
    const made = {
      zeros: torch.zeros(2, 3, { device }),
      ones: torch.ones(2, 3, { device }),
      randn: torch.randn(2, 3, { device }),
      arange: torch.arange(0, 10, 2, { device }),
      linspace: torch.linspace(0, 1, 5, { device }),
    };
    for (const [name, t] of Object.entries(made)) {
      const repr = PYTORCH.creation[name as keyof typeof made];
      // A WebGPU tensor prints its shape only (its values arrive later): compare what it holds.
      expect(String(cpu ? t : await t.toAsync('cpu')), name).toBe(repr);
    }
    expect(made.arange.dtype).toBe('int32'); // PyTorch's int64
  });

  it("§3.2.2 Compose([ToTensor(), Normalize(…), Resize(32), RandomCrop(28)]): PyTorch's values; no arguments is an error naming them", async () => {
    const data = new Uint8Array(28 * 28).map((_, k) => (7 * Math.floor(k / 28) + 13 * (k % 28)) % 256);
    const image = { width: 28, height: 28, channels: 1 as const, data };
    const resize = new transforms.Compose([
      new transforms.ToTensor(),
      new transforms.Normalize([0.1307], [0.3081]),
      new transforms.Resize(32),
    ]);
    const resized = resize.call(image);
    expect(resized.shape).toEqual([1, 32, 32]);
    expectCloseValues(await flat(resized), PYTORCH.transforms.resized, F32);
    const pipeline = new transforms.Compose([
      new transforms.ToTensor(),
      new transforms.Normalize([0.1307], [0.3081]),
      new transforms.Resize(32),
      new transforms.RandomCrop(28),
    ]);
    const crop = await flat(pipeline.call(image));
    const windows = [...Array(5 * 5).keys()].map((w) => {
      const [top, left] = [Math.floor(w / 5), w % 5];
      return PYTORCH.transforms.resized.filter((_, k) => {
        const [i, j] = [Math.floor(k / 32), k % 32];
        return i >= top && i < top + 28 && j >= left && j < left + 28;
      });
    });
    expect(windows.some((win) => win.every((v, k) => Math.abs(v - crop[k]!) <= 1e-5))).toBe(true);
    // The guide lists the transforms without their arguments; PyTorch refuses them too.
    expect(() => new (transforms.Normalize as unknown as new () => unknown)()).toThrow(/mean.*std/);
    expect(() => new (transforms.Resize as unknown as new () => unknown)()).toThrow(/size/);
    expect(() => new (transforms.RandomCrop as unknown as new () => unknown)()).toThrow(/size/);
  });

  it('§5.1.1 randn(64, 784) and x.view(x.size(0), -1): a [64, 784] view of the same values', async () => {
    torch.manualSeed(0);
    const data = torch.randn(64, 784, { device });
    expect(data.shape).toEqual([64, 784]);
    expectCloseValues(await flat(data.index(0).slice(0, 0, 8)), PYTORCH.view.data_head, F32);
    expect(await data.mean().item()).toBeCloseTo(PYTORCH.view.data_mean, 6);
    expect(await data.std().item()).toBeCloseTo(PYTORCH.view.data_std, 5);
    let x = torch.randn(64, 1, 28, 28, { device });
    const before = await flat(x);
    x = x.view(x.size(0), -1);
    expect(x.shape).toEqual([64, 784]);
    expect(await flat(x)).toEqual(before);
  });

  it('§5.1.2 x.pow(2).sum().backward(): x.grad is 2x, printed as PyTorch prints it', async () => {
    torch.manualSeed(0);
    const x = torch.randn(2, 2, { requiresGrad: true, device });
    const y = x.pow(2).sum();
    y.backward();
    expectCloseValues(await flat(x.grad!), PYTORCH.autograd.grad_values, F32);
    expect(await flat(x.grad!)).toEqual((await flat(x)).map((v) => Math.fround(2 * v)));
    if (cpu) {
      expect(String(x)).toBe(PYTORCH.autograd.x);
      expect(String(y)).toBe(PYTORCH.autograd.y);
      expect(String(x.grad)).toBe(PYTORCH.autograd.grad);
    }
  });

  it("§5.1.3 SimpleNN: nn.Linear(784, 128)'s seeded init, output and repr are PyTorch's", async () => {
    class SimpleNN extends nn.Module {
      fc1: torch.nn.Linear;
      constructor() {
        super();
        this.fc1 = new nn.Linear(784, 128); // W: [128, 784], b: [128]
      }
      override forward(x: torch.Tensor) {
        return this.fc1.call(x); // y = xW^T + b
      }
    }
    torch.manualSeed(0);
    const model = new SimpleNN().to(device);
    expect(model.fc1.weight.shape).toEqual([128, 784]);
    expect(model.fc1.bias!.shape).toEqual([128]);
    expectCloseValues(await flat(model.fc1.weight.index(0).slice(0, 0, 8)), PYTORCH.simple_nn.weight_head, F32);
    expectCloseValues(await flat(model.fc1.bias!.slice(0, 0, 8)), PYTORCH.simple_nn.bias_head, F32);
    const out = model.call(torch.arange(0, 784, { device }).float().div(784).view(1, 784));
    expectCloseValues(await flat(out), PYTORCH.simple_nn.out, F32);
    expect(String(model)).toBe(PYTORCH.simple_nn.repr);
  });

  it('§5.2.1 F.relu equals clamp(x, min=0), gradients included; F.crossEntropy is −log softmax at the target', async () => {
    const input = torch.tensor([[-2.0, -0.5, 0.0, 0.5, 2.0]], { requiresGrad: true, device });
    const upstream = torch.tensor([1, 2, 3, 4, 5], { dtype: 'float32', device });
    const output = F.relu(input);
    output.mul(upstream).sum().backward();
    const reluGrad = await flat(input.grad!);
    function relu(x: torch.Tensor) {
      return torch.clamp(x, { min: 0 });
    }
    input.grad = null;
    relu(input).mul(upstream).sum().backward();
    expect(await flat(output)).toEqual(PYTORCH.functional.relu);
    expect(await flat(relu(input))).toEqual(PYTORCH.functional.relu);
    expect(reluGrad).toEqual(PYTORCH.functional.relu_grad); // 0 at 0, as PyTorch's
    expect(await flat(input.grad!)).toEqual(PYTORCH.functional.clamp_grad);

    const predictions = torch.tensor(
      [
        [2.0, 1.0, 0.1],
        [0.5, 2.5, -1.0],
        [-1.0, 0.0, 3.0],
      ],
      {
        requiresGrad: true,
        device,
      },
    );
    const targets = torch.tensor([0, 1, 1], { device });
    const loss = F.crossEntropy(predictions, targets);
    loss.backward();
    expect(await loss.item()).toBeCloseTo(PYTORCH.functional.cross_entropy, 6);
    expectCloseValues(await flat(predictions.grad!), PYTORCH.functional.cross_entropy_grad, F32);
    const byHand = F.logSoftmax(predictions, 1).gather(1, targets.view(-1, 1)).mean().neg();
    expect(await byHand.item()).toBeCloseTo(PYTORCH.functional.by_hand, 6);
    if (cpu) expect(String(loss)).toBe(PYTORCH.functional.cross_entropy_repr);
  });

  it("§5.2.2 optim.Adam(model.parameters(), lr=0.001): five steps give PyTorch's losses, weights and moments", async () => {
    const model = mlp();
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.001 });
    const losses = [];
    for (let i = 0; i < 5; i++) {
      optimizer.zeroGrad();
      const loss = F.crossEntropy(model.call(X), Y);
      loss.backward();
      optimizer.step();
      losses.push(await loss.item());
    }
    expectCloseValues(losses, PYTORCH.adam.losses, F32);
    const weight = model.parameters()[0]!;
    expectCloseValues(await flat(weight), PYTORCH.adam.weight, STEPS);
    const state = optimizer.state.get(weight) as { step: number; expAvg: torch.Tensor; expAvgSq: torch.Tensor };
    expect(state.step).toBe(PYTORCH.adam.step);
    expectCloseValues(await flat(state.expAvg), PYTORCH.adam.exp_avg, STEPS);
    expectCloseValues(await flat(state.expAvgSq), PYTORCH.adam.exp_avg_sq, { atol: 1e-9, rtol: 1e-4 });
    // PyTorch's repr, in the kit's option names (camelCase; PyTorch 1.13's foreach, capturable,
    // differentiable and fused are not options here, decoupledWeightDecay is AdamW's switch).
    const printed = String(new optim.Adam(mlp().parameters(), { lr: 0.001 }));
    expect(printed).toBe(
      'Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n    decoupledWeightDecay: False\n' +
        '    eps: 1e-08\n    lr: 0.001\n    maximize: False\n    weightDecay: 0\n)',
    );
    const pyLines = PYTORCH.adam.repr.split('\n');
    for (const line of ['    amsgrad: False', '    betas: (0.9, 0.999)', '    eps: 1e-08', '    lr: 0.001'])
      expect(pyLines).toContain(line);
  });

  it("§5.3.1 StepLR(optimizer, step_size=30, gamma=0.1): PyTorch's learning rates over 100 epochs", () => {
    const optimizer = new optim.SGD(mlp().parameters(), { lr: 0.1 });
    const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
    const lrs = [];
    for (let epoch = 0; epoch < 100; epoch++) {
      optimizer.step();
      scheduler.step();
      lrs.push(scheduler.getLastLr()[0]);
    }
    expect(lrs).toEqual(PYTORCH.step_lr);
  });

  it("§6.3.1 gradient accumulation: four micro-batches of 2 per step give PyTorch's parameters", async () => {
    const model = mlp();
    const dataloader = new DataLoader(new TensorDataset(X, Y), { batchSize: 2 });
    const criterion = new nn.CrossEntropyLoss();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    const accumulationSteps = 4;
    let i = 0;
    for await (const [data, target] of dataloader) {
      const output = model.call(data!);
      const loss = criterion.call(output, target!).div(accumulationSteps);
      loss.backward();
      if ((i + 1) % accumulationSteps === 0) {
        optimizer.step();
        optimizer.zeroGrad();
      }
      i++;
    }
    const got = await Promise.all(model.parameters().map(flat));
    got.forEach((p, k) => expectCloseValues(p, PYTORCH.accumulation[k]!, F32));
  });

  it('§6.3.1 torch.cuda.amp autocast and GradScaler: off without CUDA, as in PyTorch, so a plain float32 step', async () => {
    const model = mlp();
    const criterion = new nn.CrossEntropyLoss();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    const [data, target] = [X, Y];
    const { autocast, GradScaler } = torch.cuda.amp;
    const scaler = new GradScaler();
    const loss = autocast(() => {
      const output = model.call(data);
      return criterion.call(output, target);
    });
    scaler.scale(loss).backward();
    await scaler.step(optimizer);
    scaler.update();
    expect(loss.dtype).toBe('float32');
    expect(await loss.item()).toBeCloseTo(PYTORCH.cuda_amp.loss, 6);
    const got = await Promise.all(model.parameters().map(flat));
    got.forEach((p, k) => expectCloseValues(p, PYTORCH.cuda_amp.params[k]!, F32));
  });

  it('§6.3.2 DataLoader(numWorkers, pinMemory, persistentWorkers): the batches of numWorkers: 0, every epoch', async () => {
    // Workers load on the cpu, as PyTorch's do (pinMemory is for the copy to the GPU): the data set
    // stays there and each batch moves to the device in the loop.
    const dataset = new TensorDataset(await X.toAsync('cpu'), await Y.toAsync('cpu'));
    const batches = async (loader: AsyncIterable<torch.Tensor[]>) => {
      const out = [];
      for await (const [data, target] of loader)
        out.push([await flat(data!.to(device)), await flat(target!.to(device))]);
      return out;
    };
    const plain = await batches(new DataLoader(dataset, { batchSize: 8 }));
    // The guide's numWorkers: 4 starts four worker threads; two show the same thing at half the cost.
    const dataloader = new DataLoader(dataset, {
      batchSize: 8,
      numWorkers: 2,
      pinMemory: true,
      persistentWorkers: true,
    });
    expect(await batches(dataloader)).toEqual(plain);
    expect(await batches(dataloader)).toEqual(plain);
    if (!cpu) {
      const onDevice = new DataLoader(new TensorDataset(X, Y), { batchSize: 8, numWorkers: 2 });
      await expect(batches(onDevice)).rejects.toThrow(/is a webgpu tensor, and workers load on the cpu/);
    }
  });

  it("§6.3.2 model = torch.compile(model): PyTorch's (eager) outputs, and the model's fields through the wrapper", async () => {
    class Net extends nn.Module {
      body = mlp();
      override forward(x: torch.Tensor) {
        return this.body.call(x);
      }
      logits(x: torch.Tensor) {
        return this.forward(x);
      }
    }
    let model = new Net();
    const weight = model.body.parameters()[0];
    model = torch.compile(model);
    for (let call = 0; call < 2; call++) {
      // The first call traces, the second runs the graph.
      expectCloseValues(await flat(model.call(X)), PYTORCH.compile, F32);
    }
    // PyTorch's OptimizedModule reads a name it lacks from the model (__getattr__), methods bound to it.
    expect(model.body.parameters()[0]).toBe(weight);
    expectCloseValues(await flat(model.logits(X)), PYTORCH.compile, F32);
  });

  it("§6.3.3 the gradient norm loop gives PyTorch's total norm, and clipGradNorm_'s", async () => {
    const model = mlp();
    F.crossEntropy(model.call(X), Y).backward();
    let totalNorm = 0;
    for (const p of model.parameters()) {
      if (p.grad !== null) {
        const paramNorm = p.grad.detach().norm(2);
        totalNorm += (await paramNorm.item()) ** 2;
      }
    }
    totalNorm = totalNorm ** (1 / 2);
    // The line as PyTorch writes it: x.data is x.detach() here, and the error says so.
    const grad = model.parameters()[0]!.grad!;
    expect(() => (grad.data as unknown as torch.Tensor).norm(2)).toThrow(
      "x.data.norm: PyTorch's x.data (the values without autograd history) is x.detach() here",
    );
    expect(totalNorm).toBeCloseTo(PYTORCH.grad_norm.total_norm, 6);
    const clipped = nn.utils.clipGradNorm_(model.parameters(), 1e9);
    expect(await clipped.item()).toBeCloseTo(PYTORCH.grad_norm.clip, 6);
  });

  it("§6.3.3 GPU memory: torch.cuda.isAvailable() is false, and cuda's figures point to torch.memory's", async () => {
    const printed: string[] = [];
    if (torch.cuda.isAvailable()) printed.push(`GPU memory: ${torch.cuda.memoryAllocated() / 1024 ** 2} MB`);
    expect(printed).toEqual([]); // as on a PyTorch without CUDA
    expect(() => torch.cuda.memoryAllocated()).toThrow(/torch\.memory\.allocated/);
    expect(() => torch.cuda.memoryReserved()).toThrow(/torch\.memory\.reserved/);
    const before = torch.memory.allocated(device);
    const t = torch.zeros(1024, 256, { device });
    expect(torch.memory.allocated(device) - before).toBe(1024 * 256 * 4);
    expect(t.numel()).toBe(1024 * 256);
  });

  it('§7.3 problem 1: a 3×4 rand, its row sums, mean and std are PyTorch’s', async () => {
    torch.manualSeed(0);
    const x = torch.rand(3, 4, { device });
    expect(await flat(x)).toEqual(PYTORCH.problem1.x);
    expectCloseValues(await flat(x.sum({ dim: 1 })), PYTORCH.problem1.row_sums, F32);
    expect(await x.mean().item()).toBeCloseTo(PYTORCH.problem1.mean, 6);
    expect(await x.std().item()).toBeCloseTo(PYTORCH.problem1.std, 6);
  });

  it("§7.3 problem 2: y = 2x + 1 + noise fitted by nn.Linear, MSELoss and SGD reaches PyTorch's weight and bias", async () => {
    torch.manualSeed(0);
    const x = torch.rand(100, 1, { device });
    const y = x
      .mul(2)
      .add(1)
      .add(torch.randn(100, 1, { device }).mul(0.1));
    const model = new nn.Linear(1, 1).to(device);
    const criterion = new nn.MSELoss();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    const losses = [];
    for (let epoch = 0; epoch < 200; epoch++) {
      optimizer.zeroGrad();
      const loss = criterion.call(model.call(x), y);
      loss.backward();
      optimizer.step();
      if (epoch % 20 === 0 || epoch === 199) losses.push(await loss.item());
    }
    expectCloseValues(losses, PYTORCH.problem2.losses, STEPS);
    expect(await model.weight.item()).toBeCloseTo(PYTORCH.problem2.weight, 4);
    expect(await model.bias!.item()).toBeCloseTo(PYTORCH.problem2.bias, 4);
  });

  it("§7.3 problem 3: ReLU/Sigmoid/Tanh × SGD/RMSprop/Adam with a StepLR: PyTorch's losses", async () => {
    const activations = { ReLU: nn.ReLU, Sigmoid: nn.Sigmoid, Tanh: nn.Tanh };
    const optimizers = {
      SGD: (p: torch.Tensor[]) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 }),
      RMSprop: (p: torch.Tensor[]) => new optim.RMSprop(p, { lr: 0.01 }),
      Adam: (p: torch.Tensor[]) => new optim.Adam(p, { lr: 0.01 }),
    };
    for (const [act, Act] of Object.entries(activations)) {
      for (const [name, make] of Object.entries(optimizers)) {
        const model = mlp(Act);
        const optimizer = make(model.parameters());
        const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
        const losses = [];
        for (let step = 0; step < 6; step++) {
          optimizer.zeroGrad();
          const loss = F.crossEntropy(model.call(X), Y);
          loss.backward();
          optimizer.step();
          scheduler.step();
          losses.push(await loss.item());
        }
        const key = `${act}/${name}` as keyof typeof PYTORCH.problem3;
        expectCloseValues(losses, PYTORCH.problem3[key], STEPS);
      }
    }
  });

  it('§7.3 problem 4: a Dataset over PNG files (length, getItem) with ToTensor and Normalize, batched by a DataLoader', async () => {
    dir ??= mkdtempSync(join(tmpdir(), 'torchlings-seed-snippets-'));
    const root = join(dir, device);
    await mkdir(root, { recursive: true });
    for (let k = 0; k < 6; k++) {
      const pixels = Array.from({ length: 64 }, (_, p) => (7 * Math.floor(p / 8) + 13 * (p % 8) + 31 * k) % 256);
      await utils.saveImage(torch.tensor(pixels, { dtype: 'float32' }).div(255).view(1, 8, 8), join(root, `${k}.png`));
    }

    class DigitFiles extends Dataset<[torch.Tensor, number]> {
      readonly files: string[];
      constructor(
        readonly root: string,
        readonly transform: { call(image: ReturnType<typeof Image.open>): torch.Tensor },
      ) {
        super();
        this.files = readdirSync(root).sort();
      }
      get length() {
        return this.files.length;
      }
      getItem(index: number): [torch.Tensor, number] {
        const image = Image.convert(Image.open(join(this.root, this.files[index]!)), 'L');
        return [this.transform.call(image).to(device), index];
      }
    }

    const transform = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]);
    const dataset = new DigitFiles(root, transform);
    expect(dataset.length).toBe(6);
    const got = [];
    for await (const [images, labels] of new DataLoader(dataset, { batchSize: 4 })) {
      expect(images.shape[1]).toBe(1);
      got.push(await flat(images));
      expect(labels.dtype).toBe('int32');
    }
    expect(got).toHaveLength(2);
    got.forEach((b, i) => expectCloseValues(b, PYTORCH.problem4[i]!, F32));
  });

  it("§7.3 problem 5: predictions, the misclassified samples, a saliency map and a weight image are PyTorch's", async () => {
    const model = mlp();
    const x = X.clone().requiresGrad_();
    const logits = model.call(x);
    const pred = logits.argmax(1);
    logits.gather(1, pred.view(-1, 1)).sum().backward();
    expect(await flat(pred)).toEqual(PYTORCH.problem5.pred);
    const wrong = (await flat(pred.ne(Y))).flatMap((w, i) => (w ? [i] : []));
    expect(wrong).toEqual(PYTORCH.problem5.wrong);
    expectCloseValues(await flat(x.grad!.abs()), PYTORCH.problem5.saliency, F32);
    const w = model.parameters()[0]!;
    const image = w.sub(w.min()).div(w.max().sub(w.min()));
    expectCloseValues(await flat(image), PYTORCH.problem5.weight_image, F32);
  });

  it("§7.3 problem 6: autocast's bfloat16 forward and gradient (CPU), and quantizeDynamic's int8 scales and weights", async () => {
    if (cpu) {
      const model = mlp();
      const out = torch.autocast('cpu', () => model.call(X));
      expect(out.dtype).toBe(PYTORCH.problem6.autocast_dtype);
      expect(await flat(out)).toEqual(PYTORCH.problem6.autocast_out);
      F.crossEntropy(out.float(), Y).backward();
      expectCloseValues(await flat(model.parameters()[0]!.grad!), PYTORCH.problem6.autocast_weight_grad, {
        atol: 1e-3,
        rtol: 1e-2,
      });
    }
    // PyTorch here has no fbgemm (its x86 engine is onednn), so its int8 outputs are not the kit's
    // (fbgemm's); the weights' quantization is the same: symmetric, scale max|w| / 127.5.
    const q = await torch.quantization.quantizeDynamic(mlp(), [nn.Linear], 'qint8');
    const layers = [...q.children()] as torch.nn.quantized.dynamic.Linear[];
    const scales = [await layers[0]!.scales.item(), await layers[2]!.scales.item()];
    expectCloseValues(scales, PYTORCH.problem6.quantized_scales, F32);
    expectCloseValues(await flat(layers[0]!.weight()), PYTORCH.problem6.quantized_weight, F32);
    const quantizedOut = await flat(q.call(await X.toAsync('cpu')));
    quantizedOut.forEach((v, i) => expect(Math.abs(v - PYTORCH.problem6.float_out[i]!)).toBeLessThan(0.03));
  });
});
