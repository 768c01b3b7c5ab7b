import type { Mutant } from '../mutants.ts';

// Mistakes in 03-linear-regression, made to the worked solution
// (solutions/03-linear-regression/linear-regression.ts) at test time and graded by
// test/graders/exercises-03-04.test.ts.

const file = 'linear-regression.ts';

export const linearRegression: Mutant[] = [
  {
    exercise: '03-linear-regression',
    variant: 'mse-sum',
    why: 'mseLoss sums instead of averaging',
    edits: [
      {
        file,
        find: 'return pred.sub(target).pow(2).mean();',
        replace: 'return pred.sub(target).pow(2).sum(); // BUG: the sum, not the mean',
      },
    ],
  },
  {
    exercise: '03-linear-regression',
    variant: 'sgd-plus',
    why: 'sgdStep adds the gradient',
    edits: [
      {
        file,
        find: 'p.sub_(p.grad, { alpha: lr });',
        replace: 'p.add_(p.grad, { alpha: lr }); // BUG: steps uphill',
      },
    ],
  },
  {
    exercise: '03-linear-regression',
    variant: 'no-zero-grad',
    why: 'train never zeroes the gradients',
    edits: [
      {
        file,
        find: '    optimizer.zeroGrad();\n',
        replace: '    // BUG: no optimizer.zeroGrad(): gradients accumulate\n',
      },
    ],
  },
  {
    exercise: '03-linear-regression',
    variant: 'global-rng',
    why: 'makeData draws x from the global generator',
    edits: [
      {
        file,
        find: 'const x = torch.randn([n, 1], { generator });',
        replace: 'const x = torch.randn([n, 1]); // BUG: the global generator, not `generator`',
      },
    ],
  },
];
