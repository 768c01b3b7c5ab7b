import { describe, expect, test } from 'vitest';
import { tensors } from './broken/01-tensors.ts';
import { autograd } from './broken/02-autograd.ts';
import type { Mutant } from './mutants.ts';
import { gradeInRounds } from './rounds.ts';

// The graders of 01-tensors and 02-autograd, held to their word: each deliberately broken submission
// (the solution with one classic mistake, made at test time from a mutant in test/graders/broken/)
// must fail the check named for that mistake, say so in the words of the diagnosis, and leave the
// checks it does not touch passing. Mistakes that cannot blur each other's checks are graded in one
// submission (rounds.ts). Solutions and untouched stubs are test/cli/course.test.ts's job.

interface Case {
  exercise: '01' | '02';
  variant: string;
  /** The check that must catch the mistake. */
  caughtBy: string;
  /** A phrase of its English message: the diagnosis a learner would read. */
  says: string;
  /** Checks that reasonably fail too (they use the broken function); every other check must pass. */
  alsoFails?: string[];
}

const cases: Case[] = [
  { exercise: '01', variant: 'std-biased', caughtBy: 'practice-mean-std', says: 'torch.std divides by n − 1' },
  { exercise: '01', variant: 'row-sums-dim0', caughtBy: 'practice-row-sums', says: 'one sum per column' },
  {
    exercise: '01',
    variant: 'broadcast-max',
    caughtBy: 'broadcast-shape',
    says: 'a size 1 stretches to the other size, even to 0',
  },
  { exercise: '01', variant: 'view-copy', caughtBy: 'view-batch', says: 'you copied instead of viewing' },
  { exercise: '01', variant: 'view-batch-64', caughtBy: 'view-batch', says: 'is the batch size written as 64?' },
  {
    exercise: '01',
    variant: 'broadcast-left',
    caughtBy: 'broadcast-shape',
    says: 'you aligned the shapes on the left',
    alsoFails: ['broadcast-error'],
  },
  {
    exercise: '01',
    variant: 'broadcast-no-error',
    caughtBy: 'broadcast-error',
    says: 'these shapes do not broadcast: it must throw',
  },
  {
    exercise: '02',
    variant: 'sigmoid-grad-is-sigma',
    caughtBy: 'sigmoid-backward',
    says: 'the gradient equals σ(x) itself',
    alsoFails: ['sigmoid-ctx'],
  },
  { exercise: '02', variant: 'sigmoid-overflow', caughtBy: 'sigmoid-forward', says: 'NaN for large |x|' },
  { exercise: '02', variant: 'sigmoid-static', caughtBy: 'sigmoid-ctx', says: "one used the other's σ" },
  {
    exercise: '02',
    variant: 'grad-doubled',
    caughtBy: 'gd-gradient',
    says: 'twice the right gradient',
    alsoFails: ['gd-batch', 'gd-sgd', 'gd-minibatch'],
  },
  { exercise: '02', variant: 'minibatch-drop-last', caughtBy: 'gd-minibatch', says: 'the last partial batch of' },
  { exercise: '02', variant: 'sgd-sorted', caughtBy: 'gd-sgd', says: 'visited in index order' },
  {
    exercise: '02',
    variant: 'batch-same-tensor',
    caughtBy: 'gd-batch',
    says: 'the same tensor appears at several steps',
  },
];

const folders = { '01': '01-tensors', '02': '02-autograd' } as const;

const mutants: Mutant[] = [...tensors, ...autograd];

const graded = {
  '01': gradeInRounds(
    cases.filter((c) => c.exercise === '01'),
    tensors,
    [
      // Each in a function of its own; the three mistakes in broadcastShape in three rounds.
      ['std-biased', 'row-sums-dim0', 'view-copy', 'broadcast-left'],
      ['view-batch-64', 'broadcast-no-error'],
      ['broadcast-max'],
    ],
  ),
  '02': gradeInRounds(
    cases.filter((c) => c.exercise === '02'),
    autograd,
    [
      // Sigmoid's forward, backward and ctx apart; the gradient that batch, SGD and mini-batch GD call
      // with none of them.
      ['sigmoid-overflow', 'grad-doubled'],
      ['sigmoid-grad-is-sigma', 'minibatch-drop-last', 'batch-same-tensor'],
      ['sigmoid-static', 'sgd-sorted'],
    ],
  ),
};

test('every mutant of 01 and 02 has its case', () => {
  expect(mutants.map((m) => `${m.exercise}/${m.variant}`).sort()).toEqual(
    cases.map((c) => `${folders[c.exercise]}/${c.variant}`).sort(),
  );
});

// Each round (rounds.ts) is one real grading run of a few seconds; its cases share it.
describe.concurrent('graders of 01-tensors and 02-autograd catch classic mistakes', { timeout: 240_000 }, () => {
  for (const c of cases) {
    test(`${folders[c.exercise]}/${c.variant} is caught by ${c.caughtBy}`, async () => {
      const { result: exercise, mayFail } = await graded[c.exercise](c);
      expect(exercise.error).toBeUndefined();
      const caught = exercise.checks.find((k) => k.id === c.caughtBy);
      expect(caught, `check ${c.caughtBy} exists`).toBeDefined();
      expect(caught!.status).toBe('failed');
      // The report's `next:` line points at the learner's file and line, not at a folder.
      expect(caught!.location?.file).toMatch(new RegExp(`${folders[c.exercise]}/[\\w-]+\\.ts$`));
      expect(caught!.message.map((l) => l.en).join('\n')).toContain(c.says);
      expect(
        caught!.message.every((l) => l.ko.length > 0),
        'every line has its Korean',
      ).toBe(true);
      const others = exercise.checks.filter((k) => !mayFail.has(k.id));
      expect(
        others.filter((k) => k.status !== 'passed').map((k) => `${k.id}: ${k.status} ${k.message[0]?.en ?? ''}`),
      ).toEqual([]);
      expect(exercise.score).toBeLessThan(exercise.maxScore);
    });
  }
});
