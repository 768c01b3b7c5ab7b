import { describe, expect, test } from 'vitest';
import { linearRegression } from './broken/03-linear-regression.ts';
import { mnistMlp } from './broken/04-mnist-mlp.ts';
import type { Mutant } from './mutants.ts';
import { gradeInRounds } from './rounds.ts';

// The graders of exercises 03 and 04 are tested the way they are used: a deliberately broken
// submission (the solution with a mistake, made at test time from a mutant in test/graders/broken/,
// see the README there) is graded, and the check named for that mistake must fail, saying why, while
// the checks the mistake does not touch still pass (or stay "not started" where the variant leaves
// an expensive part as a stub, so that no variant trains on MNIST and the file stays fast). Mistakes
// that cannot blur each other's checks are graded in one submission (rounds.ts).

interface Case {
  exercise: '03' | '04';
  variant: string;
  /** The check that must catch it. */
  caughtBy: string;
  /** Words its message must contain (English report). */
  says: RegExp;
  /** Other checks the same mistake may fail too. */
  alsoFails?: string[];
  /** 'error' where the mistake throws (a JavaScript slip) rather than computing a wrong answer. */
  status?: 'error';
  /** A JavaScript slip: its explanation is said once per exercise, not by every check it trips. */
  slip?: true;
}

const cases: Case[] = [
  { exercise: '03', variant: 'mse-sum', caughtBy: 'mse-loss', says: /the sum, not the mean/ },
  { exercise: '03', variant: 'sgd-plus', caughtBy: 'sgd-step', says: /went uphill/ },
  {
    exercise: '03',
    variant: 'no-zero-grad',
    caughtBy: 'train-converges',
    says: /zeroGrad/,
    alsoFails: ['loss-history'],
  },
  { exercise: '03', variant: 'global-rng', caughtBy: 'make-data', says: /same seed gave different data/ },
  { exercise: '03', variant: 'mse-functional', caughtBy: 'mse-loss', says: /write it by hand/ },
  { exercise: '03', variant: 'sgd-by-optim', caughtBy: 'sgd-step', says: /sgdStep calls torch\.optim\.SGD/ },
  { exercise: '03', variant: 'sgd-clears-grad', caughtBy: 'sgd-step', says: /must leave the gradients as they are/ },
  {
    exercise: '03',
    variant: 'forgot-await',
    caughtBy: 'loss-history',
    slip: true,
    says: /did you forget `await` before `\.item\(\)`\? \(\S+\/03-linear-regression\/linear-regression\.ts:\d+\)/,
  },
  {
    exercise: '03',
    variant: 'zero-grad-snake',
    caughtBy: 'train-converges',
    status: 'error',
    slip: true,
    says: /did you mean `zeroGrad`\?/,
    alsoFails: ['loss-history'],
  },
  { exercise: '04', variant: 'softmax-log', caughtBy: 'cross-entropy', says: /logSoftmax/ },
  { exercise: '04', variant: 'no-zero-grad', caughtBy: 'train-step', says: /zeroGrad\(\) every step/ },
  { exercise: '04', variant: 'eval-batch-mean', caughtBy: 'evaluate', says: /mean of per-batch accuracies/ },
  { exercise: '04', variant: 'eval-no-eval', caughtBy: 'evaluate', says: /call model\.eval\(\) first/ },
  { exercise: '04', variant: 'scheduler-gamma', caughtBy: 'scheduler', says: /gamma is/ },
  { exercise: '04', variant: 'ce-functional', caughtBy: 'cross-entropy', says: /write it by hand, from logSoftmax/ },
  { exercise: '04', variant: 'adam-is-adamw', caughtBy: 'optimizers', says: /got a AdamW/ },
  { exercise: '04', variant: 'load-drops-samples', caughtBy: 'mnist-data', says: /no limit/ },
  { exercise: '04', variant: 'chart-fraction', caughtBy: 'chart', says: /epochs are counted from 1/ },
];

const folders = { '03': '03-linear-regression', '04': '04-mnist-mlp' } as const;

const mutants: Mutant[] = [...linearRegression, ...mnistMlp];

const graded = {
  '03': gradeInRounds(
    cases.filter((c) => c.exercise === '03'),
    linearRegression,
    [
      // train calls mseLoss and sgdStep: its three mistakes each get a round of their own.
      ['mse-sum', 'sgd-plus', 'global-rng'],
      ['mse-functional', 'sgd-by-optim'],
      ['sgd-clears-grad'],
      ['no-zero-grad'],
      ['forgot-await'],
      ['zero-grad-snake'],
    ],
  ),
  '04': gradeInRounds(
    cases.filter((c) => c.exercise === '04'),
    mnistMlp,
    [
      // trainStep calls crossEntropyLoss: their mistakes stay apart; the chart variant keeps its chart.
      ['softmax-log', 'eval-batch-mean', 'scheduler-gamma', 'adam-is-adamw', 'load-drops-samples'],
      ['no-zero-grad', 'eval-no-eval'],
      ['ce-functional'],
      ['chart-fraction'],
    ],
  ),
};

test('every mutant of 03 and 04 has its case', () => {
  expect(mutants.map((m) => `${m.exercise}/${m.variant}`).sort()).toEqual(
    cases.map((c) => `${folders[c.exercise]}/${c.variant}`).sort(),
  );
});

describe.concurrent('graders 03 and 04 catch deliberately broken submissions', { timeout: 240_000 }, () => {
  for (const c of cases) {
    test(`${folders[c.exercise]}/${c.variant} is caught by '${c.caughtBy}'`, async () => {
      const { result, mayFail } = await graded[c.exercise](c);
      const checks = result.checks;
      const caught = checks.find((k) => k.id === c.caughtBy);
      expect(caught?.status, `status of ${c.caughtBy}`).toBe(c.status ?? 'failed');
      expect(caught!.message.map((m) => m.en).join('\n')).toMatch(c.says);
      // The report (and its `next:` line) points at the learner's file and line, not at a folder.
      expect(caught!.location?.file).toMatch(new RegExp(`${folders[c.exercise]}/[\\w-]+\\.ts$`));
      if (c.slip) {
        const repeats = checks.filter((k) => k !== caught && k.message.some((m) => c.says.test(m.en)));
        expect(
          repeats.map((k) => k.id),
          'said once per exercise',
        ).toEqual([]);
      }
      expect(caught!.message.length, 'a message in both languages').toBeGreaterThan(0);
      expect(caught!.message.every((m) => m.ko.length > 0)).toBe(true);
      const others = checks
        .filter((k) => !mayFail.has(k.id))
        .filter((k) => k.status !== 'passed' && k.status !== 'not-started')
        .map((k) => `${k.id}: ${k.status} ${k.message[0]?.en ?? ''}`);
      expect(others, 'checks no mistake of the round touches').toEqual([]);
    });
  }
});
