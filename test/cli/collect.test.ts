import { expect, test } from 'vitest';
import type { GradeEvent } from '../../graders/lib/events.ts';
import { text } from '../../graders/lib/text.ts';
import { collect, type ProcessEnd } from '../../graders/cli/collect.ts';
import type { Exercise } from '../../graders/cli/manifest.ts';

const exercise: Exercise = {
  id: '02',
  slug: 'grad',
  title: text('Grad', '기울기'),
  files: ['g.ts'],
  guide: ['§2.2'],
  points: 5,
  timeoutSeconds: 10,
  grader: 'graders/02-grad.grader.ts',
  hints: [text('h', 'ㅎ')],
};
const spec = (id: string, points: number): GradeEvent => ({
  type: 'check',
  id,
  points,
  title: text(id, id),
  hint: text('h', 'ㅎ'),
  guide: '§2.2',
});
const end: ProcessEnd = {
  timedOut: false,
  timeoutSeconds: 10,
  memoryMB: 512,
  exitCode: 0,
  stderrTail: '',
  durationMs: 5,
};
const checks = [spec('a', 2), spec('b', 3)];

test('scores passed checks and sums the points the grader declares', () => {
  const r = collect(
    exercise,
    [
      ...checks,
      { type: 'start', id: 'a', taskId: 't1' },
      { type: 'result', id: 'a', durationMs: 1, status: 'passed', message: [] },
      { type: 'start', id: 'b', taskId: 't2' },
      { type: 'log', taskId: 't2', content: 'hello\n' },
      { type: 'result', id: 'b', durationMs: 1, status: 'failed', message: [text('no', '아니')] },
      { type: 'end' },
    ],
    end,
  );
  expect(r).toMatchObject({ status: 'failed', score: 2, maxScore: 5 });
  expect(r.checks[1]).toMatchObject({ status: 'failed', score: 0, output: 'hello\n' });
  expect(r.error).toBeUndefined();
});

test('a timeout blames the check that was running and marks the rest not run', () => {
  const r = collect(exercise, [...checks, { type: 'start', id: 'a', taskId: 't1' }], {
    ...end,
    timedOut: true,
    signal: 'SIGKILL',
  });
  expect(r).toMatchObject({ status: 'error', score: 0, maxScore: 5, error: { kind: 'timeout' } });
  expect(r.checks.map((c) => [c.errorKind, c.message[0]?.en])).toEqual([
    ['timeout', 'still running when grading stopped'],
    ['timeout', 'not run: grading stopped before this check'],
  ]);
});

test('V8 running out of heap is reported as out of memory, with the limit', () => {
  const r = collect(exercise, [...checks, { type: 'file-error', message: 'Error: Worker exited' }, { type: 'end' }], {
    ...end,
    stderrTail: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
  });
  expect(r.error).toMatchObject({ kind: 'out-of-memory', message: { en: 'ran out of memory (limit 512 MB)' } });
});

test('a process that dies without finishing is a crash; a grader without checks keeps the manifest points', () => {
  expect(collect(exercise, checks, { ...end, exitCode: 9, stderrTail: 'boom\n' }).error).toMatchObject({
    kind: 'crash',
    message: { en: 'the grading process died (exit code 9): boom' },
  });
  const r = collect(exercise, [{ type: 'file-error', message: 'SyntaxError: bad grader' }, { type: 'end' }], end);
  expect(r).toMatchObject({ status: 'error', maxScore: 5, error: { kind: 'load' } });
});

test('a learner file that cannot load makes the exercise an error, with its location', () => {
  const location = { file: 'exercises/02-grad/g.ts', line: 3, column: 1 };
  const broken = {
    status: 'error' as const,
    errorKind: 'syntax' as const,
    message: [text('syntax error: x', '문법 오류: x')],
    location,
  };
  const r = collect(
    exercise,
    [
      ...checks,
      { type: 'result', id: 'a', durationMs: 1, ...broken },
      { type: 'result', id: 'b', durationMs: 1, ...broken },
      { type: 'end' },
    ],
    end,
  );
  expect(r.error).toEqual({ kind: 'syntax', message: text('syntax error: x', '문법 오류: x'), location });
});

test('a later result replaces an earlier: a browser check the CLI found no browser for is skipped', () => {
  const r = collect(
    exercise,
    [
      ...checks,
      { type: 'result', id: 'a', durationMs: 1, status: 'passed', message: [] },
      { type: 'result', id: 'b', durationMs: 1, status: 'passed', message: [] },
      { type: 'result', id: 'b', durationMs: 2, status: 'skipped', message: [text('skipped: install it', '건너뜀')] },
      { type: 'end' },
    ],
    end,
  );
  expect(r).toMatchObject({ status: 'passed', score: 2, maxScore: 5 });
  expect(r.checks[1]).toMatchObject({ status: 'skipped', score: 0, message: [text('skipped: install it', '건너뜀')] });
});
