import type { Mutant } from '../mutants.ts';

// Mistakes in 01-tensors, made to the worked solution (solutions/01-tensors/tensors.ts) at test time
// and graded by test/graders/exercises-01-02.test.ts.

const file = 'tensors.ts';

export const tensors: Mutant[] = [
  {
    exercise: '01-tensors',
    variant: 'std-biased',
    why: 'std divides by n instead of n − 1',
    edits: [
      {
        file,
        find: 'const std = x.std();',
        replace: 'const std = x.sub(mean).pow(2).mean().sqrt(); // divides by n, not n − 1',
      },
    ],
  },
  {
    exercise: '01-tensors',
    variant: 'row-sums-dim0',
    why: 'sums over dim 0, the columns',
    edits: [{ file, find: 'const rowSums = x.sum(1);', replace: 'const rowSums = x.sum(0); // sums each column' }],
  },
  {
    exercise: '01-tensors',
    variant: 'view-copy',
    why: 'copies instead of viewing',
    edits: [
      { file, find: 'return x.view(x.shape[0]!, -1);', replace: 'return x.view(x.shape[0]!, -1).clone(); // a copy' },
    ],
  },
  {
    exercise: '01-tensors',
    variant: 'view-batch-64',
    why: 'the batch size is hard-coded as 64',
    edits: [
      {
        file,
        find: 'return x.view(x.shape[0]!, -1);',
        replace: 'return x.view(64, 784); // the batch size written as a number',
      },
    ],
  },
  {
    exercise: '01-tensors',
    variant: 'broadcast-left',
    why: 'aligns shapes on the left',
    edits: [
      {
        file,
        find: 'const da = a[a.length - n + i] ?? 1;\n    const db = b[b.length - n + i] ?? 1;',
        replace: 'const da = a[i] ?? 1; // aligned on the left: wrong\n    const db = b[i] ?? 1;',
      },
    ],
  },
  {
    exercise: '01-tensors',
    variant: 'broadcast-no-error',
    why: 'never throws on incompatible shapes',
    edits: [
      {
        file,
        find:
          '    if (da !== db && da !== 1 && db !== 1) {\n' +
          "      // PyTorch's own words, so the message reads the same as the engine's.\n" +
          '      throw new Error(\n' +
          '        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,\n' +
          '      );\n' +
          '    }\n',
        replace: '    // never checks that the sizes agree\n',
      },
    ],
  },
  {
    exercise: '01-tensors',
    variant: 'broadcast-max',
    why: 'keeps the larger size, so [0] with [1] gives [1]',
    edits: [
      { file, find: 'out.push(da === 1 ? db : da);', replace: 'out.push(Math.max(da, db)); // BUG: 1 with 0 gives 1' },
    ],
  },
];
