import type { CheckSpec } from './events.ts';
import type { Rng } from './rng.ts';

export interface CheckContext {
  /** This check's own seed, derived from --seed and the check id. */
  seed: number;
  /** Random inputs, from `seed`. */
  rng: Rng;
  /** From --device: 'cpu', 'webgpu' or 'auto'. */
  device: string;
}

export interface RegisteredCheck {
  spec: CheckSpec;
  body: (ctx: CheckContext) => unknown;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

const checks: RegisteredCheck[] = [];
const cleanups: (() => unknown)[] = [];

/**
 * Registers one graded check. The body passes by returning, fails by throwing a CheckFailure (the
 * expect* helpers do), and is "not started" when the learner's stub calls todo(). The grading child
 * (graders/cli/sandbox/) runs the registered checks in order.
 */
export function check(spec: CheckSpec, body: (ctx: CheckContext) => unknown): void {
  if (checks.some((c) => c.spec.id === spec.id)) throw new Error(`two checks share the id '${spec.id}'`);
  // Checks run in order: a quick one after an expensive one would wait for it.
  const expensive = checks.find((c) => c.spec.expensive);
  if (expensive && !spec.expensive)
    throw new Error(`grader bug: quick check '${spec.id}' is registered after expensive check '${expensive.spec.id}'`);
  checks.push({ spec, body });
}

/** Runs once every check has run (or the exercise stopped early): a grader removes what it wrote. */
export function afterChecks(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

export const registeredChecks = (): readonly RegisteredCheck[] => checks;
export const registeredCleanups = (): readonly (() => unknown)[] => cleanups;
