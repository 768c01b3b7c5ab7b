import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { grade } from '../../graders/cli/grade.ts';
import { folder } from '../../graders/cli/manifest.ts';
import type { ExerciseResult } from '../../graders/cli/results.ts';
import { killAll } from '../../graders/cli/run-exercise.ts';
import { buildSubmission, course, type Mutant } from './mutants.ts';

// Grades a mutant as `npm run grade -- --submission DIR NN` does (the same grading child, sandbox,
// limits and checks), but from the test's own process: starting the CLI (tsx, its imports, an
// esbuild service) costs about a second of CPU per run, which dozens of mutants paid again and again.
// The CLI itself is tested end to end in test/cli/.

// A test that times out leaves its grading child to the watchdog of this process: end it with the file.
afterAll(() => killAll());

/** The mutant's exercise, graded with every check (a grade of record: no quick-first), seed 0, on the CPU. */
export async function gradeMutant(m: Mutant): Promise<ExerciseResult> {
  const exercise = course.manifest.exercises.find((e) => folder(e) === m.exercise);
  if (!exercise) throw new Error(`mutant ${m.exercise}/${m.variant}: no exercise ${m.exercise} in the manifest`);
  const submission = buildSubmission(m);
  try {
    const report = await grade(course, [exercise], {
      kind: 'submission',
      submission,
      lang: 'en',
      jobs: 1,
      seed: 0,
      device: 'cpu',
      quickFirst: false,
    });
    return report.exercises[0]!;
  } finally {
    rmSync(submission, { recursive: true, force: true });
  }
}
