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
  {
    exercise: '03-linear-regression',
    variant: 'mse-functional',
    why: 'the hand-written mseLoss just calls functional.mseLoss',
    edits: [
      {
        file,
        find: 'return pred.sub(target).pow(2).mean();',
        replace: 'return torch.nn.functional.mseLoss(pred, target); // BUG: not by hand',
      },
    ],
  },
  {
    exercise: '03-linear-regression',
    variant: 'sgd-clears-grad',
    why: 'sgdStep sets p.grad = null after the update',
    edits: [
      {
        file,
        find: 'p.sub_(p.grad, { alpha: lr });',
        replace:
          "p.sub_(p.grad, { alpha: lr });\n      p.grad = null; // BUG: the gradients are not the step's to clear",
      },
    ],
  },
  {
    exercise: '03-linear-regression',
    variant: 'sgd-by-optim',
    why: 'sgdStep, to be written by hand, calls torch.optim.SGD',
    edits: [
      {
        file,
        find: '  torch.noGrad(() => {\n    for (const p of params) {',
        replace:
          '  new torch.optim.SGD([...params], { lr }).step(); // BUG: not by hand\n  torch.noGrad(() => {\n    for (const p of [] as torch.Tensor[]) {',
      },
    ],
  },
  // JavaScript slips, not PyTorch ones: the kit's feedback must name them.
  {
    exercise: '03-linear-regression',
    variant: 'forgot-await',
    why: 'the loss history pushes loss.item() without await: Promises, not numbers',
    edits: [
      {
        file,
        find: 'losses.push(await loss.item());',
        replace: 'losses.push(loss.item() as unknown as number); // BUG',
      },
    ],
  },
  {
    exercise: '03-linear-regression',
    variant: 'zero-grad-snake',
    why: "PyTorch's snake_case name: optimizer.zero_grad()",
    edits: [
      {
        file,
        find: '    optimizer.zeroGrad();\n',
        replace: '    (optimizer as unknown as { zero_grad(): void }).zero_grad(); // BUG: the Python name\n',
      },
    ],
  },
];
