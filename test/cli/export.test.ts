import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { exportCourse } from '../../graders/cli/course/export.ts';
import { scanLeaks } from '../../graders/cli/course/leaks.ts';
import { loadCourse } from '../../graders/cli/manifest.ts';
import type { ClassroomResults } from '../../graders/cli/reports/classroom.ts';
import { course as fixture, repo } from './helpers.ts';

const copy = join(mkdtempSync(join(tmpdir(), 'torchlings-export-')), 'learner');
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('npm run course:export', { timeout: 180_000 }, () => {
  test('the learner copy: stubs, guide, engine, graders and the Classroom workflow; no solutions, no hidden checks', () => {
    exportCourse({ course: repo, dest: copy });
    for (const p of ['exercises/manifest.json', 'guide/README.md', 'engine/index.ts', 'graders/cli/main.ts'])
      expect(existsSync(join(copy, p)), p).toBe(true);
    for (const p of ['solutions', 'graders/hidden', 'test', 'bench', '.ci'])
      expect(existsSync(join(copy, p)), p).toBe(false);
    const scripts = Object.keys(JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')).scripts);
    expect(scripts).toContain('grade');
    expect(scripts).not.toContain('course:export');
    expect(scanLeaks(repo, join(repo, 'engine'), copy)).toEqual([]);
    expect(() => exportCourse({ course: repo, dest: copy })).toThrow(/is not empty/);
  });

  test('the leak scan finds a solution wherever it is put, under any name', () => {
    const planted = mkdtempSync(join(tmpdir(), 'torchlings-leak-'));
    mkdirSync(join(planted, 'notes'));
    cpSync(join(repo, 'solutions/02-autograd/autograd.ts'), join(planted, 'notes/cheatsheet.md'));
    writeFileSync(join(planted, 'ok.md'), readFileSync(join(repo, 'exercises/02-autograd/autograd.ts')));
    const leaks = scanLeaks(repo, join(repo, 'engine'), planted);
    expect(leaks.map((l) => [l.file, l.solution])).toEqual([
      ['notes/cheatsheet.md', 'solutions/02-autograd/autograd.ts'],
    ]);
  });

  // The workflow's own grading step, run as Actions would (bash, a fresh $GITHUB_OUTPUT) in the copy
  // with its dependencies linked in: the untouched stubs score 0, one test per check. Exercises 01–03
  // only: that keeps the test short, and 04–05 read node_modules, which the grading sandbox allows by
  // its real path, not through this test's symlink.
  test("the Classroom workflow's grading step writes the reporter's payload; the stubs score 0", async () => {
    symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));
    const workflow = parse(readFileSync(join(copy, '.github/workflows/classroom.yml'), 'utf8'));
    const steps = workflow.jobs['run-autograding-tests'].steps as { id?: string; run?: string; with?: object }[];
    const step = steps.find((s) => s.id === 'torchlings')!;
    const reporter = steps.find((s) => String((s as { uses?: string }).uses).includes('autograding-grading-reporter'))!;
    expect(reporter.with).toEqual({ runners: 'torchlings' });
    const output = join(copy, 'github-output');
    writeFileSync(output, '');
    const run = step.run!.replace('--github-classroom', '--github-classroom 01 02 03');
    const r = await execa('bash', ['-e', '-c', run], {
      cwd: copy,
      reject: false,
      env: { GITHUB_OUTPUT: output, NO_COLOR: '1' },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const line = readFileSync(output, 'utf8').trim();
    expect(line).toMatch(/^result=[A-Za-z0-9+/=]+$/);
    const payload = JSON.parse(
      Buffer.from(line.slice('result='.length), 'base64').toString('utf8'),
    ) as ClassroomResults;
    const graded = loadCourse(copy).manifest.exercises.slice(0, 3);
    expect(payload).toMatchObject({
      version: 1,
      status: 'fail',
      max_score: graded.reduce((s, e) => s + e.points, 0),
    });
    expect(payload.tests.length).toBeGreaterThan(10);
    for (const t of payload.tests) {
      expect(Object.keys(t).sort()).toEqual(
        ['duration', 'filename', 'line_no', 'message', 'name', 'score', 'status', 'test_code'].sort(),
      );
      expect(t).toMatchObject({ status: 'fail', score: 0 });
      expect(t.message).toMatch(/^not started/);
    }
  });
});

describe('npm run solution', { timeout: 120_000 }, () => {
  // A course copy inside this checkout, so that its graders' `#kit/…` imports resolve.
  const course = join(repo, '.torchlings', `solution-test-${process.pid}`);
  afterAll(() => rmSync(course, { recursive: true, force: true }));
  const solution = (id: string) =>
    execa(process.execPath, ['--import', 'tsx', 'graders/cli/solution.ts', '--course', course, id], {
      cwd: repo,
      reject: false,
      env: { NO_COLOR: '1', LANG: 'C' },
    });

  test('shows the worked solution only once the exercise passes', async () => {
    for (const d of ['exercises', 'solutions', 'graders'])
      cpSync(join(fixture, d), join(course, d), { recursive: true });
    const before = await solution('01');
    expect(before.exitCode).toBe(1);
    expect(before.stdout).toContain('01-add does not pass yet (0/4)');
    expect(before.stdout).not.toContain('xs.reduce');
    cpSync(join(fixture, 'solutions/01-add/add.ts'), join(course, 'exercises/01-add/add.ts'));
    const after = await solution('01');
    expect(after.exitCode).toBe(0);
    expect(after.stdout).toContain('── solutions/01-add/add.ts ──');
    expect(after.stdout).toContain('return xs.reduce((acc, x) => acc + x, 0);');
  });
});
