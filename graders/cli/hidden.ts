import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { text } from '../lib/text.ts';
import { grade, type GradeOptions } from './grade.ts';
import { folder, type Course, type Exercise } from './manifest.ts';
import { summarise, type CheckResult, type ExerciseResult, type HiddenResult, type Report } from './results.ts';

// Hidden checks (nbgrader's and otter's idea): `graders/hidden/NN-slug.hidden.ts`, or the same names
// in the folder given by --hidden DIR. The file never ships in a learner's copy (course:export leaves
// graders/hidden/ out). Its checks run in a grading pass of their own, so that a hidden grader that
// breaks costs the hidden points only, and their points stay apart from the visible score.

export const hiddenFile = (dir: string, e: Pick<Exercise, 'id' | 'slug'>): string =>
  join(dir, `${folder(e)}.hidden.ts`);

/** The exercises that have a hidden grader in `dir`, each pointed at it instead of its own grader. */
export function hiddenExercises(course: Course, exercises: Exercise[], dir: string): Exercise[] {
  return exercises
    .filter((e) => existsSync(hiddenFile(dir, e)))
    .map((e) => ({ ...e, grader: relative(course.root, hiddenFile(dir, e)) }));
}

/** Joins the hidden pass's results onto the visible ones, keyed by exercise id. */
export function attachHidden(visible: ExerciseResult[], hidden: ExerciseResult[]): ExerciseResult[] {
  const byId = new Map(hidden.map((h) => [h.id, h]));
  return visible.map((e) => {
    const h = byId.get(e.id);
    if (!h) return e;
    const result: HiddenResult = {
      status: h.status,
      score: h.score,
      maxScore: h.maxScore,
      ...(h.error && { error: h.error }),
      checks: h.checks,
      shown: true,
    };
    return { ...e, hidden: result };
  });
}

/**
 * What every learner-facing report holds of the hidden checks unless the instructor passes
 * --show-hidden: how many, their points and statuses, and nothing a grader author wrote or a check
 * printed. Applied once to the report, before any renderer or writer sees it, so no output format can
 * let the text through by forgetting to hide it.
 */
export function redactHidden(report: Report): Report {
  return {
    ...report,
    exercises: report.exercises.map((e) => (e.hidden?.shown ? { ...e, hidden: redact(e.hidden) } : e)),
  };
}

function redact(h: HiddenResult): HiddenResult {
  return {
    status: h.status,
    score: h.score,
    maxScore: h.maxScore,
    ...(h.error && {
      error: {
        kind: h.error.kind,
        message: text('the hidden checks could not run in full', '숨은 검사를 끝까지 실행하지 못했습니다'),
      },
    }),
    checks: h.checks.map(redactCheck),
    shown: false,
  };
}

function redactCheck(c: CheckResult, i: number): CheckResult {
  const n = i + 1;
  return {
    id: `hidden-${n}`,
    points: c.points,
    score: c.score,
    status: c.status,
    title: text(`hidden check ${n}`, `숨은 검사 ${n}`),
    hint: text('', ''),
    guide: '',
    message: [],
    ...(c.errorKind && { errorKind: c.errorKind }),
  };
}

export interface HiddenOptions {
  /** Folder of hidden graders; no hidden pass without it. */
  hidden?: string;
  showHidden: boolean;
}

/**
 * The runner's grade(), then the hidden pass over the same target when asked, joined and (unless
 * --show-hidden) redacted: what every front end (one learner, a class, Gradescope) grades through.
 */
export async function gradeWithHidden(
  course: Course,
  exercises: Exercise[],
  opts: GradeOptions & HiddenOptions,
): Promise<Report> {
  const report = await grade(course, exercises, opts);
  const extra = opts.hidden ? hiddenExercises(course, exercises, opts.hidden) : [];
  if (extra.length === 0) return report;
  // No live events from the hidden pass: its checks' titles are redacted unless --show-hidden.
  const { onEvent: _, ...quiet } = opts;
  const hidden = await grade(course, extra, quiet);
  const joined = attachHidden(report.exercises, hidden.exercises);
  const full: Report = {
    ...report,
    durationMs: report.durationMs + hidden.durationMs,
    ...summarise(joined),
    exercises: joined,
  };
  return opts.showHidden ? full : redactHidden(full);
}
