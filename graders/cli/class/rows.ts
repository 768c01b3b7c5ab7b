import { pick, type Lang } from '../../lib/text.ts';
import type { Exercise } from '../manifest.ts';
import type { Report } from '../results.ts';

/** One line of grades.csv. Points per exercise are the visible checks'; hidden ones have their column. */
export interface Row {
  student: string;
  /** Exercise id → points. */
  points: Record<string, number>;
  hidden: number;
  /** Visible and hidden points together. */
  total: number;
  max: number;
  /** passed: every exercise passed · incomplete · error: some exercise could not be graded · broken. */
  status: 'passed' | 'incomplete' | 'error' | 'broken';
  durationSeconds: number;
  reason: string;
}

export const header = (exercises: Exercise[]): string[] => [
  'student',
  ...exercises.map((e) => e.id),
  'hidden',
  'total',
  'max',
  'status',
  'duration_s',
  'reason',
];

export const cells = (row: Row, exercises: Exercise[]): string[] => [
  row.student,
  ...exercises.map((e) => String(row.points[e.id] ?? 0)),
  String(row.hidden),
  String(row.total),
  String(row.max),
  row.status,
  row.durationSeconds.toFixed(1),
  row.reason,
];

/** A graded student's row; the duration is the grading time of its exercises, cached ones included. */
export function reportRow(student: string, report: Report, lang: Lang): Row {
  const hidden = report.hiddenScore ?? 0;
  const errors = report.exercises.filter((e) => e.error || e.hidden?.error);
  return {
    student,
    points: Object.fromEntries(report.exercises.map((e) => [e.id, e.score])),
    hidden,
    total: report.score + hidden,
    max: report.maxScore + (report.hiddenMaxScore ?? 0),
    status: report.passed ? 'passed' : errors.length > 0 ? 'error' : 'incomplete',
    durationSeconds: report.exercises.reduce((s, e) => s + e.durationMs, 0) / 1000,
    reason: errors
      .map((e) => `${e.folder}: ${pick((e.error ?? e.hidden!.error)!.message, lang)}`)
      .join('; ')
      .replace(/\s+/g, ' '),
  };
}

export const brokenRow = (student: string, reason: string, max: number): Row => ({
  student,
  points: {},
  hidden: 0,
  total: 0,
  max,
  status: 'broken',
  durationSeconds: 0,
  reason,
});
