import { afterEach, beforeEach, expect, test } from 'vitest';
import { classify } from '../../../graders/lib/classify.ts';
import { ENV } from '../../../graders/lib/env.ts';
import { fail } from '../../../graders/lib/failure.ts';
import { TargetLoadError } from '../../../graders/lib/load.ts';
import { text } from '../../../graders/lib/text.ts';
import { NotImplementedError, todo } from '../../../graders/lib/todo.ts';

beforeEach(() => {
  process.env[ENV.targetRoot] = '/course/exercises';
  process.env[ENV.targetLabel] = 'exercises';
});
afterEach(() => {
  delete process.env[ENV.targetRoot];
  delete process.env[ENV.targetLabel];
});

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
};

test('todo() means not started, named, and located in the stub', () => {
  const e = thrown(() => todo('Sigmoid.backward', 1, 2)) as Error;
  e.stack = `NotImplementedError: x\n    at todo (/repo/graders/lib/todo.ts:20:9)\n    at Sigmoid.backward (/course/exercises/02-autograd/autograd.ts:41:12)`;
  expect(classify(e)).toMatchObject({
    status: 'not-started',
    todo: 'Sigmoid.backward',
    location: { file: 'exercises/02-autograd/autograd.ts', line: 41, column: 12 },
  });
});

test('the todo brand survives a second copy of the module (a submission, another loader)', () => {
  const foreign = Object.assign(new Error('not implemented yet: add'), {
    what: 'add',
    [Symbol.for('torchlings.todo')]: true,
  });
  expect(classify(foreign).status).toBe('not-started');
  expect(classify(new Error('not implemented yet: add')).status).toBe('error'); // the message alone is not enough
  expect(new NotImplementedError('f')).toBeInstanceOf(Error);
});

test('a CheckFailure and a vitest assertion are failures; a throw from learner code is an error', () => {
  expect(classify(thrown(() => fail(text('wrong', '틀림'))))).toMatchObject({
    status: 'failed',
    message: [{ en: 'wrong', ko: '틀림' }],
  });
  const assertion = Object.assign(new Error('expected 2 to be 3'), { name: 'AssertionError' });
  expect(classify(assertion)).toMatchObject({ status: 'failed', message: [{ en: 'expected 2 to be 3' }] });
  expect(classify(new TypeError('x is undefined'))).toMatchObject({
    status: 'error',
    errorKind: 'exception',
    message: [{ en: 'threw TypeError: x is undefined' }],
  });
});

test('a file that cannot be loaded is an error of its kind', () => {
  const e = new TargetLoadError('syntax', [text('syntax error: oops', '문법 오류: oops')], {
    file: 'exercises/01/a.ts',
    line: 3,
    column: 1,
  });
  expect(classify(e)).toMatchObject({ status: 'error', errorKind: 'syntax', location: { line: 3 } });
});
