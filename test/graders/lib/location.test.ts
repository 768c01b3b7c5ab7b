import { expect, test } from 'vitest';
import { learnerFrame } from '../../../graders/lib/location.ts';

const root = '/work/course/exercises';

test('finds the first frame in the learner folder and names it by its label', () => {
  const stack = [
    'Error: boom',
    '    at compare (/work/kit/graders/lib/expect.ts:10:5)',
    '    at Linear.forward (/work/course/exercises/03-linear/linear.ts:12:7)',
    '    at /work/course/exercises/03-linear/other.ts:1:1',
  ].join('\n');
  expect(learnerFrame(stack, root, 'exercises')).toEqual({
    file: 'exercises/03-linear/linear.ts',
    line: 12,
    column: 7,
  });
});

test('reads file:// URLs and query strings, and shows a submission by its own path', () => {
  const stack = 'Error\n    at file:///work/course/exercises/01-t/t.ts?v=3:4:2';
  expect(learnerFrame(stack, root, 'subs/alice/exercises')).toEqual({
    file: 'subs/alice/exercises/01-t/t.ts',
    line: 4,
    column: 2,
  });
});

test('no learner frame: undefined, never a kit or engine frame', () => {
  expect(
    learnerFrame(
      'Error\n    at f (/work/course/exercises-old/x.ts:1:1)\n    at g (/work/engine/tensor.ts:5:5)',
      root,
      'exercises',
    ),
  ).toBeUndefined();
  expect(learnerFrame(undefined, root, 'exercises')).toBeUndefined();
});
