import type { CheckOutcome } from './events.ts';
import { isCheckFailure } from './failure.ts';
import { isTargetLoadError } from './load.ts';
import { learnerFrame } from './location.ts';
import { same, text } from './text.ts';
import { isTodo } from './todo.ts';

const brand = Symbol.for('torchlings.check-timeout');

export class CheckTimeout extends Error {
  readonly [brand] = true;
  constructor(readonly ms: number) {
    super(`timed out after ${ms / 1000} s`);
  }
}

const isTimeout = (e: unknown): e is CheckTimeout =>
  typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;

const isAssertion = (e: unknown): e is Error & { actual?: unknown; expected?: unknown } =>
  e instanceof Error && e.name === 'AssertionError';

/**
 * What a thrown value means for the learner. Not started: the stub still calls todo(). Failed: the
 * code ran and gave a wrong answer. Error: the code could not be loaded, threw, or ran too long.
 */
export function classify(e: unknown): CheckOutcome {
  if (isTodo(e)) {
    const where = learnerFrame(e.stack);
    return {
      status: 'not-started',
      message: [text(`${e.what} still calls todo()`, `${e.what} 에서 아직 todo() 를 호출합니다`)],
      todo: e.what,
      ...(where && { location: where }),
    };
  }
  if (isCheckFailure(e)) return withFrame({ status: 'failed', message: e.lines }, e);
  if (isAssertion(e)) return withFrame({ status: 'failed', message: e.message.split('\n').slice(0, 6).map(same) }, e);
  if (isTargetLoadError(e))
    return { status: 'error', errorKind: e.kind, message: e.lines, ...(e.location && { location: e.location }) };
  if (isTimeout(e)) {
    const s = e.ms / 1000;
    return {
      status: 'error',
      errorKind: 'timeout',
      message: [text(`timed out after ${s} s (an endless loop?)`, `${s}초 안에 끝나지 않았습니다 (무한 루프?)`)],
    };
  }
  if (e instanceof Error) {
    const first = e.message.split('\n')[0];
    return withFrame(
      {
        status: 'error',
        errorKind: 'exception',
        message: [text(`threw ${e.name}: ${first}`, `${e.name} 예외가 발생했습니다: ${first}`)],
      },
      e,
    );
  }
  return {
    status: 'error',
    errorKind: 'exception',
    message: [text(`threw ${String(e)}`, `${String(e)} 이(가) 던져졌습니다`)],
  };
}

function withFrame(outcome: CheckOutcome, e: Error): CheckOutcome {
  const where = learnerFrame(e.stack);
  return where ? { ...outcome, location: where } : outcome;
}
