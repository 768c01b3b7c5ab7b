/**
 * The model exercise 06 interprets: exercise 04's 784 → 128 → 10 ReLU MLP, trained here by the
 * grader on real MNIST (one epoch of Adam over the 60,000 training images in batches of 256, seeded:
 * about 95 % on the test set), once per grading run, so that no learner code is needed to make it.
 * Also the normalised test set it is read with.
 */
import * as torch from '#engine';
import { datasets } from '#engine/vision';

const MEAN = 0.1307;
const STD = 0.3081;

export class Mlp extends torch.nn.Module {
  fc1 = new torch.nn.Linear(784, 128);
  relu = new torch.nn.ReLU();
  fc2 = new torch.nn.Linear(128, 10);
  override forward(x: torch.Tensor): torch.Tensor {
    return this.fc2.call(this.relu.call(this.fc1.call(x.flatten(1)))) as torch.Tensor;
  }
}

export interface Split {
  /** [N, 1, 28, 28], normalised with MNIST's mean and std. */
  x: torch.Tensor;
  /** int32 [N] */
  y: torch.Tensor;
}

function split(train: boolean): Split {
  const ds = new datasets.MNIST({ train });
  // In place, on this dataset's own copy of the pixels: a new 188 MB tensor for the training set
  // costs more in first touches of its memory than the arithmetic (1.4 s of 1.5 on a cloud VM).
  const x = ds.data
    .reshape(ds.length, 1, 28, 28)
    .mul_(1 / (255 * STD))
    .sub_(MEAN / STD);
  return { x, y: ds.targets };
}

let testSet: Split | undefined;
export const mnistTest = (): Split => (testSet ??= split(false));

let trained: Promise<Mlp> | undefined;

/** The trained model on the CPU (move a copy where needed); the same for every check of a run. */
export function trainedModel(seed: number): Promise<Mlp> {
  return (trained ??= train(seed));
}

async function train(seed: number): Promise<Mlp> {
  torch.manualSeed(seed);
  const model = new Mlp();
  const { x, y } = split(true);
  // Batches of 256 at twice Adam's default step: half the time of batches of 64 (a step's fixed
  // costs are paid a quarter as often) for a point less of test accuracy, plenty to interpret.
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: 2e-3 });
  const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(x, y), {
    batchSize: 256,
    shuffle: true,
    generator: new torch.Generator(seed),
  });
  const loss = new torch.nn.CrossEntropyLoss();
  model.train();
  for await (const [xb, yb] of loader) {
    optimizer.zeroGrad();
    (loss.call(model.call(xb), yb) as torch.Tensor).backward();
    optimizer.step();
  }
  model.eval();
  return model;
}
