import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import type { Report } from '../../graders/cli/results.ts';
import { repo } from '../cli/helpers.ts';
import { linearRegression } from './broken/03-linear-regression.ts';
import { mnistMlp } from './broken/04-mnist-mlp.ts';
import { buildSubmission, type Mutant } from './mutants.ts';

// The graders of exercises 03 and 04 are tested the way they are used: the CLI grades a deliberately
// broken submission (the solution with one mistake, made at test time from a mutant in
// test/graders/broken/, see the README there) and the check named for that mistake must fail, saying
// why, while the checks the mistake does not touch still pass (or stay "not started" where the
// variant leaves an expensive part as a stub, so that no variant trains on MNIST and the file stays
// fast).

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

function mutantOf(c: Case): Mutant {
  const m = mutants.find((m) => m.exercise === folders[c.exercise] && m.variant === c.variant);
  if (!m) throw new Error(`no mutant ${folders[c.exercise]}/${c.variant} in test/graders/broken/`);
  return m;
}

async function gradeVariant(c: Case): Promise<Report> {
  const out = join(mkdtempSync(join(tmpdir(), `torchlings-broken-${c.exercise}-`)), 'report.json');
  const submission = buildSubmission(mutantOf(c));
  let r;
  try {
    r = await execa(
      process.execPath,
      ['--import', 'tsx', 'graders/cli/main.ts', '--submission', submission, '--json', out, c.exercise],
      {
        cwd: repo,
        reject: false,
        env: { NO_COLOR: '1', LANG: 'C', LC_ALL: '' },
      },
    );
  } finally {
    rmSync(submission, { recursive: true, force: true });
  }
  expect(r.exitCode, r.stderr).toBe(1);
  return JSON.parse(readFileSync(out, 'utf8')) as Report;
}

test('every mutant of 03 and 04 has its case', () => {
  expect(mutants.map((m) => `${m.exercise}/${m.variant}`).sort()).toEqual(
    cases.map((c) => `${folders[c.exercise]}/${c.variant}`).sort(),
  );
});

describe.concurrent('graders 03 and 04 catch deliberately broken submissions', { timeout: 90_000 }, () => {
  for (const c of cases) {
    test(`${folders[c.exercise]}/${c.variant} is caught by '${c.caughtBy}'`, async () => {
      const report = await gradeVariant(c);
      const checks = report.exercises[0]!.checks;
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
        .filter((k) => k.id !== c.caughtBy && !(c.alsoFails ?? []).includes(k.id))
        .filter((k) => k.status !== 'passed' && k.status !== 'not-started')
        .map((k) => `${k.id}: ${k.status} ${k.message[0]?.en ?? ''}`);
      expect(others, 'checks the mistake does not touch').toEqual([]);
    });
  }
});
