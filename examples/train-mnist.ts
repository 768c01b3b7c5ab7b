/**
 * Trains a 784-128-10 MLP on MNIST: `npm run train:mnist -- --epochs 3 --device cpu`.
 *
 * The input pipeline follows the fast path torchvision users take for small datasets: the whole
 * training set is normalised once, as one tensor, and batches are sliced out of a TensorDataset,
 * so that no per-sample tensors are made on the hot path and the model, not the data, sets the pace.
 */
import { parseArgs } from 'node:util';
import * as torch from '#engine';
import { datasets } from '#engine/vision';
import { ProgressBar } from './progress.ts';

const { values: args } = parseArgs({
  options: {
    device: { type: 'string', default: 'cpu' },
    epochs: { type: 'string', default: '3' },
    'batch-size': { type: 'string', default: '64' },
    seed: { type: 'string', default: '0' },
    lr: { type: 'string', default: '1e-3' },
    save: { type: 'string' },
  },
});

function positive(name: string, value: string | undefined, integer = true): number {
  const n = Number(value);
  if (!(n > 0) || (integer && !Number.isInteger(n)))
    throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  return n;
}

const device = args.device as torch.Device;
if (device !== 'cpu' && device !== 'webgpu') throw new Error(`--device must be cpu or webgpu, got ${args.device}`);
if (device === 'webgpu' && !(await torch.webgpu.init()))
  throw new Error('--device webgpu: no WebGPU adapter found on this machine');
const epochs = positive('epochs', args.epochs);
const batchSize = positive('batch-size', args['batch-size']);
const lr = positive('lr', args.lr, false);
const seed = Number(args.seed);
torch.manualSeed(seed);

// MNIST's training-set mean and std, the constants every MNIST tutorial normalises with.
const MEAN = 0.1307;
const STD = 0.3081;
function tensorsOf(train: boolean): [torch.Tensor, torch.Tensor] {
  const mnist = new datasets.MNIST({ train });
  const x = mnist.data
    .div(255)
    .sub(MEAN)
    .div(STD)
    .reshape(mnist.length, 28 * 28);
  return [x, mnist.targets];
}

const started = performance.now();
const [trainX, trainY] = tensorsOf(true);
const [testX, testY] = tensorsOf(false);
const trainLoader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(trainX, trainY), {
  batchSize,
  shuffle: true,
});
const testLoader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(testX, testY), {
  batchSize: 1000,
});

const model = new torch.nn.Sequential(
  new torch.nn.Linear(784, 128),
  new torch.nn.ReLU(),
  new torch.nn.Linear(128, 10),
).to(device);
const optimizer = new torch.optim.Adam(model.parameters(), { lr });
const lossFn = new torch.nn.CrossEntropyLoss();

async function evaluate(): Promise<number> {
  model.eval();
  let correct = 0;
  for await (const [x, y] of testLoader) {
    const hits = torch.noGrad(() => model.call(x.to(device)).argmax(1).eq(y.to(device)).sum());
    correct += await hits.item();
  }
  return correct / testLoader.dataset.length;
}

console.log(
  `MNIST MLP 784-128-10 on ${device}: ${trainX.shape[0]} training samples, batch ${batchSize}, Adam lr ${lr}, seed ${seed}`,
);
let trainSeconds = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  const bar = new ProgressBar(`epoch ${epoch}/${epochs}`, trainLoader.length);
  const t0 = performance.now();
  let step = 0;
  let samples = 0;
  let lossSum = 0;
  for await (const [x, y] of trainLoader) {
    optimizer.zeroGrad();
    const loss = lossFn.call(model.call(x.to(device)), y.to(device));
    loss.backward();
    optimizer.step();
    // Reading the loss every step is free on the CPU; a GPU would rather be read back less often.
    lossSum += await loss.item();
    step += 1;
    samples += x.shape[0]!;
    bar.update(step, samples, { loss: (lossSum / step).toFixed(4) });
  }
  const seconds = (performance.now() - t0) / 1000;
  trainSeconds += seconds;
  const accuracy = await evaluate();
  console.log(
    `epoch ${epoch}: train loss ${(lossSum / step).toFixed(4)}, test accuracy ${(100 * accuracy).toFixed(2)}%, ` +
      `${Math.round(samples / seconds).toLocaleString('en-US')} samples/s, ${seconds.toFixed(1)} s`,
  );
}
console.log(`trained in ${trainSeconds.toFixed(1)} s; ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
if (args.save) {
  await torch.save(model.stateDict(), args.save);
  console.log(`saved the weights to ${args.save} (safetensors)`);
}
