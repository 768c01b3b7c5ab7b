import type { Mutant } from '../mutants.ts';

// Mistakes in 02-autograd, made to the worked solution (solutions/02-autograd/autograd.ts) at test
// time and graded by test/graders/exercises-01-02.test.ts.

const file = 'autograd.ts';

export const autograd: Mutant[] = [
  {
    exercise: '02-autograd',
    variant: 'sigmoid-grad-is-sigma',
    why: 'Sigmoid.backward returns grad·σ(x)',
    edits: [
      {
        file,
        find: 'return grad.mul(y!.mul(torch.sub(1, y!)));',
        replace: 'return grad.mul(y!); // σ(x), not σ(x)·(1 − σ(x))',
      },
    ],
  },
  {
    exercise: '02-autograd',
    variant: 'sigmoid-static',
    why: 'keeps σ(x) in a static field, not in ctx',
    edits: [
      {
        file,
        find: 'export class Sigmoid extends torch.autograd.Function {\n',
        replace:
          'export class Sigmoid extends torch.autograd.Function {\n' +
          '  static last: torch.Tensor | null = null; // one slot shared by every call: wrong\n\n',
      },
      { file, find: '    ctx.saveForBackward(y);\n', replace: '    ctx.saveForBackward(x);\n    Sigmoid.last = y;\n' },
      { file, find: '    const [y] = ctx.savedTensors;\n', replace: '    const y = Sigmoid.last;\n    void ctx;\n' },
    ],
  },
  {
    exercise: '02-autograd',
    variant: 'grad-doubled',
    why: 'the gradient is off by a factor 2',
    edits: [
      {
        file,
        find: 'const loss = residual.pow(2).mul(0.5).mean();',
        replace: 'const loss = residual.pow(2).mean(); // no ½: the gradient doubles',
      },
    ],
  },
  {
    exercise: '02-autograd',
    variant: 'minibatch-drop-last',
    why: 'mini-batch drops the last partial batch',
    edits: [
      {
        file,
        find: '  for (let start = 0; start < order.length; start += batchSize) {\n',
        replace:
          '  for (let start = 0; start + batchSize <= order.length; start += batchSize) {\n' +
          '    // drops the last partial batch\n',
      },
    ],
  },
  {
    exercise: '02-autograd',
    variant: 'sgd-sorted',
    why: 'SGD visits samples in index order',
    edits: [
      {
        file,
        find: '  for (const i of order) {\n    const g = meanGradient(problem, theta, [i]); // a batch of one\n',
        replace:
          '  for (let i = 0; i < order.length; i++) {\n' +
          '    // index order, not the given order\n' +
          '    const g = meanGradient(problem, theta, [i]);\n',
      },
    ],
  },
  {
    exercise: '02-autograd',
    variant: 'batch-same-tensor',
    why: 'batch GD stores one tensor updated in place',
    edits: [
      {
        file,
        find:
          '  let theta = theta0;\n' +
          '  for (let t = 0; t < steps; t++) {\n' +
          '    const g = meanGradient(problem, theta, all);\n' +
          '    // with torch.no_grad(): θ -= lr·g. The update is bookkeeping, not part of any model, so it must\n' +
          '    // not be recorded. Out of place, each step is a new tensor and the list keeps them all.\n' +
          '    theta = torch.noGrad(() => theta.sub(g.mul(lr)));\n' +
          '    trajectory.push(theta);\n',
        replace:
          '  const theta = theta0.clone();\n' +
          '  for (let t = 0; t < steps; t++) {\n' +
          '    const g = meanGradient(problem, theta, all);\n' +
          '    torch.noGrad(() => theta.sub_(g.mul(lr))); // in place…\n' +
          '    trajectory.push(theta); // …so every entry is the same tensor\n',
      },
    ],
  },
  {
    exercise: '02-autograd',
    variant: 'sigmoid-overflow',
    why: 'Sigmoid.forward as exp(x) / (1 + exp(x)), which is ∞/∞ = NaN for large x',
    edits: [
      {
        file,
        find: 'const y = x.neg().exp().add(1).reciprocal();',
        replace: 'const y = x.exp().div(x.exp().add(1)); // BUG: NaN once exp(x) overflows',
      },
    ],
  },
];
