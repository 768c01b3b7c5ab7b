import type { Edit, Mutant } from '../mutants.ts';

// Mistakes in 07-performance, made to the worked solution (solutions/07-performance/performance.ts)
// at test time and graded by test/graders/exercise-07.test.ts. Mistakes in different functions are
// graded together, one submission per round (`performanceRounds`), so that the ten of them take
// three grading runs; each round also makes quantizeModel a todo() stub, so that no round trains
// on MNIST: that check reads "not started".

const exercise = '07-performance';
const file = 'performance.ts';
const noMnist: Edit[] = [
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

const mutant = (variant: string, why: string, ...edits: [string, string][]): Mutant => ({
  exercise,
  variant,
  why,
  edits: edits.map(([find, replace]) => ({ file, find, replace })),
});

const backwardEach =
  '    F.crossEntropy(model.call(x), y).div(k).backward(); // the graph (and its activations) dies here\n';
const timedLoop = '  for (let i = 0; i < repeat; i++) {\n';
const peakRead = '  const peakBytes = torch.memory.maxAllocated(device) - before;\n';

export const performanceMutants: Mutant[] = [
  mutant('loss-not-divided', 'trainAccumulated does not divide the micro-batch loss by k', [
    'F.crossEntropy(model.call(x), y).div(k).backward();',
    'F.crossEntropy(model.call(x), y).backward(); // BUG: not divided by k',
  ]),
  mutant('zero-grad-each', 'trainAccumulated zeroes the gradients before every micro-batch', [
    '    const [x, y] = microBatches[i]!;\n',
    '    const [x, y] = microBatches[i]!;\n    optimizer.zeroGrad(); // BUG: throws the previous micro-batches away\n',
  ]),
  mutant(
    'backward-once',
    'trainAccumulated sums the k losses and calls backward once per group: right gradients, all k graphs alive',
    [
      '  optimizer.zeroGrad();\n  for (let i = 0;',
      '  optimizer.zeroGrad();\n  let total: torch.Tensor | null = null;\n  for (let i = 0;',
    ],
    [
      backwardEach,
      '    const part = F.crossEntropy(model.call(x), y).div(k);\n    total = total ? total.add(part) : part; // BUG: every graph lives until the group ends\n',
    ],
    [
      '      optimizer.step();\n      optimizer.zeroGrad();\n',
      '      total!.backward();\n      total = null;\n      optimizer.step();\n      optimizer.zeroGrad();\n',
    ],
  ),
  mutant('step-without-update', 'ampTrainStep never calls scaler.update()', [
    '  scaler.update(); // halves S after a skipped step, doubles it after growthInterval clean ones\n',
    '  // BUG: no scaler.update()\n',
  ]),
  mutant('autocast-around-backward', 'ampTrainStep runs backward inside the autocast region', [
    '  const loss = torch.amp.autocast(x.device, () => F.crossEntropy(model.call(x), y));\n  scaler.scale(loss).backward();\n',
    '  const loss = torch.amp.autocast(x.device, () => {\n    const l = F.crossEntropy(model.call(x), y);\n    scaler.scale(l).backward(); // BUG: backward inside autocast\n    return l;\n  });\n',
  ]),
  mutant('forward-outside-autocast', 'ampTrainStep runs the model in float32 and only the loss under autocast', [
    '  const loss = torch.amp.autocast(x.device, () => F.crossEntropy(model.call(x), y));\n',
    '  const logits = model.call(x); // BUG: the forward pass runs in float32\n  const loss = torch.amp.autocast(x.device, () => F.crossEntropy(logits, y));\n',
  ]),
  mutant('dequantize-first', 'quantizedLinear dequantizes the weight and multiplies floats', [
    "  const acc = qx.matmul(q.qweight.to('int32').t()); // int32 [B, out]: integer multiply-adds only\n  const y = acc.to('float32').mul(sx * q.scale);\n",
    "  void qx;\n  const y = x.matmul(q.qweight.to('float32').mul(q.scale).t()); // BUG: float product of the dequantized weight\n",
  ]),
  mutant('measure-no-warmup', 'measure() never runs the warm-up calls', [
    '  for (let i = 0; i < warmup; i++) await fn();\n',
    '  void warmup; // BUG: no warm-up\n',
  ]),
  mutant('measure-mean', 'measure() averages the times instead of taking the median', [
    '  const ms = times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;\n',
    '  void mid;\n  const ms = times.reduce((s, t) => s + t, 0) / times.length; // BUG: the mean\n',
  ]),
  mutant(
    'measure-peak-before',
    'measure() reads the peak before the timed calls',
    [timedLoop, `${peakRead}${timedLoop}`],
    [`}\n${peakRead}`, '}\n'],
  ),
];

/** Variants graded together: each round's mistakes are in different functions (and checks). */
export const rounds: string[][] = [
  ['loss-not-divided', 'step-without-update', 'dequantize-first', 'measure-no-warmup'],
  ['zero-grad-each', 'autocast-around-backward', 'measure-mean'],
  ['backward-once', 'forward-outside-autocast', 'measure-peak-before'],
];

/** One submission holding every variant of a round, without the MNIST training. */
export function roundMutant(variants: readonly string[]): Mutant {
  const parts = variants.map((v) => {
    const m = performanceMutants.find((p) => p.variant === v);
    if (!m) throw new Error(`no mutant ${exercise}/${v}`);
    return m;
  });
  return {
    exercise,
    variant: variants.join('+'),
    why: parts.map((m) => m.why).join('; '),
    edits: [...parts.flatMap((m) => m.edits), ...noMnist],
  };
}
