import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import type { Report } from '../../graders/cli/results.ts';
import { repo } from '../cli/helpers.ts';
import { customDataset } from './broken/05-custom-dataset.ts';
import { buildSubmission, type Mutant } from './mutants.ts';

// The grader of exercise 05, tested as it is used: the CLI grades a broken submission (the solution
// with one mistake, see test/graders/broken/) and the check named for that mistake must fail, saying
// why; checks it does not touch pass, or stay "not started" (every variant stubs `train`).

interface Case {
  variant: string;
  caughtBy: string;
  says: RegExp;
  alsoFails?: string[];
}

const cases: Case[] = [
  // A wrong label or an extra file shifts what getItem and the loaders return too.
  { variant: 'label-from-one', caughtBy: 'listing', says: /off by one/, alsoFails: ['get-item', 'loaders'] },
  {
    variant: 'hidden-files',
    caughtBy: 'listing',
    says: /listed but not images of a class: .*\._00015\.png/,
    alsoFails: ['get-item', 'loaders'],
  },
  {
    variant: 'hwc',
    caughtBy: 'to-tensor',
    says: /HWC/,
    alsoFails: ['lazy', 'eval-transform', 'train-transform', 'loaders'],
  },
  { variant: 'no-255', caughtBy: 'to-tensor', says: /divide by 255/, alsoFails: ['lazy', 'eval-transform', 'loaders'] },
  { variant: 'eager', caughtBy: 'lazy', says: /constructor read the images/ },
  { variant: 'negative-index', caughtBy: 'get-item', says: /negative indices count from the end/ },
  { variant: 'normalize-twice', caughtBy: 'eval-transform', says: /normalised twice/, alsoFails: ['loaders'] },
  { variant: 'split-without-generator', caughtBy: 'loaders', says: /new torch\.Generator\(seed\)/ },
  { variant: 'train-not-shuffled', caughtBy: 'loaders', says: /same order in every epoch/ },
  { variant: 'evaluate-in-training-mode', caughtBy: 'evaluate', says: /call model\.eval\(\) first/ },
  { variant: 'validation-drop-last', caughtBy: 'loaders', says: /last, smaller batch is missing/ },
  { variant: 'accuracy-on-train', caughtBy: 'train', says: /validation images right/ },
];

function mutantOf(c: Case): Mutant {
  const m = customDataset.find((m) => m.variant === c.variant);
  if (!m) throw new Error(`no mutant 05-custom-dataset/${c.variant} in test/graders/broken/`);
  return m;
}

async function gradeVariant(c: Case): Promise<Report> {
  const out = join(mkdtempSync(join(tmpdir(), 'torchlings-broken-05-')), 'report.json');
  const submission = buildSubmission(mutantOf(c));
  let r;
  try {
    r = await execa(
      process.execPath,
      ['--import', 'tsx', 'graders/cli/main.ts', '--submission', submission, '--json', out, '05'],
      { cwd: repo, reject: false, env: { NO_COLOR: '1', LANG: 'C', LC_ALL: '' } },
    );
  } finally {
    rmSync(submission, { recursive: true, force: true });
  }
  expect(r.exitCode, r.stderr).toBe(1);
  return JSON.parse(readFileSync(out, 'utf8')) as Report;
}

test('every mutant of 05 has its case', () => {
  expect(customDataset.map((m) => m.variant).sort()).toEqual(cases.map((c) => c.variant).sort());
});

describe.concurrent('grader 05 catches deliberately broken submissions', { timeout: 240_000 }, () => {
  for (const c of cases) {
    test(`05-custom-dataset/${c.variant} is caught by '${c.caughtBy}'`, async () => {
      const checks = (await gradeVariant(c)).exercises[0]!.checks;
      const caught = checks.find((k) => k.id === c.caughtBy);
      expect(caught?.status, `status of ${c.caughtBy}: ${caught?.message[0]?.en}`).toBe('failed');
      expect(caught!.message.map((m) => m.en).join('\n')).toMatch(c.says);
      expect(caught!.message.every((m) => m.ko.length > 0)).toBe(true);
      // The report's `next:` line points at the learner's file and line, not at a folder.
      expect(caught!.location?.file).toMatch(/05-custom-dataset\/\w+\.ts$/);
      const others = checks
        .filter((k) => k.id !== c.caughtBy && !(c.alsoFails ?? []).includes(k.id))
        .filter((k) => k.status !== 'passed' && k.status !== 'not-started')
        .map((k) => `${k.id}: ${k.status} ${k.message[0]?.en ?? ''}`);
      expect(others, 'checks the mistake does not touch').toEqual([]);
    });
  }
});
