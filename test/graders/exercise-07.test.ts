import { describe, expect, test } from 'vitest';
import { performanceMutants, roundMutant, rounds } from './broken/07-performance.ts';
import { gradeMutant } from './grade-mutant.ts';

// The grader of exercise 07, tested as it is used: broken submissions are graded (the solution
// with deliberate mistakes, see test/graders/broken/), a round of mistakes in different functions
// per run, and each mistake's check must fail, saying why; checks no mistake of the round touches
// pass, or stay "not started" (every round stubs `quantizeModel`, so none trains on MNIST).

interface Case {
  variant: string;
  caughtBy: string;
  says: RegExp;
  alsoFails?: string[];
}

const cases: Case[] = [
  { variant: 'loss-not-divided', caughtBy: 'accumulation', says: /4× the full batch's: divide/ },
  { variant: 'zero-grad-each', caughtBy: 'accumulation', says: /zeroGrad\(\) called before every micro-batch/ },
  { variant: 'backward-once', caughtBy: 'accumulation-memory', says: /graphs were alive at once/ },
  { variant: 'step-without-update', caughtBy: 'amp-step', says: /call scaler\.update\(\) after every/ },
  { variant: 'autocast-around-backward', caughtBy: 'amp-step', says: /backward\(\) ran inside the autocast region/ },
  {
    variant: 'forward-outside-autocast',
    caughtBy: 'amp-memory',
    says: /of activations, .* of float32's .*expected ≤ 60\.0 %/,
    alsoFails: ['amp-step'],
  },
  { variant: 'dequantize-first', caughtBy: 'quantized-linear', says: /never quantized/ },
  { variant: 'measure-no-warmup', caughtBy: 'measure', says: /warm-up calls never ran/ },
  { variant: 'measure-mean', caughtBy: 'measure', says: /that is the mean/ },
  { variant: 'measure-peak-before', caughtBy: 'measure', says: /read torch\.memory\.maxAllocated\(\) after them/ },
];

const caseOf = (variant: string): Case => cases.find((c) => c.variant === variant)!;

test('every mutant of 07 has its case and one round, whose mistakes each fail checks of their own', () => {
  expect(performanceMutants.map((m) => m.variant).sort()).toEqual(cases.map((c) => c.variant).sort());
  expect(rounds.flat().sort()).toEqual(cases.map((c) => c.variant).sort());
  for (const round of rounds) {
    const failing = round.flatMap((v) => [caseOf(v).caughtBy, ...(caseOf(v).alsoFails ?? [])]);
    expect(new Set(failing).size, round.join(', ')).toBe(failing.length);
  }
});

describe.concurrent('grader 07 catches deliberately broken submissions', { timeout: 240_000 }, () => {
  for (const round of rounds) {
    test(`07-performance: ${round.join(', ')}`, async () => {
      const checks = (await gradeMutant(roundMutant(round))).checks;
      for (const c of round.map(caseOf)) {
        const caught = checks.find((k) => k.id === c.caughtBy);
        expect(caught?.status, `${c.variant}: status of ${c.caughtBy}: ${caught?.message[0]?.en}`).toBe('failed');
        expect(caught!.message.map((m) => m.en).join('\n'), c.variant).toMatch(c.says);
        expect(caught!.message.every((m) => m.ko.length > 0)).toBe(true);
        // The report's `next:` line points at the learner's file and line, not at a folder.
        expect(caught!.location?.file).toMatch(/07-performance\/\w+\.ts$/);
        for (const also of c.alsoFails ?? []) expect(checks.find((k) => k.id === also)?.status, also).toBe('failed');
      }
      const expected = new Set(round.flatMap((v) => [caseOf(v).caughtBy, ...(caseOf(v).alsoFails ?? [])]));
      const others = checks
        .filter((k) => !expected.has(k.id))
        .filter((k) => k.status !== 'passed' && k.status !== 'not-started')
        .map((k) => `${k.id}: ${k.status} ${k.message[0]?.en ?? ''}`);
      expect(others, 'checks no mistake of the round touches').toEqual([]);
      expect(checks.find((k) => k.id === 'quantized-model')?.status).toBe('not-started');
    });
  }
});
