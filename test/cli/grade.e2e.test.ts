import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import reportSchema from '../../graders/schemas/report.schema.json' with { type: 'json' };
import gradescopeSchema from '../../graders/schemas/gradescope.schema.json' with { type: 'json' };
import type { Report } from '../../graders/cli/results.ts';
import { execa } from 'execa';
import { course, fingerprint, grade, repo, submission } from './helpers.ts';

// Each run starts real grading processes (about 2 s each); the runs are independent, so run them at once.
// All at once, each test lasts about as long as the whole file: up to 46 s of a 60 s limit here with
// the file alone on a loaded 2-core machine (load 16). The limit only catches a hang: the CLI's own
// limits (CPU time, see run-exercise.ts) are what the tests check.
describe.concurrent('npm run grade, end to end', { timeout: 240_000 }, () => {
  test('untouched stubs are "not started", located at the todo() call; exit code 1', async () => {
    const before = fingerprint(join(course, 'exercises'));
    const r = await grade([]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/01-add +░{10} +0\/4 +not started/);
    expect(r.stdout).toContain('total 0/10 · 0 of 2 exercises done');
    expect(r.stdout).toContain('next: test/fixtures/course/exercises/01-add/add.ts:5, add');
    expect(r.stdout).toContain('npm run hint -- 01');
    expect(fingerprint(join(course, 'exercises'))).toBe(before); // grading never writes to exercises/
  });

  test('quick-first: a long check waits for the quick ones (skipped in the reports), not for --solutions', async () => {
    const out = mkdtempSync(join(tmpdir(), 'torchlings-quick-'));
    const [r, solved] = await Promise.all([
      grade(['02', '--json', join(out, 'r.json'), '--junit', join(out, 'j.xml')]),
      grade(['02', '--solutions']),
    ]);
    expect(r.stdout).toContain(
      '– mean (1 points): long checks, run once the checks above pass (--all-checks runs them now)',
    );
    const report = JSON.parse(readFileSync(join(out, 'r.json'), 'utf8')) as Report;
    expect(new Ajv({ strict: false }).validate(reportSchema, report)).toBe(true);
    expect(report.exercises[0]).toMatchObject({ status: 'not-started' });
    expect(report.exercises[0]!.checks.map((c) => c.status)).toEqual(['not-started', 'not-started', 'skipped']);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      readFileSync(join(out, 'j.xml'), 'utf8'),
    );
    expect(xml.testsuites.skipped).toBe('1');
    // The worked solutions run every check; a run of one exercise names it rather than "all exercises".
    expect(solved.stdout).toMatch(/02-grad +█{10} +6\/6 +done/);
    expect(solved.stdout).toContain('02-grad passes');
    expect(solved.stdout).not.toContain('all exercises pass');
  });

  test('--solutions passes with exit 0 and writes valid JSON, JUnit and Gradescope reports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'torchlings-reports-'));
    const files = { json: join(out, 'r.json'), junit: join(out, 'junit.xml'), gradescope: join(out, 'results.json') };
    const r = await grade([
      '--solutions',
      '--json',
      files.json,
      '--junit',
      files.junit,
      '--gradescope',
      files.gradescope,
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('all exercises pass');
    expect(r.stdout).not.toContain('npm run hint'); // not the learner's own code: no learner footer

    const ajv = new Ajv({ allErrors: true, strict: false });
    const report = JSON.parse(readFileSync(files.json, 'utf8')) as Report;
    expect(ajv.validate(reportSchema, report), ajv.errorsText()).toBe(true);
    expect(report).toMatchObject({ passed: true, score: 10, maxScore: 10, target: { kind: 'solutions' } });

    const gs = JSON.parse(readFileSync(files.gradescope, 'utf8'));
    expect(ajv.validate(gradescopeSchema, gs), ajv.errorsText()).toBe(true);
    expect(gs.tests).toHaveLength(6);

    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      readFileSync(files.junit, 'utf8'),
    );
    expect(xml.testsuites).toMatchObject({ tests: '6', failures: '0', errors: '0' });
    expect(xml.testsuites.testsuite.map((s: { name: string }) => s.name)).toEqual(['01-add', '02-grad']);
  });

  test('a partly solved submission: failures say expected vs got, max |Δ| and where; hint for the first', async () => {
    const dir = submission('partial');
    const before = fingerprint(dir);
    const out = join(mkdtempSync(join(tmpdir(), 'torchlings-junit-')), 'j.xml');
    const r = await grade(['--submission', dir, '--junit', out]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/✗ sum\(\[\]\) is 0 +0\/1/);
    expect(r.stdout).toContain('sum([]): expected a number or tensor, got undefined');
    expect(r.stdout).toContain('max |analytic − numeric| = ');
    expect(r.stdout).toContain('the gradient equals x itself: a factor 2 is missing');
    expect(r.stdout).toMatch(/○ mean of \[1, 2, 3, 6\] is 3 +0\/1 +not started/);
    expect(r.stdout).toContain('hint: Start the total at 0.   guide §2.1');
    expect(r.stdout).toContain('total 5/10');
    expect(r.stdout).not.toMatch(/\x1b\[/); // NO_COLOR
    expect(r.stdout).not.toMatch(/graders\/lib|node_modules/); // no kit-internal frames
    expect(fingerprint(dir)).toBe(before); // the submission is only read

    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(out, 'utf8'));
    const cases = xml.testsuites.testsuite.flatMap((s: { testcase: unknown }) => s.testcase);
    expect(cases.find((c: { name: string }) => c.name.startsWith('mean:')).failure.type).toBe('not-started');
  });

  test('--lang ko (or a Korean LANG) speaks Korean', async () => {
    const r = await grade(['--submission', submission('partial'), '02'], { LANG: 'ko_KR.UTF-8' });
    expect(r.stdout).toContain('|해석적 − 수치적| 최댓값');
    expect(r.stdout).toContain('힌트: 원소마다 d/dx x² = 2x 입니다.   가이드 §2.2');
    expect(r.stdout).toContain('합계 2/6');
  });

  test('the same seed gives the same report; another seed other inputs', async () => {
    const dir = submission('partial');
    const runs = await Promise.all(['0', '0', '7'].map((seed) => grade(['--submission', dir, '02', '--seed', seed])));
    const detail = (s: string) => s.split('\n').filter((l) => l.includes('analytic'));
    expect(detail(runs[0]!.stdout)).toEqual(detail(runs[1]!.stdout));
    expect(detail(runs[0]!.stdout)).not.toEqual(detail(runs[2]!.stdout));
  });

  test("a syntax error is that exercise's error, with file:line; the other exercise is graded", async () => {
    const r = await grade(['--submission', submission('syntax-error')]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/01-add .* 0\/4 +error: syntax error/);
    expect(r.stdout).toMatch(/! syntax error: Expected "\)" but found ";"\n +at \S+\/exercises\/01-add\/add\.ts:7/);
    expect(r.stdout).toMatch(/02-grad +█{10} +6\/6 +done/);
  });

  test('an endless loop times out, keeps the checks that passed before it, and spares the rest', async () => {
    const r = await grade(['--submission', submission('infinite-loop'), '--timeout', '3']);
    expect(r.stdout).toMatch(/01-add .* 1\/4 +error: timed out/);
    expect(r.stdout).toContain('timed out after 3 s: a check never finished (an endless loop?)');
    expect(r.stdout).toMatch(/! sum adds random lists +0\/2 +timed out\n +still running when grading stopped/);
    expect(r.stdout).toMatch(/02-grad .* 6\/6 +done/);
  });

  test('a missing file is named; the checks that do not need it still count', async () => {
    const r = await grade(['--submission', submission('missing-file')]);
    expect(r.stdout).toMatch(/02-grad .* 5\/6 +error: missing file/);
    expect(r.stdout).toMatch(/! \S+\/exercises\/02-grad\/mean\.ts is missing/);
    expect(r.stdout).toMatch(/01-add .* 4\/4 +done/);
  });

  test("process.exit, a thrown TypeError and heap exhaustion are reported, with the learner's line", async () => {
    const r = await grade(['--submission', submission('crash'), '--max-memory', '200']);
    expect(r.stdout).toMatch(/threw Error: process\.exit unexpectedly called with "7"\n +at \S+\/01-add\/add\.ts:3/);
    expect(r.stdout).toMatch(
      /threw TypeError: Cannot read properties of undefined \(reading 'map'\)\n +at \S+\/02-grad\/square\.ts:4/,
    );
    expect(r.stdout).toMatch(/02-grad .* 0\/6 +error: out of memory/);
    expect(r.stdout).toContain('ran out of memory (limit 200 MB)');
    expect(r.stdout).toMatch(/01-add .* 3\/4/);
  });

  test("npm run hint gives the manifest's hints one more at a time, in Korean when asked", async () => {
    const hint = (...args: string[]) =>
      execa(process.execPath, ['--import', 'tsx', 'graders/cli/hint.ts', '--course', course, ...args], { cwd: repo });
    const first = await hint('add', '--reset', '--lang', 'ko');
    expect(first.stdout).toContain('01-add · 수 더하기');
    expect(first.stdout).toContain('1. `+` 는 두 수를 더합니다.');
    expect(first.stdout).not.toContain('2. ');
    expect(first.stdout).toContain('힌트 2개 중 1번째');
    expect(first.stdout).toContain('작성할 파일: exercises/01-add/add.ts');
    const second = await hint('01', '--lang', 'en');
    expect(second.stdout).toMatch(/ 1\. `\+` adds two numbers\.\n +2\. sum of \[\] is 0\./);
    expect(second.stdout).toContain('every hint shown (2)');
    await hint('01', '--reset'); // leaves the fixture as a fresh checkout has it
  });

  test('usage mistakes exit 2 with a one-line reason', async () => {
    const unknown = await grade(['99']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('no exercise 99; try one of: 01, 02');
    const missing = await grade(['--submission', tmpdir() + '/torchlings-no-such-dir']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/has no exercises\/ folder/);
  });
});
