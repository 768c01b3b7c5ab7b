import { describe, expect, test } from 'vitest';
import { customDataset } from './broken/05-custom-dataset.ts';
import { gradeInRounds } from './rounds.ts';

// The grader of exercise 05, tested as it is used: a broken submission (the solution with a
// mistake, see test/graders/broken/) is graded, and the check named for that mistake must fail,
// saying why; checks it does not touch pass, or stay "not started" (every variant but one stubs
// `train`). Mistakes that cannot blur each other's checks are graded together (rounds.ts).

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

const graded = gradeInRounds(cases, customDataset, [
  // The loaders check reads the dataset and the transforms: its own mistakes each get a round, and
  // accuracy-on-train (the one variant that trains) one more.
  ['label-from-one', 'hwc', 'evaluate-in-training-mode'],
  ['hidden-files', 'no-255'],
  ['eager', 'negative-index', 'normalize-twice'],
  ['split-without-generator'],
  ['train-not-shuffled'],
  ['validation-drop-last'],
  ['accuracy-on-train'],
]);

test('every mutant of 05 has its case', () => {
  expect(customDataset.map((m) => m.variant).sort()).toEqual(cases.map((c) => c.variant).sort());
});

describe.concurrent('grader 05 catches deliberately broken submissions', { timeout: 240_000 }, () => {
  for (const c of cases) {
    test(`05-custom-dataset/${c.variant} is caught by '${c.caughtBy}'`, async () => {
      const { result, mayFail } = await graded(c);
      const checks = result.checks;
      const caught = checks.find((k) => k.id === c.caughtBy);
      expect(caught?.status, `status of ${c.caughtBy}: ${caught?.message[0]?.en}`).toBe('failed');
      expect(caught!.message.map((m) => m.en).join('\n')).toMatch(c.says);
      expect(caught!.message.every((m) => m.ko.length > 0)).toBe(true);
      // The report's `next:` line points at the learner's file and line, not at a folder.
      expect(caught!.location?.file).toMatch(/05-custom-dataset\/\w+\.ts$/);
      const others = checks
        .filter((k) => !mayFail.has(k.id))
        .filter((k) => k.status !== 'passed' && k.status !== 'not-started')
        .map((k) => `${k.id}: ${k.status} ${k.message[0]?.en ?? ''}`);
      expect(others, 'checks no mistake of the round touches').toEqual([]);
    });
  }
});
