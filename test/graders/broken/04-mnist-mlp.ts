import { stub, type Edit, type Mutant } from '../mutants.ts';

// Mistakes in 04-mnist-mlp, made to the worked solution (solutions/04-mnist-mlp/) at test time and
// graded by test/graders/exercises-03-04.test.ts. Every variant also turns `fit` into a todo() stub,
// and `compare` (with `comparisonChart`, unless the chart is the point) too, so that grading one never
// trains on MNIST: those checks read "not started", and the rest still run.

/** train.ts without a training loop: `fit` is a stub, so MLP is used only as a type. */
const cheapFit: Edit[] = [
  {
    file: 'train.ts',
    find: "import { MLP, type Activation } from './mlp.ts';",
    replace: "import { todo } from '#kit/todo';\nimport type { MLP, Activation } from './mlp.ts';",
  },
  stub('train.ts', 'fit', "  return todo('fit', config, data); // not written: keeps this variant cheap to grade"),
];

const importTypesOnlyFromTrain: Edit = {
  file: 'compare.ts',
  find: "import { fit, type MnistData, type OptimizerName, type TrainConfig } from './train.ts';",
  replace: "import type { MnistData, OptimizerName, TrainConfig } from './train.ts';",
};

const stubCompare = stub('compare.ts', 'compare', "  return todo('compare', settings, base, data, chartPath);");

/** compare.ts as the learner receives it: `comparisonChart` and `compare` both stubs. */
const compareUntouched: Edit[] = [
  {
    file: 'compare.ts',
    find: "import { writeFile } from 'node:fs/promises';\nimport { lineChartSvg } from '#engine/io/chart';\n",
    replace: "import { todo } from '#kit/todo';\n",
  },
  importTypesOnlyFromTrain,
  stub('compare.ts', 'comparisonChart', "  return todo('comparisonChart', results);"),
  stubCompare,
];

/** The rest of the submission, around the one mistake: fit and compare left as stubs. */
const cheap: Edit[] = [...cheapFit, ...compareUntouched];

export const mnistMlp: Mutant[] = [
  {
    exercise: '04-mnist-mlp',
    variant: 'softmax-log',
    why: 'crossEntropyLoss takes exp/sum/log by hand, which overflows',
    edits: [
      {
        file: 'train.ts',
        find: 'const logProbs = logits.logSoftmax(1);',
        replace:
          'const logProbs = logits\n' +
          '    .exp()\n' +
          '    .div(logits.exp().sum({ dim: 1, keepdim: true }))\n' +
          '    .log(); // BUG: overflows for large logits',
      },
      ...cheap,
    ],
  },
  {
    exercise: '04-mnist-mlp',
    variant: 'no-zero-grad',
    why: 'trainStep never zeroes the gradients',
    edits: [
      {
        file: 'train.ts',
        find: '  optimizer.zeroGrad();\n',
        replace: '  // BUG: no optimizer.zeroGrad(): gradients accumulate across steps\n',
      },
      ...cheap,
    ],
  },
  {
    exercise: '04-mnist-mlp',
    variant: 'eval-batch-mean',
    why: 'evaluate averages per-batch accuracies',
    edits: [
      {
        file: 'train.ts',
        find:
          '    let correct = 0;\n' +
          '    let total = 0;\n' +
          '    for await (const [x, y] of batches) {\n' +
          '      const predicted = model.call(x!.to(device)).argmax(1); // the largest logit is the predicted digit\n' +
          '      correct += await predicted.eq(y!.to(device)).sum().item();\n' +
          '      total += y!.shape[0]!; // the real batch size: the last batch may be smaller\n' +
          '    }\n' +
          '    return correct / total; // weighted by samples, not an average of per-batch accuracies\n',
        replace:
          '    // BUG: the mean of per-batch accuracies: a smaller last batch weighs as much as a full one\n' +
          '    const perBatch: number[] = [];\n' +
          '    for await (const [x, y] of batches) {\n' +
          '      const predicted = model.call(x!.to(device)).argmax(1);\n' +
          '      perBatch.push(await predicted.eq(y!.to(device)).float().mean().item());\n' +
          '    }\n' +
          '    return perBatch.reduce((a, b) => a + b, 0) / perBatch.length;\n',
      },
      ...cheap,
    ],
  },
  {
    exercise: '04-mnist-mlp',
    variant: 'scheduler-gamma',
    why: 'makeScheduler ignores spec.gamma (uses 0.1, as PyTorch’s doc example)',
    edits: [
      {
        file: 'train.ts',
        find: '{ gamma: spec.gamma })',
        replace: "{ gamma: 0.1 }); // BUG: PyTorch's doc example, not spec.gamma",
      },
      ...cheap,
    ],
  },
  {
    exercise: '04-mnist-mlp',
    variant: 'chart-fraction',
    why: 'the chart plots accuracies as fractions from epoch 0',
    edits: [
      {
        file: 'compare.ts',
        find: '[i + 1, 100 * a])',
        replace: '[i, a]) /* BUG: from epoch 0, as fractions */',
      },
      ...cheapFit,
      {
        file: 'compare.ts',
        find: "import { writeFile } from 'node:fs/promises';\n",
        replace: "import { todo } from '#kit/todo';\n",
      },
      importTypesOnlyFromTrain,
      stubCompare,
    ],
  },
  {
    exercise: '04-mnist-mlp',
    variant: 'eval-no-eval',
    why: 'evaluate forgets model.eval(): Dropout and BatchNorm stay in training mode',
    edits: [
      {
        file: 'train.ts',
        find: '  model.eval(); // no dropout or batch-norm updates in evaluation (none here, but the habit matters)\n',
        replace: '  // BUG: no model.eval()\n',
      },
      ...cheap,
    ],
  },
  {
    exercise: '04-mnist-mlp',
    variant: 'ce-functional',
    why: "crossEntropyLoss, to be written by hand, calls the engine's functional.crossEntropy",
    edits: [
      {
        file: 'train.ts',
        find: 'const logProbs = logits.logSoftmax(1);\n',
        replace:
          'return torch.nn.functional.crossEntropy(logits, targets); // BUG: not by hand\n  const logProbs = logits.logSoftmax(1);\n',
      },
      ...cheap,
    ],
  },
  {
    exercise: '04-mnist-mlp',
    variant: 'load-drops-samples',
    why: 'loadMnist keeps a development default of 1,000 images when no limit is given',
    edits: [
      {
        file: 'train.ts',
        find: 'const n = Math.min(limit ?? mnist.length, mnist.length);',
        replace: 'const n = Math.min(limit ?? 1000, mnist.length); // BUG: a default left in',
      },
      ...cheap,
    ],
  },
  {
    exercise: '04-mnist-mlp',
    variant: 'adam-is-adamw',
    why: "makeOptimizer('adam') builds AdamW: an Adam subclass, with weight decay 0.01 by default",
    edits: [
      {
        file: 'train.ts',
        find: 'return new torch.optim.Adam(params, { lr });',
        replace: 'return new torch.optim.AdamW(params, { lr }); // BUG: the sibling, with weight decay',
      },
      ...cheap,
    ],
  },
];
