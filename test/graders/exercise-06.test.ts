import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findChromium, openInBrowser } from '../../graders/cli/browser.ts';
import { combined, modelInterpretation } from './broken/06-model-interpretation.ts';
import { gradeMutant } from './grade-mutant.ts';

// The grader of exercise 06, tested as it is used: one submission is graded, holding every
// deliberate mistake of test/graders/broken/06-model-interpretation.ts (each in a different
// function), and each mistake's check must fail, saying why; checks no mistake reaches pass, or
// stay "not started" (what would train the model or run the t-SNE is stubbed). One grading run.

interface Case {
  variant: string;
  caughtBy: string;
  says: RegExp;
  alsoFails?: string[];
}

const cases: Case[] = [
  { variant: 'weights-global', caughtBy: 'weight-images', says: /whole matrix/, alsoFails: ['weight-figures'] },
  { variant: 'confusion-transposed', caughtBy: 'confusion-matrix', says: /rows and columns are swapped/ },
  {
    variant: 'saliency-of-loss',
    caughtBy: 'saliency-gradient',
    says: /gradient of the loss/,
    alsoFails: ['saliency-variants'],
  },
  { variant: 'no-symmetrise', caughtBy: 'tsne-joint', says: /not symmetric/ },
  { variant: 'beta-bracket', caughtBy: 'tsne-perplexity', says: /did not reach the target/ },
];

test('every mutant of 06 has its case, each caught by a check of its own', () => {
  expect(modelInterpretation.map((m) => m.variant).sort()).toEqual(cases.map((c) => c.variant).sort());
  expect(new Set(cases.map((c) => c.caughtBy)).size).toBe(cases.length);
});

describe('grader 06 catches deliberately broken submissions, all in one run', { timeout: 600_000 }, () => {
  test(`06-model-interpretation: ${cases.map((c) => c.variant).join(', ')}`, async () => {
    const checks = (await gradeMutant(combined)).checks;
    for (const c of cases) {
      const caught = checks.find((k) => k.id === c.caughtBy);
      expect(caught?.status, `${c.variant}: status of ${c.caughtBy}: ${caught?.message[0]?.en}`).toBe('failed');
      expect(caught!.message.map((m) => m.en).join('\n'), c.variant).toMatch(c.says);
      expect(caught!.message.every((m) => m.ko.length > 0)).toBe(true);
      // The report's `next:` line points at the learner's file and line, not at a folder.
      expect(caught!.location?.file).toMatch(/06-model-interpretation\/\w+\.ts$/);
    }
    const expectedFailures = new Set(cases.flatMap((c) => [c.caughtBy, ...(c.alsoFails ?? [])]));
    const others = checks
      .filter((k) => !expectedFailures.has(k.id))
      .filter((k) => k.status !== 'passed' && k.status !== 'not-started')
      .map((k) => `${k.id}: ${k.status} ${k.message[0]?.en ?? ''}`);
    expect(others, 'checks no mistake reaches').toEqual([]);
    expect(checks.find((k) => k.id === 'tsne-embedding')?.status).toBe('not-started');
  });
});

test('without Chromium the browser check is skipped, saying what to install', async () => {
  const before = process.env.TORCHLINGS_CHROMIUM;
  process.env.TORCHLINGS_CHROMIUM = join(tmpdir(), 'no-such-chromium');
  try {
    const outcome = await openInBrowser({ id: 'x', page: join(tmpdir(), 'none.html'), images: 0 });
    expect(outcome.status).toBe('skipped');
    expect(outcome.message[0]!.en).toMatch(/install chromium/);
  } finally {
    if (before === undefined) delete process.env.TORCHLINGS_CHROMIUM;
    else process.env.TORCHLINGS_CHROMIUM = before;
  }
});

// The browser step on its own, on tiny pages: a broken one fails with reasons, a good one passes.
describe.skipIf(!findChromium())('the report page in a real browser', { timeout: 120_000 }, () => {
  test('console errors, undrawn images and outside requests fail; a clean page passes with a screenshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchlings-browser-'));
    try {
      const pixel =
        'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAcCBlCwAAAABJRU5ErkJggg==';
      const bad = join(dir, 'bad.html');
      writeFileSync(
        bad,
        `<img alt="cut" src="data:image/png;base64,iVBOR"><img alt="far" src="https://example.com/x.png"><script>console.error('boom')</script>`,
      );
      const failed = await openInBrowser({ id: 'x', page: bad, images: 2 });
      expect(failed.status).toBe('failed');
      const said = failed.message.map((m) => m.en).join('\n');
      expect(said).toMatch(/console error: boom/);
      expect(said).toMatch(/"cut" did not draw/);
      expect(said).toMatch(/asked for https:\/\/example\.com\/x\.png/);
      const good = join(dir, 'good.html');
      writeFileSync(good, `<!doctype html><title>r</title><img alt="one" src="${pixel}">`);
      expect(await openInBrowser({ id: 'x', page: good, images: 1 })).toEqual({ status: 'passed', message: [] });
      expect(readFileSync(join(dir, 'report.png')).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
