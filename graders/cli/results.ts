import type { CheckOutcome, CheckSpec, ErrorKind } from '../lib/events.ts';
import type { Location } from '../lib/location.ts';
import type { Lang, Text } from '../lib/text.ts';

// The graded result of a run: what the terminal renders and what --json writes (its JSON Schema is
// graders/schemas/report.schema.json; change both together and bump REPORT_SCHEMA_VERSION on a break).

export const REPORT_SCHEMA_VERSION = 2; // 2: a check may be "skipped" (quick-first)

export interface CheckResult extends Omit<CheckSpec, 'timeoutMs'>, CheckOutcome {
  score: number;
  durationMs?: number;
  /** The learner's console output during the check, cut to a few kilobytes. */
  output?: string;
}

export type ExerciseStatus = 'passed' | 'failed' | 'not-started' | 'error';

export interface ExerciseError {
  kind: ErrorKind;
  message: Text;
  location?: Location;
}

export interface ExerciseResult {
  id: string;
  slug: string;
  /** `03-linear-regression` */
  folder: string;
  title: Text;
  status: ExerciseStatus;
  score: number;
  maxScore: number;
  durationMs: number;
  /** Why the exercise could not be graded in full; the checks still say what they can. */
  error?: ExerciseError;
  checks: CheckResult[];
  /** The instructor's hidden checks (--hidden), graded in a pass of their own; not in score. */
  hidden?: HiddenResult;
}

export interface HiddenResult {
  status: ExerciseStatus;
  score: number;
  maxScore: number;
  error?: ExerciseError;
  checks: CheckResult[];
  /** False when titles and messages were replaced by neutral words (everything but --show-hidden). */
  shown: boolean;
}

export type TargetKind = 'exercises' | 'solutions' | 'submission';

export interface Report {
  schemaVersion: number;
  target: { kind: TargetKind; path: string };
  seed: number;
  device: string;
  lang: Lang;
  startedAt: string;
  durationMs: number;
  /** How the exercises' code was confined: Node's permission model, when this Node has one. */
  sandbox: { permissionModel: boolean; node: string };
  score: number;
  maxScore: number;
  /** True only when every graded exercise passed: the exit code is 0 exactly then. */
  passed: boolean;
  /** Points of the hidden checks, apart from score; present only when they ran (--hidden). */
  hiddenScore?: number;
  hiddenMaxScore?: number;
  exercises: ExerciseResult[];
}

export function summarise(
  exercises: ExerciseResult[],
): Pick<Report, 'score' | 'maxScore' | 'passed' | 'hiddenScore' | 'hiddenMaxScore'> {
  const hidden = exercises.flatMap((e) => (e.hidden ? [e.hidden] : []));
  return {
    score: exercises.reduce((s, e) => s + e.score, 0),
    maxScore: exercises.reduce((s, e) => s + e.maxScore, 0),
    passed: exercises.length > 0 && exercises.every((e) => e.status === 'passed'),
    ...(hidden.length > 0 && {
      hiddenScore: hidden.reduce((s, h) => s + h.score, 0),
      hiddenMaxScore: hidden.reduce((s, h) => s + h.maxScore, 0),
    }),
  };
}
