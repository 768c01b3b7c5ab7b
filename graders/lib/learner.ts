/**
 * Pointing a report at the learner's code. A failure found by comparing values has no stack frame in
 * the learner's file, so `graded` points it at the declaration being graded ('practice',
 * 'Sigmoid.backward'); the report and its `next:` line then name the place to work on. Exceptions
 * thrown by the learner's own code keep their real line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { targetRoot } from './env.ts';
import { CheckFailure, isCheckFailure } from './failure.ts';
import type { Text } from './text.ts';
import { isTodo } from './todo.ts';

/** 1-based line of `function name(`, `name(` in a class, or for ['Cls', 'method'] the method after `class Cls`. */
export function declarationLine(path: string, names: readonly string[]): number | undefined {
  let lines: string[];
  try {
    lines = readFileSync(path, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  let from = 0;
  for (const [k, name] of names.entries()) {
    const last = k === names.length - 1;
    const pattern = last
      ? new RegExp(`(function\\s+${name}\\b|^\\s*(static\\s+)?(override\\s+)?${name}\\s*[(<])`)
      : new RegExp(`\\bclass\\s+${name}\\b`);
    const i = lines.findIndex((l, j) => j >= from && pattern.test(l));
    if (i < 0) return undefined;
    from = i;
  }
  return from + 1;
}

/**
 * For one exercise file, a wrapper of check bodies: `graded('Sigmoid.backward', body)` makes the
 * body's value failures point at that declaration.
 */
export function pointingAt(exercise: string, file: string) {
  return <C>(where: string, body: (ctx: C) => Promise<void>): ((ctx: C) => Promise<void>) =>
    graded(exercise, file, where, body);
}

function graded<C>(
  exercise: string,
  file: string,
  where: string,
  body: (ctx: C) => Promise<void>,
): (ctx: C) => Promise<void> {
  return async (ctx) => {
    try {
      await body(ctx);
    } catch (e) {
      if (isCheckFailure(e) && !e.stack?.includes(targetRoot())) {
        const path = join(targetRoot(), exercise, file);
        const line = declarationLine(path, where.split('.'));
        if (line) e.stack = `CheckFailure\n    at ${path}:${line}:1`;
      }
      throw e;
    }
  };
}

/**
 * Runs the learner's code; an exception it throws becomes a failure with `explain`'s words (and the
 * learner's own line, from the original stack). todo() still means "not started".
 */
export function attempt<T>(run: () => T, explain: (e: Error) => Text[]): T {
  try {
    return run();
  } catch (e) {
    if (isTodo(e) || !(e instanceof Error)) throw e;
    const failure = new CheckFailure(explain(e));
    failure.stack = e.stack;
    throw failure;
  }
}
