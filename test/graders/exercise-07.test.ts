import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import type { Report } from '../../graders/cli/results.ts';
import { repo } from '../cli/helpers.ts';
import { performanceMutants } from './broken/07-performance.ts';
import { buildSubmission, type Mutant } from './mutants.ts';

// The grader of exercise 07, tested as it is used: the CLI grades a broken submission (the solution
// with one mistake, see test/graders/broken/) and the check named for that mistake must fail, saying
// why; checks it does not touch pass, or stay "not started" (every variant stubs `quantizeModel`, so none trains on MNIST).

interface Case {
  variant: string;
  caughtBy: string;
  says: RegExp;
  alsoFails?: string[];
}

const cases: Case[] = [
  { variant: 'loss-not-divided', caughtBy: 'accumulation', says: /4× the full batch's: divide/ },
  { variant: 'zero-grad-each', caughtBy: 'accumulation', says: /zeroGrad\(\) called before every micro-batch/ },
  { variant: 'step-without-update', caughtBy: 'amp-step', says: /call scaler\.update\(\) after every/ },
  { variant: 'autocast-around-backward', caughtBy: 'amp-step', says: /backward\(\) ran inside the autocast region/ },
  { variant: 'dequantize-first', caughtBy: 'quantized-linear', says: /never quantized/ },
];

function mutantOf(c: Case): Mutant {
  const m = performanceMutants.find((m) => m.variant === c.variant);
  if (!m) throw new Error(`no mutant 07-performance/${c.variant} in test/graders/broken/`);
  return m;
}

async function gradeVariant(c: Case): Promise<Report> {
  const out = join(mkdtempSync(join(tmpdir(), 'torchlings-broken-07-')), 'report.json');
  const submission = buildSubmission(mutantOf(c));
  let r;
  try {
    r = await execa(
      process.execPath,
      ['--import', 'tsx', 'graders/cli/main.ts', '--submission', submission, '--json', out, '07'],
      { cwd: repo, reject: false, env: { NO_COLOR: '1', LANG: 'C', LC_ALL: '' } },
    );
  } finally {
    rmSync(submission, { recursive: true, force: true });
  }
  expect(r.exitCode, r.stderr).toBe(1);
  return JSON.parse(readFileSync(out, 'utf8')) as Report;
}

test('every mutant of 07 has its case', () => {
  expect(performanceMutants.map((m) => m.variant).sort()).toEqual(cases.map((c) => c.variant).sort());
});

describe.concurrent('grader 07 catches deliberately broken submissions', { timeout: 240_000 }, () => {
  for (const c of cases) {
    test(`07-performance/${c.variant} is caught by '${c.caughtBy}'`, async () => {
      const checks = (await gradeVariant(c)).exercises[0]!.checks;
      const caught = checks.find((k) => k.id === c.caughtBy);
      expect(caught?.status, `status of ${c.caughtBy}: ${caught?.message[0]?.en}`).toBe('failed');
      expect(caught!.message.map((m) => m.en).join('\n')).toMatch(c.says);
      expect(caught!.message.every((m) => m.ko.length > 0)).toBe(true);
      const others = checks
        .filter((k) => k.id !== c.caughtBy && !(c.alsoFails ?? []).includes(k.id))
        .filter((k) => k.status !== 'passed' && k.status !== 'not-started')
        .map((k) => `${k.id}: ${k.status} ${k.message[0]?.en ?? ''}`);
      expect(others, 'checks the mistake does not touch').toEqual([]);
    });
  }
});
