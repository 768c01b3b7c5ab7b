import { cpSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'csv-parse/sync';
import { expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import reportSchema from '../../graders/schemas/report.schema.json' with { type: 'json' };
import { mergeGrades } from '../../graders/cli/class/merge.ts';
import { students } from '../../graders/cli/class/class.ts';
import { course, grade, repo, submission } from './helpers.ts';

// A class of three on the fixture course: alice partly solved, bob all solved, carol an empty clone.
function makeClass(): string {
  const dir = mkdtempSync(join(tmpdir(), 'torchlings-class-'));
  cpSync(submission('partial'), join(dir, 'alice'), { recursive: true });
  cpSync(join(course, 'solutions'), join(dir, 'bob', 'exercises'), { recursive: true });
  mkdirSync(join(dir, 'carol'));
  return dir;
}

const table = (out: string) =>
  parse(readFileSync(join(out, 'grades.csv'), 'utf8'), { columns: true }) as Record<string, string>[];

test('--class grades every student, keeps a broken folder as a row, and re-grades only what changed', async () => {
  const cls = makeClass();
  const out = mkdtempSync(join(tmpdir(), 'torchlings-class-out-'));
  const first = await grade(['--class', cls, '--out', out, '--hidden']);
  expect(first.exitCode).toBe(0);
  expect(first.stdout).toMatch(
    /3 students graded in [\d.]+ s \([\d.]+ per minute\): 1 passed, 1 incomplete, 0 with errors, 1 broken/,
  );
  expect(table(out).map(({ duration_s: _, ...r }) => r)).toEqual([
    { student: 'alice', '01': '3', '02': '2', hidden: '1', total: '6', max: '13', status: 'incomplete', reason: '' },
    { student: 'bob', '01': '4', '02': '6', hidden: '3', total: '13', max: '13', status: 'passed', reason: '' },
    {
      student: 'carol',
      ...{ '01': '0', '02': '0', hidden: '0', total: '0', max: '10' },
      status: 'broken',
      reason: 'no exercises/ folder (an empty or failed clone?)',
    },
  ]);
  const ajv = new Ajv({ allErrors: true, strict: false });
  const alice = JSON.parse(readFileSync(join(out, 'students', 'alice.json'), 'utf8'));
  expect(ajv.validate(reportSchema, alice), ajv.errorsText()).toBe(true);
  expect(JSON.stringify(alice)).not.toContain('SECRET'); // hidden checks are redacted here too

  // alice fixes 01; bob changes nothing: only alice's 01 is graded again, bob's report is left as it was.
  const bobReport = join(out, 'students', 'bob.json');
  const bobTime = statSync(bobReport).mtimeMs;
  cpSync(join(course, 'solutions', '01-add', 'add.ts'), join(cls, 'alice', 'exercises', '01-add', 'add.ts'));
  const second = await grade(['--class', cls, '--out', out, '--hidden']);
  expect(second.exitCode).toBe(0);
  expect(table(out).find((r) => r.student === 'alice')).toMatchObject({ '01': '4', hidden: '3', total: '9' });
  expect(statSync(bobReport).mtimeMs).toBe(bobTime);

  // --force grades again what did not change; --shard 2/3 takes bob alone.
  const forced = await grade(['--class', cls, '--out', out, '--hidden', '--force', '--shard', '2/3']);
  expect(forced.stdout).toMatch(/^1 students graded/);
  expect(statSync(bobReport).mtimeMs).toBeGreaterThan(bobTime);
  expect(table(out).map((r) => r.student)).toEqual(['bob']);
}, 180_000);

test('shards take every n-th student; grade:merge joins them and refuses overlaps or other columns', () => {
  const cls = makeClass();
  expect([1, 2, 3].map((i) => students(cls, { index: i, count: 3 }))).toEqual([['alice'], ['bob'], ['carol']]);
  expect(students(cls, { index: 1, count: 2 })).toEqual(['alice', 'carol']);
  const dir = mkdtempSync(join(tmpdir(), 'torchlings-merge-'));
  const files = ['a', 'b', 'c'].map((n) => join(dir, `${n}.csv`));
  const head = 'student,01,hidden,total,max,status,duration_s,reason\n';
  const bodies = [
    head + 'zed,1,0,1,2,incomplete,1.0,\n',
    head + 'amy,2,0,2,2,passed,1.0,"a, b"\n',
    'student,02\nx,1\n',
  ];
  files.forEach((f, i) => writeFileSync(f, bodies[i]!));
  expect(mergeGrades(files.slice(0, 2))).toBe(head + 'amy,2,0,2,2,passed,1.0,"a, b"\nzed,1,0,1,2,incomplete,1.0,\n');
  expect(() => mergeGrades([files[0]!, files[0]!])).toThrow(/student zed is in both/);
  expect(() => mergeGrades([files[0]!, files[2]!])).toThrow(/has columns student,02/);
});

test('the shard workflow runs one shard per matrix entry and merges them all', () => {
  const wf = parseYaml(readFileSync(join(repo, '.github/workflows/grade-class.yml'), 'utf8'));
  const shards = wf.jobs.grade.strategy.matrix.shard as number[];
  expect(shards).toEqual(Array.from({ length: Number(wf.jobs.grade.env.SHARDS) }, (_, i) => i + 1));
  const runs = (job: { steps: { run?: string }[] }) => job.steps.map((s) => s.run ?? '').join('\n');
  expect(runs(wf.jobs.grade)).toMatch(
    /npm run grade -- --class class --out shard-\$\{\{ matrix.shard \}\}\s+--shard \$\{\{ matrix.shard \}\}\/\$\{\{ env.SHARDS \}\}/,
  );
  expect(runs(wf.jobs.merge)).toContain('npm run grade:merge -- shard-*/grades.csv');
});
