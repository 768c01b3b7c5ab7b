import { stub, type Edit, type Mutant } from '../mutants.ts';

// Mistakes in 06-model-interpretation, made to the worked solution (solutions/06-model-interpretation/)
// at test time and graded by test/graders/exercise-06.test.ts. Each touches a different function, so
// that all of them are graded together in one run (`combined`): the test then asks each named check
// for its own mistake. Every variant also turns `tsne` and `tsnePlot` into todo() stubs, so that the
// run never computes the 1,000-point embedding: that check and the report's read "not started".

const exercise = '06-model-interpretation';

const cheap: Edit[] = [
  {
    file: 'tsne.ts',
    find: "import * as torch from '#engine';\n",
    replace: "import * as torch from '#engine';\nimport { todo } from '#kit/todo';\n",
  },
  stub('tsne.ts', 'tsne', "  return todo('tsne', x, options); // not written: keeps the mutant run cheap"),
  stub('tsne.ts', 'tsnePlot', "  return todo('tsnePlot', embedding, labels);"),
  {
    file: 'saliency.ts',
    find: "import * as torch from '#engine';\n",
    replace: "import * as torch from '#engine';\nimport { todo } from '#kit/todo';\n",
  },
  stub('saliency.ts', 'smoothGrad', "  return todo('smoothGrad', model, x, target, options);"),
  {
    file: 'report.ts',
    find: "import { extname, join } from 'node:path';\n",
    replace: "import { extname, join } from 'node:path';\nimport { todo } from '#kit/todo';\n",
  },
  stub('report.ts', 'writeReport', "  return todo('writeReport', dir, input);"),
];

const mutant = (variant: string, why: string, ...edits: Edit[]): Mutant => ({ exercise, variant, why, edits });

export const modelInterpretation: Mutant[] = [
  mutant(
    'weights-global',
    "weightImages scales by the whole matrix's min and max, not each row's",
    { file: 'weights.ts', find: 'w.min({ dim: 1, keepdim: true }).values', replace: 'w.min()' },
    { file: 'weights.ts', find: 'w.max({ dim: 1, keepdim: true }).values', replace: 'w.max()' },
  ),
  mutant('confusion-transposed', 'the confusion matrix counts C[pred][true]', {
    file: 'mistakes.ts',
    find: 'labels.mul(k).add(preds)',
    replace: 'preds.mul(k).add(labels)',
  }),
  mutant('saliency-of-loss', 'the saliency map is the gradient of the cross-entropy loss, not of the class logit', {
    file: 'saliency.ts',
    find: 'const score = logits.gather(1, target.reshape(-1, 1)).sum();',
    replace: "const score = torch.nn.functional.crossEntropy(logits, target, { reduction: 'sum' });",
  }),
  mutant('no-symmetrise', 'the joint P is p_{j|i}/N, not symmetrised', {
    file: 'tsne.ts',
    find: 'return conditional.add(conditional.t()).div(2 * n);',
    replace: 'return conditional.div(n);',
  }),
  mutant(
    'beta-bracket',
    'the perplexity search brackets β in [1, ∞): rows that need a wide Gaussian (β < 1) never reach it',
    {
      file: 'tsne.ts',
      find: 'let lo = torch.zeros([n, 1], { device });',
      replace: 'let lo = torch.ones([n, 1], { device });',
    },
  ),
];

/** Every variant at once: their edits touch different code, and the cheap-run stubs come once. */
export const combined: Mutant = {
  exercise,
  variant: 'combined',
  why: modelInterpretation.map((m) => m.variant).join(', '),
  edits: [...modelInterpretation.flatMap((m) => m.edits), ...cheap],
};
