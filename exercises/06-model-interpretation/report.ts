// 06 · 모델 해석: one self-contained report page — README.md 를 먼저 읽으세요. Read README.md first. Guide §8.
import { todo } from '#kit/todo';

export interface Figure {
  title: string;
  /** A .png or .svg file. */
  file: string;
  caption?: string;
}

export interface ReportInput {
  title: string;
  figures: Figure[];
  /** A short table: a header row and the rows under it. */
  table: { header: string[]; rows: (string | number)[][] };
}

/**
 * Writes `dir/report.html` and returns its path: every figure inlined as a data: URL, so that the
 * page needs nothing beside itself (it can be mailed, or opened from any folder, offline).
 */
export function writeReport(dir: string, input: ReportInput): string {
  return todo('writeReport', dir, input);
}
