import type { ErrorKind, GradeEvent } from '../lib/events.ts';
import { text } from '../lib/text.ts';
import { folder, type Exercise } from './manifest.ts';
import type { CheckResult, ExerciseError, ExerciseResult, ExerciseStatus } from './results.ts';

/** How the grading process ended, as seen from outside it. */
export interface ProcessEnd {
  timedOut: boolean;
  timeoutSeconds: number;
  memoryMB: number;
  exitCode?: number;
  signal?: string;
  /** The last stderr lines: V8 says "heap out of memory" there. */
  stderrTail: string;
  durationMs: number;
  /** Lines on the results pipe that the child's kit did not sign: the learner's code wrote them. */
  foreignLines?: number;
  /** The results pipe carried more than any grader writes; the child was stopped. */
  flooded?: boolean;
}

const LOAD_KINDS: ErrorKind[] = ['missing-file', 'syntax', 'load'];
const OUTPUT_LIMIT = 4000;

/** Turns one exercise's event stream and its process's ending into a scored result. */
export function collect(exercise: Exercise, events: GradeEvent[], end: ProcessEnd): ExerciseResult {
  const specs = events.filter((e): e is Extract<GradeEvent, { type: 'check' }> => e.type === 'check');
  const results = new Map(events.flatMap((e) => (e.type === 'result' ? [[e.id, e] as const] : [])));
  const started = new Map(events.flatMap((e) => (e.type === 'start' ? [[e.id, e.taskId] as const] : [])));
  const output = outputByTask(events);
  const error = processError(events, end, specs.length);

  const checks: CheckResult[] = specs.map(({ type: _, timeoutMs: __, ...spec }) => {
    const r = results.get(spec.id);
    const log = output.get(started.get(spec.id) ?? '');
    const base = { ...spec, ...(log && { output: log }) };
    if (r) {
      const { type: _t, id: _i, ...outcome } = r;
      return { ...base, ...outcome, score: r.status === 'passed' ? spec.points : 0 };
    }
    return { ...base, ...unfinished(started.has(spec.id), error), score: 0 };
  });

  const loadFailure = checks.find((c) => c.errorKind && LOAD_KINDS.includes(c.errorKind));
  const exerciseError: ExerciseError | undefined =
    error ??
    (loadFailure && {
      kind: loadFailure.errorKind!,
      message: loadFailure.message[0]!,
      ...(loadFailure.location && { location: loadFailure.location }),
    });
  return {
    id: exercise.id,
    slug: exercise.slug,
    folder: folder(exercise),
    title: exercise.title,
    status: status(checks, exerciseError),
    score: checks.reduce((s, c) => s + c.score, 0),
    maxScore: specs.length > 0 ? specs.reduce((s, c) => s + c.points, 0) : exercise.points,
    durationMs: end.durationMs,
    ...(exerciseError && { error: exerciseError }),
    checks,
  };
}

/** An exercise that could not even start grading: no checks to list, the manifest's points at stake. */
export function ungraded(exercise: Exercise, error: ExerciseError): ExerciseResult {
  const { id, slug, title, points } = exercise;
  return {
    id,
    slug,
    folder: folder(exercise),
    title,
    status: 'error',
    score: 0,
    maxScore: points,
    durationMs: 0,
    error,
    checks: [],
  };
}

/** An error of the whole exercise, known from the process rather than from any one check. */
export function processError(events: GradeEvent[], end: ProcessEnd, checkCount: number): ExerciseError | undefined {
  if (end.timedOut) {
    const s = end.timeoutSeconds;
    return {
      kind: 'timeout',
      message: text(
        `timed out after ${s} s: a check never finished (an endless loop?)`,
        `${s}초 안에 끝나지 않았습니다: 끝나지 않는 검사가 있습니다 (무한 루프?)`,
      ),
    };
  }
  if (end.flooded) {
    return {
      kind: 'forbidden',
      message: text(
        "your code flooded the grading's results channel; grading stopped",
        '여러분의 코드가 채점 결과 통로를 가득 채워 채점을 멈췄습니다',
      ),
    };
  }
  if (/heap out of memory|Reached heap limit/i.test(end.stderrTail)) {
    const mb = end.memoryMB;
    return {
      kind: 'out-of-memory',
      message: text(`ran out of memory (limit ${mb} MB)`, `메모리가 부족합니다 (한도 ${mb} MB)`),
    };
  }
  const fileError = events.find((e): e is Extract<GradeEvent, { type: 'file-error' }> => e.type === 'file-error');
  if (fileError) {
    const at = fileError.location ? ` at ${fileError.location.file}:${fileError.location.line}` : '';
    return {
      kind: checkCount === 0 ? 'load' : 'crash',
      message: text(
        `the grader stopped: ${fileError.message}${at}`,
        `채점이 중단되었습니다: ${fileError.message}${at}`,
      ),
    };
  }
  if (!events.some((e) => e.type === 'end')) {
    const how = end.signal ?? `exit code ${end.exitCode}`;
    const last = end.stderrTail.trim().split('\n').at(-1)?.slice(0, 160) ?? '';
    return {
      kind: 'crash',
      message: text(
        `the grading process died (${how})${last && `: ${last}`}`,
        `채점 프로세스가 비정상 종료했습니다 (${how})${last && `: ${last}`}`,
      ),
    };
  }
  if (checkCount === 0)
    return { kind: 'load', message: text('the grader registered no checks', '채점 파일에 검사가 없습니다') };
  if (end.foreignLines) {
    const n = end.foreignLines;
    return {
      kind: 'forbidden',
      message: text(
        `your code wrote ${n} line(s) into the grading's own results channel; they were ignored`,
        `여러분의 코드가 채점 결과 통로에 ${n}줄을 썼습니다. 무시했습니다`,
      ),
    };
  }
  return undefined;
}

/** A check with no result: the one running when the process ended, or one never reached. */
function unfinished(
  wasStarted: boolean,
  error: ExerciseError | undefined,
): Pick<CheckResult, 'status' | 'message' | 'errorKind'> {
  const message = wasStarted
    ? [text('still running when grading stopped', '채점이 멈출 때 실행 중이었습니다')]
    : [text('not run: grading stopped before this check', '실행되지 않음: 이 검사 전에 채점이 멈췄습니다')];
  return { status: 'error', errorKind: error?.kind ?? 'crash', message };
}

function status(checks: CheckResult[], error: ExerciseError | undefined): ExerciseStatus {
  if (error) return 'error';
  // A check skipped for a tool this machine lacks (a browser; not a long one held back) cannot be
  // passed here: the exercise is done without it, though its points stay out of reach.
  const gradable = checks.filter((c) => c.status !== 'skipped' || c.expensive === true);
  if (gradable.every((c) => c.status === 'passed')) return 'passed';
  // Checks skipped for the quick ones say nothing of their own: the quick ones decide.
  const ran = checks.filter((c) => c.status !== 'skipped');
  if (ran.length > 0 && ran.every((c) => c.status === 'not-started')) return 'not-started';
  return 'failed';
}

function outputByTask(events: GradeEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of events) if (e.type === 'log') out.set(e.taskId, (out.get(e.taskId) ?? '') + e.content);
  for (const [k, v] of out)
    if (v.length > OUTPUT_LIMIT)
      out.set(k, `${v.slice(0, OUTPUT_LIMIT)}\n… (${v.length - OUTPUT_LIMIT} more characters cut)`);
  return out;
}
