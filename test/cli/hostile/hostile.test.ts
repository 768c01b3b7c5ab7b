import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Ajv } from 'ajv';
import { execa } from 'execa';
import { afterAll, expect, test } from 'vitest';
import reportSchema from '../../../graders/schemas/report.schema.json' with { type: 'json' };
import type { Report } from '../../../graders/cli/results.ts';
import { fingerprint, repo } from '../helpers.ts';
import { ATTACKS } from './attacks.ts';
import { makeCourse } from './course.ts';

// Every attack of attacks.ts as one exercise of one course, graded in one run (the attacks share
// nothing but the CLI): each must score 0 with the stated outcome, the clean exercise beside them
// full marks, and nothing outside the run's scratch folder may change, during the run or after it.

const course = makeCourse(ATTACKS.map((a) => a.source));
afterAll(() => {
  rmSync(course.root, { recursive: true, force: true });
  rmSync(course.submission, { recursive: true, force: true });
});

test(
  'hostile submissions cannot raise a score, write outside scratch, or end the run',
  { timeout: 240_000 },
  async () => {
    const watched = [course.root, course.submission, join(repo, 'graders'), join(repo, 'solutions')];
    const before = watched.map(fingerprint);
    const report = join(course.submission, 'report.json');
    const r = await execa(
      process.execPath,
      [
        '--import',
        'tsx',
        'graders/cli/main.ts',
        '--course',
        course.root,
        '--submission',
        course.submission,
        '--json',
        report,
      ],
      { cwd: repo, reject: false, env: { NO_COLOR: '1', LANG: 'C' }, timeout: 230_000 },
    );
    expect(r.exitCode, r.stderr).toBe(1);
    const written = readFileSync(report, 'utf8');
    await sleep(3000); // a detached writer would strike by now
    expect(readFileSync(report, 'utf8')).toBe(written);
    expect(existsSync(join(course.submission, 'mark.txt'))).toBe(false);

    const json = JSON.parse(written) as Report;
    const ajv = new Ajv({ allErrors: true, strict: false });
    expect(ajv.validate(reportSchema, json), ajv.errorsText()).toBe(true);
    expect(json.sandbox.permissionModel).toBe(true);
    expect(json.exercises[0]).toMatchObject({ folder: '00-clean', status: 'passed', score: 3 });
    const outcomes = ATTACKS.map((a, i) => {
      const e = json.exercises[i + 1]!;
      const kinds = [e.error?.kind, ...e.checks.map((c) => c.errorKind)];
      const got =
        a.outcome === 'failed' ? e.status : kinds.includes(a.outcome) ? a.outcome : `${e.status} ${kinds.join(',')}`;
      return { attack: a.name, score: e.score, outcome: got };
    });
    expect(outcomes).toEqual(ATTACKS.map((a) => ({ attack: a.name, score: 0, outcome: a.outcome })));
    expect(watched.map(fingerprint)).toEqual(before);
  },
);
