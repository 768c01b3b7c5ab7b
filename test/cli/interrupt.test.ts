import { expect, test } from 'vitest';
import { grade } from '../../graders/cli/grade.ts';
import { loadCourse } from '../../graders/cli/manifest.ts';
import { killAll } from '../../graders/cli/run-exercise.ts';
import { course as fixture } from './helpers.ts';

// The CLI's SIGINT/SIGTERM handler calls killAll() and aborts. A grading still building its bundles
// then has no process for killAll() to end; it must not start one after (its learner's endless loop
// would run to the time limit, and the CLI wait on it). The end-to-end signal tests are in
// hostile/hostile.test.ts; this is the race they can only hit by the machine's timing.
test('after killAll() a grading that had not started its process does not start it', async () => {
  const course = loadCourse(fixture);
  killAll();
  const report = await grade(course, course.manifest.exercises, {
    kind: 'solutions',
    lang: 'en',
    jobs: 1,
    seed: 0,
    device: 'cpu',
  });
  expect(report.exercises.map((e) => [e.id, e.status, e.error?.message.en])).toEqual(
    course.manifest.exercises.map((e) => [e.id, 'error', 'grading was interrupted (SIGINT or SIGTERM)']),
  );
});
