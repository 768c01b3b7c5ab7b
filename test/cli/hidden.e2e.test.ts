import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import reportSchema from '../../graders/schemas/report.schema.json' with { type: 'json' };
import gradescopeSchema from '../../graders/schemas/gradescope.schema.json' with { type: 'json' };
import type { Report } from '../../graders/cli/results.ts';
import { grade, submission } from './helpers.ts';

// The fixture's hidden checks (test/fixtures/course/graders/hidden/) say SECRET in every title, hint,
// guide section, id, failure message and printed line. Leaking that text into feedback is the
// classic failure of hidden tests: no learner-facing output may hold it, in any format or language.

function outputs() {
  const dir = mkdtempSync(join(tmpdir(), 'torchlings-hidden-'));
  const files = {
    json: join(dir, 'r.json'),
    junit: join(dir, 'j.xml'),
    gradescope: join(dir, 'results.json'),
    github: join(dir, 'github-output'),
  };
  writeFileSync(files.github, '');
  const args = ['--json', files.json, '--junit', files.junit, '--gradescope', files.gradescope, '--github-classroom'];
  return { files, args, env: { GITHUB_OUTPUT: files.github } };
}

const everything = (files: Record<string, string>, r: { stdout: string; stderr: string }): string => {
  const github = readFileSync(files.github!, 'utf8').replace(/^result=/, '');
  const decoded = Buffer.from(github.trim(), 'base64').toString('utf8');
  return [r.stdout, r.stderr, decoded, ...Object.values(files).map((f) => readFileSync(f, 'utf8'))].join('\n');
};

describe.concurrent('hidden checks', { timeout: 240_000 }, () => {
  for (const lang of ['en', 'ko']) {
    test(`run apart, count apart, and leak no text into any report (${lang})`, async () => {
      const { files, args, env } = outputs();
      const r = await grade(['--submission', submission('partial'), '--hidden', '-v', '--lang', lang, ...args], env);
      expect(r.exitCode).toBe(1);
      expect(everything(files, r)).not.toMatch(/SECRET/i);

      const report = JSON.parse(readFileSync(files.json, 'utf8')) as Report;
      const ajv = new Ajv({ allErrors: true, strict: false });
      expect(ajv.validate(reportSchema, report), ajv.errorsText()).toBe(true);
      expect(report).toMatchObject({ score: 5, maxScore: 10, hiddenScore: 1, hiddenMaxScore: 3 });
      expect(report.exercises[0]!.hidden).toMatchObject({ status: 'failed', shown: false });
      expect(report.exercises[0]!.hidden!.checks.map((c) => [c.id, c.status, c.score, c.points])).toEqual([
        ['hidden-1', 'passed', 1, 1],
        ['hidden-2', 'failed', 0, 2],
      ]);
      if (lang === 'en') expect(r.stdout).toMatch(/01-add .* 3\/4 +hidden 1\/3/);

      const gs = JSON.parse(readFileSync(files.gradescope, 'utf8'));
      expect(ajv.validate(gradescopeSchema, gs), ajv.errorsText()).toBe(true);
      expect(gs).toMatchObject({ score: 6, max_score: 13 });
      expect(gs.tests.filter((t: { visibility: string }) => t.visibility === 'after_published')).toHaveLength(2);
    });
  }

  test('--show-hidden shows their text, for the instructor', async () => {
    const r = await grade(['--submission', submission('partial'), '01', '--hidden', '--show-hidden']);
    expect(r.stdout).toContain('SECRET title: sum([]) + sum([]) is 0');
    expect(r.stdout).toContain('max |got − expected| = NaN at SECRET-sum([]) + sum([])');
  });

  test('without --hidden they do not run', async () => {
    const { files, args, env } = outputs();
    const r = await grade(['--submission', submission('partial'), '01', ...args], env);
    const report = JSON.parse(readFileSync(files.json, 'utf8')) as Report;
    expect(report.hiddenMaxScore).toBeUndefined();
    expect(report.exercises[0]!.hidden).toBeUndefined();
    expect(r.stdout).not.toContain('hidden');
  });
});
