import type { Lang } from '../lib/text.ts';
import type { Course, Exercise } from './manifest.ts';
import { REPORT_SCHEMA_VERSION, summarise, type ExerciseResult, type Report, type TargetKind } from './results.ts';
import { runExercise, type RunSettings } from './run-exercise.ts';
import { disposeTarget, prepareTarget } from './target.ts';

export interface GradeOptions extends RunSettings {
  kind: TargetKind;
  submission?: string;
  lang: Lang;
  /** Exercises graded at once, each in its own process. */
  jobs: number;
  onProgress?: (done: number, total: number) => void;
}

/** Grades the given exercises (manifest order kept in the report, whatever order they finish in). */
export async function grade(course: Course, exercises: Exercise[], opts: GradeOptions): Promise<Report> {
  const startedAt = new Date();
  const target = await prepareTarget(course, exercises, opts.kind, opts.submission);
  const results: ExerciseResult[] = new Array(exercises.length);
  let next = 0;
  let done = 0;
  opts.onProgress?.(0, exercises.length);
  const worker = async (): Promise<void> => {
    while (next < exercises.length) {
      const i = next++;
      results[i] = await runExercise(course, exercises[i]!, target, opts);
      opts.onProgress?.(++done, exercises.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, exercises.length)) }, worker));
  } finally {
    await disposeTarget(target);
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    target: { kind: opts.kind, path: target.label },
    seed: opts.seed,
    device: opts.device,
    lang: opts.lang,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    ...summarise(results),
    exercises: results,
  };
}
