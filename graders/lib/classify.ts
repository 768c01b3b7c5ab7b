import type { CheckOutcome } from './events.ts';
import { isCheckFailure } from './failure.ts';
import { isTargetLoadError } from './load.ts';
import { learnerFrame } from './location.ts';
import { slipLines } from './slips.ts';
import { same, text, type Text } from './text.ts';
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
  if (isCheckFailure(e)) return withSlips(withFrame({ status: 'failed', message: e.lines }, e));
  if (isAssertion(e))
    return withSlips(withFrame({ status: 'failed', message: e.message.split('\n').slice(0, 6).map(same) }, e));
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
  if (isAccessDenied(e)) return withFrame({ status: 'error', errorKind: 'forbidden', message: [denied(e)] }, e);
  if (e instanceof Error) {
    const first = e.message.split('\n')[0];
    return withSlips(
      withFrame(
        {
          status: 'error',
          errorKind: 'exception',
          message: [text(`threw ${e.name}: ${first}`, `${e.name} 예외가 발생했습니다: ${first}`)],
        },
        e,
      ),
      e,
    );
  }
  return {
    status: 'error',
    errorKind: 'exception',
    message: [text(`threw ${String(e)}`, `${String(e)} 이(가) 던져졌습니다`)],
  };
}

/** Node's permission model refused: `permission` is e.g. 'FileSystemWrite', `resource` the path. */
type AccessDenied = Error & { code: 'ERR_ACCESS_DENIED'; permission?: string; resource?: string };

const isAccessDenied = (e: unknown): e is AccessDenied =>
  e instanceof Error && (e as { code?: unknown }).code === 'ERR_ACCESS_DENIED';

function denied(e: AccessDenied): Text {
  const at = e.resource ?? '';
  switch (e.permission) {
    case 'FileSystemWrite':
      return text(
        `your code tried to write ${at}; while grading only the scratch folder is writable`,
        `여러분의 코드가 ${at} 에 쓰려고 했습니다. 채점 중에는 임시 폴더에만 쓸 수 있습니다`,
      );
    case 'FileSystemRead':
      return text(
        `your code tried to read ${at}; while grading it may read only its own exercise folder and the engine`,
        `여러분의 코드가 ${at} 을(를) 읽으려고 했습니다. 채점 중에는 자기 연습문제 폴더와 엔진만 읽을 수 있습니다`,
      );
    default: {
      const what = e.permission ?? e.message.split('\n')[0];
      return text(
        `your code tried something grading does not allow (${what})`,
        `여러분의 코드가 채점 중 허용되지 않는 일을 하려고 했습니다 (${what})`,
      );
    }
  }
}

function withFrame(outcome: CheckOutcome, e: Error): CheckOutcome {
  const where = learnerFrame(e.stack);
  return where ? { ...outcome, location: where } : outcome;
}

/** A failure or error caused by a JavaScript slip (a forgotten await, a misspelt name) says so. */
function withSlips(outcome: CheckOutcome, error?: Error): CheckOutcome {
  const lines = slipLines(
    outcome.message.map((m) => m.en),
    outcome.location,
    error,
  );
  return lines.length > 0 ? { ...outcome, message: [...outcome.message, ...lines] } : outcome;
}
