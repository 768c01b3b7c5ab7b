import type { Lang } from '../lib/text.ts';
import { ungraded } from './collect.ts';
import type { Course, Exercise } from './manifest.ts';
import { REPORT_SCHEMA_VERSION, summarise, type ExerciseResult, type Report, type TargetKind } from './results.ts';
import { interrupted, runExercise, type RunSettings } from './run-exercise.ts';
import { sandboxInfo } from './sandbox/permissions.ts';
import { disposeTarget, prepareTarget } from './target.ts';

export interface GradeOptions extends RunSettings {
  kind: TargetKind;
  submission?: string;
  lang: Lang;
  /** Exercises graded at once, each in its own process. */
  jobs: number;
  onProgress?: (done: number, total: number) => void;
  /** Aborted (the CLI got SIGINT or SIGTERM): what has not finished is reported as interrupted. */
  signal?: AbortSignal;
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
      const e = exercises[i]!;
      if (opts.signal?.aborted) results[i] = ungraded(e, interrupted());
      else {
        const r = await runExercise(course, e, target, opts);
        opts.onEvent?.(e, { type: 'end' }); // also when its process died before it could say so
        results[i] = opts.signal?.aborted ? { ...r, status: 'error', error: interrupted() } : r;
      }
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
    durationMs: Math.max(0, Date.now() - startedAt.getTime()),
    sandbox: sandboxInfo(),
    ...summarise(results),
    exercises: results,
  };
}
