// 05 · 나만의 Dataset: transforms, loaders and a short training run, solved. Guide §6.1, §6.2, §6.4.
import * as torch from '#engine';
import { transforms } from '#engine/vision';
import { DigitFolder, toTensor, type Transform } from './digits.ts';

/** MNIST's pixel mean and standard deviation, after scaling to [0, 1]. */
export const MEAN = 0.1307;
export const STD = 0.3081;

/**
 * Evaluation: only what every image needs, nothing random.
 * PyTorch: `transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])`.
 */
export function evalTransform(): Transform {
  return new transforms.Compose([toTensor, new transforms.Normalize([MEAN], [STD])]);
}

/**
 * Training: a small random turn and shift of the image (a digit stays the same digit; a mirror
 * image would not, so no flips), then what evaluation does. Geometry first, on the image: it is
 * cheap on bytes, and Normalize assumes values in [0, 1].
 */
export function trainTransform(): Transform {
  return new transforms.Compose([
    new transforms.RandomAffine(8, { translate: [0.08, 0.08] }),
    toTensor,
    new transforms.Normalize([MEAN], [STD]),
  ]);
}

export interface LoaderOptions {
  batchSize?: number;
  /** Fraction of the images held out for validation (default 0.1). */
  validation?: number;
  /** Seeds the split and the shuffling (default 0). */
  seed?: number;
  numWorkers?: number;
}

export interface Loaders {
  train: torch.utils.data.DataLoader<[torch.Tensor, number]>;
  validation: torch.utils.data.DataLoader<[torch.Tensor, number]>;
  classes: string[];
}

/** The folder split into training and validation loaders. */
export function loaders(root: string, options: LoaderOptions = {}): Loaders {
  const { batchSize = 64, validation = 0.1, seed = 0, numWorkers = 2 } = options;
  // Two views of the same files: augmented for training, plain for validation. Splitting one and
  // taking the other's items at the same indices keeps the validation images free of augmentation.
  const augmented = new DigitFolder(root, trainTransform());
  const plain = new DigitFolder(root, evalTransform());
  // A generator of its own: the split is the same on every run, whatever else drew random numbers.
  const [trainPart, validationPart] = torch.utils.data.randomSplit(
    augmented,
    [1 - validation, validation],
    new torch.Generator(seed),
  );
  const heldOut = new torch.utils.data.Subset(plain, validationPart!.indices);
  return {
    // Workers decode the next batches while the model trains on this one; the batches are the same.
    // Persistent: started once, not every epoch (starting a worker costs more than an epoch here).
    train: new torch.utils.data.DataLoader(trainPart!, {
      batchSize,
      shuffle: true,
      generator: new torch.Generator(seed),
      numWorkers,
      persistentWorkers: numWorkers > 0,
    }),
    // No shuffling and no dropLast: every validation image counts once, the last batch too.
    validation: new torch.utils.data.DataLoader(heldOut, { batchSize, numWorkers, persistentWorkers: numWorkers > 0 }),
    classes: augmented.classes,
  };
}

/** Accuracy (0…1) of `model` over every batch of `loader`. */
export async function evaluate(model: torch.nn.Module, loader: AsyncIterable<torch.Tensor[]>): Promise<number> {
  model.eval();
  return torch.noGrad(async () => {
    let correct = 0;
    let total = 0;
    for await (const [x, y] of loader) {
      correct += await model.call(x!).argmax(1).eq(y!).sum().item();
      total += y!.shape[0]!;
    }
    return correct / total;
  });
}

export interface TrainOptions extends LoaderOptions {
  epochs?: number;
}

export interface TrainResult {
  model: torch.nn.Module;
  /** Validation accuracy after each epoch. */
  accuracies: number[];
}

/** A 784 → 128 → 10 MLP trained with Adam on the folder's training part. */
export async function train(root: string, options: TrainOptions = {}): Promise<TrainResult> {
  const { epochs = 3, seed = 0, batchSize = 32 } = options;
  torch.manualSeed(seed); // the initial weights
  const data = loaders(root, { ...options, batchSize });
  const model = new torch.nn.Sequential(
    new torch.nn.Flatten(),
    new torch.nn.Linear(784, 128),
    new torch.nn.ReLU(),
    new torch.nn.Linear(128, data.classes.length),
  );
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: 2e-3 });
  const criterion = new torch.nn.CrossEntropyLoss();
  const accuracies: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    model.train();
    for await (const [x, y] of data.train) {
      optimizer.zeroGrad();
      criterion.call(model.call(x), y).backward();
      optimizer.step();
    }
    accuracies.push(await evaluate(model, data.validation));
  }
  return { model, accuracies };
}
