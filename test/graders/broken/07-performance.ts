import type { Mutant } from '../mutants.ts';

// Mistakes in 07-performance, made to the worked solution (solutions/07-performance/performance.ts)
// at test time and graded by test/graders/exercise-07.test.ts. Every variant also makes
// quantizeModel a todo() stub, so that no variant trains on MNIST: that check reads "not started".

const file = 'performance.ts';
const noMnist = [
  {
    file,
    find: "import * as torch from '#engine';",
    replace: "import * as torch from '#engine';\nimport { todo } from '#kit/todo';",
  },
  {
    file,
    find: "return torch.quantization.quantizeDynamic(model, [torch.nn.Linear], 'qint8');",
    replace: "return todo('quantizeModel', model);",
  },
];

const mutant = (variant: string, why: string, find: string, replace: string): Mutant => ({
  exercise: '07-performance',
  variant,
  why,
  edits: [...noMnist, { file, find, replace }],
});

export const performanceMutants: Mutant[] = [
  mutant(
    'loss-not-divided',
    'trainAccumulated does not divide the micro-batch loss by k',
    'F.crossEntropy(model.call(x), y).div(k).backward();',
    'F.crossEntropy(model.call(x), y).backward(); // BUG: not divided by k',
  ),
  mutant(
    'zero-grad-each',
    'trainAccumulated zeroes the gradients before every micro-batch',
    '    const [x, y] = microBatches[i]!;\n',
    '    const [x, y] = microBatches[i]!;\n    optimizer.zeroGrad(); // BUG: throws the previous micro-batches away\n',
  ),
  mutant(
    'step-without-update',
    'ampTrainStep never calls scaler.update()',
    '  scaler.update(); // halves S after a skipped step, doubles it after growthInterval clean ones\n',
    '  // BUG: no scaler.update()\n',
  ),
  mutant(
    'autocast-around-backward',
    'ampTrainStep runs backward inside the autocast region',
    '  const loss = torch.amp.autocast(x.device, () => F.crossEntropy(model.call(x), y));\n  scaler.scale(loss).backward();\n',
    '  const loss = torch.amp.autocast(x.device, () => {\n    const l = F.crossEntropy(model.call(x), y);\n    scaler.scale(l).backward(); // BUG: backward inside autocast\n    return l;\n  });\n',
  ),
  mutant(
    'dequantize-first',
    'quantizedLinear dequantizes the weight and multiplies floats',
    "  const acc = qx.matmul(q.qweight.to('int32').t()); // int32 [B, out]: integer multiply-adds only\n  const y = acc.to('float32').mul(sx * q.scale);\n",
    "  void qx;\n  const y = x.matmul(q.qweight.to('float32').mul(q.scale).t()); // BUG: float product of the dequantized weight\n",
  ),
];
