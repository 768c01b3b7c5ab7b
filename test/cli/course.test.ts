import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { folder, loadCourse } from '../../graders/cli/manifest.ts';
import type { Report } from '../../graders/cli/results.ts';
import { devices } from '../helpers/devices.ts';
import { course as fixture, repo } from './helpers.ts';

// rustlings' `dev check` for every course: each solution passes in full, each untouched stub is
// "not started" (never wrong, never an error), and the manifest's points equal its checks' points.
// Exercises without a grader yet are skipped, so the real course is held to this as it is written.

async function gradeJson(root: string, args: string[], timeoutSeconds: number): Promise<Report> {
  const out = join(mkdtempSync(join(tmpdir(), 'torchlings-course-')), 'report.json');
  await execa(
    process.execPath,
    ['--import', 'tsx', 'graders/cli/main.ts', '--course', root, '--json', out, '--jobs', '2', ...args],
    {
      cwd: repo,
      reject: false,
      env: { NO_COLOR: '1' },
      timeout: timeoutSeconds * 1000,
    },
  );
  return JSON.parse(readFileSync(out, 'utf8')) as Report;
}

for (const root of [fixture, repo]) {
  if (!existsSync(join(root, 'exercises', 'manifest.json'))) continue;
  const course = loadCourse(root);
  const ready = course.manifest.exercises.filter((e) => existsSync(join(root, e.grader)));
  const ids = ready.map((e) => e.id);
  const budget = 30 + ready.reduce((s, e) => s + e.timeoutSeconds, 0);
  // Hidden checks are held to the same rule, in the same runs (their own pass, shown in full here).
  const hidden = existsSync(join(root, 'graders', 'hidden')) ? ['--hidden', '--show-hidden'] : [];

  describe.skipIf(ready.length === 0)(
    `course at ${root === repo ? '.' : 'test/fixtures/course'}`,
    { timeout: 2 * budget * 1000 },
    () => {
      test('every exercise has its README, stubs and solutions', () => {
        for (const e of course.manifest.exercises) {
          expect(existsSync(join(root, 'exercises', folder(e), 'README.md')), `${folder(e)}/README.md`).toBe(true);
          for (const f of e.files) {
            expect(existsSync(join(root, 'exercises', folder(e), f)), `exercises/${folder(e)}/${f}`).toBe(true);
            expect(existsSync(join(root, 'solutions', folder(e), f)), `solutions/${folder(e)}/${f}`).toBe(true);
          }
        }
      });

      test.concurrent("every solution passes in full, and the manifest points are the checks' points", async () => {
        const report = await gradeJson(root, ['--solutions', ...hidden, ...ids], budget);
        for (const e of report.exercises) {
          const failing = [...e.checks, ...(e.hidden?.checks ?? [])]
            .filter((c) => c.status !== 'passed')
            .map((c) => `${c.id}: ${c.message[0]?.en ?? c.status}`);
          expect({ exercise: e.folder, failing, error: e.error?.message.en }).toEqual({
            exercise: e.folder,
            failing: [],
            error: undefined,
          });
          expect(e.hidden?.error, `${e.folder}: hidden checks`).toBeUndefined();
          expect(e.maxScore, `${e.folder}: manifest points`).toBe(
            course.manifest.exercises.find((m) => m.id === e.id)!.points,
          );
        }
      });

      // The worked solutions pass on every other device CI has too (WebGPU on lavapipe there).
      for (const device of root === repo ? devices.filter((d) => d !== 'cpu') : []) {
        test.concurrent(`every solution passes in full on ${device}`, async () => {
          const report = await gradeJson(root, ['--solutions', '--device', device, ...ids], budget);
          const failing = report.exercises.flatMap((e) =>
            e.checks
              .filter((c) => c.status !== 'passed')
              .map((c) => `${e.folder} ${c.id}: ${c.message[0]?.en ?? c.status}`),
          );
          expect(failing).toEqual([]);
          expect(report.exercises.map((e) => e.error?.message.en)).toEqual(report.exercises.map(() => undefined));
        });
      }

      test.concurrent('every untouched stub is "not started" in every check', async () => {
        const report = await gradeJson(root, ['--all-checks', ...hidden, ...ids], budget);
        for (const e of report.exercises) {
          const started = [...e.checks, ...(e.hidden?.checks ?? [])]
            .filter((c) => c.status !== 'not-started')
            .map((c) => `${c.id}: ${c.status}`);
          expect({ exercise: e.folder, started }).toEqual({ exercise: e.folder, started: [] });
          expect(e.checks.length, `${e.folder} registers checks`).toBeGreaterThan(0);
        }
      });
    },
  );
}
