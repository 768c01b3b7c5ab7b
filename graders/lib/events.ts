import type { BrowseRequest } from './browser.ts';
import type { Location } from './location.ts';
import type { Text } from './text.ts';

// What the grading child tells the CLI, one signed line per event, written synchronously (see
// graders/cli/sandbox/channel.ts): when the CLI kills an exercise stuck in an infinite loop, every
// check that finished before it has already been recorded, and the one that started but never
// finished is the one that hung.

/** skipped: a check not run: an expensive one held back because a quick one of its exercise has not
 * passed yet (quick-first), or one that needs a tool this machine lacks (a browser); it scores 0. */
export type CheckStatus = 'passed' | 'failed' | 'not-started' | 'error' | 'skipped';

/**
 * Why something is an error rather than a failure. The first three mean a file could not be loaded;
 * `forbidden`: the learner's code reached for something grading does not allow (a file outside the
 * scratch folder, a process, the grader's own functions).
 */
export type ErrorKind =
  'missing-file' | 'syntax' | 'load' | 'exception' | 'timeout' | 'out-of-memory' | 'crash' | 'forbidden';

export interface CheckSpec {
  /** Stable id, unique within the exercise, e.g. 'sigmoid-backward'. Reports and seeds key on it. */
  id: string;
  points: number;
  title: Text;
  hint: Text;
  /** Guide section the check grades, e.g. '§3.3.2'. */
  guide: string;
  /** Per-check time limit; the exercise as a whole has its own, set in the manifest. */
  timeoutMs?: number;
  /**
   * Long (training on MNIST): registered after every quick check of its grader, and when a learner
   * grades their own exercises, run only once all of the quick ones pass.
   */
  expensive?: boolean;
}

export interface CheckOutcome {
  status: CheckStatus;
  /** Why it did not pass, one Text per line; empty when passed. */
  message: Text[];
  location?: Location;
  /** For not-started checks: what the stub's todo() names, e.g. 'Sigmoid.backward'. */
  todo?: string;
  /** For errors only. */
  errorKind?: ErrorKind;
}

export type GradeEvent =
  | ({ type: 'check' } & CheckSpec)
  | { type: 'start'; id: string; taskId: string }
  | ({ type: 'result'; id: string; durationMs: number } & CheckOutcome)
  // A check asking the CLI to open a page in a browser after grading (graders/lib/browser.ts):
  | ({ type: 'browse' } & BrowseRequest)
  // Written by the runner around the checks:
  | { type: 'log'; taskId: string; content: string }
  | { type: 'file-error'; message: string; location?: Location }
  | { type: 'end' };
