// Runs the grader's registered checks one after another in the grading child, and reports each
// through `emit`: its spec, its start, the learner's console output during it, its result.
import { format } from 'node:util';
import { classify, CheckTimeout } from '#kit/classify';
import { takeBrowseRequests } from '#kit/browser';
import { DEFAULT_TIMEOUT_MS, registeredChecks, registeredCleanups, type RegisteredCheck } from '#kit/check';
import { baseSeed, device, quickFirst } from '#kit/env';
import { deriveSeed, seededRng } from '#kit/rng';
import { text } from '#kit/text';
import type { CheckOutcome, GradeEvent } from '../../lib/events.ts';
import type { Watch } from './lockdown.ts';

/** What a cleanup may take before the exercise ends anyway. */
const CLEANUP_LIMIT_MS = 120_000;
const WAIT_FACTOR = 4;
const LIMIT_TICK_MS = 50;
// Taken now, before any learner code runs: a patched clock cannot stretch a limit.
const cpuUsage = process.cpuUsage.bind(process);
const wallNow = performance.now.bind(performance);
const cpuMs = (): number => {
  const { user, system } = cpuUsage();
  return (user + system) / 1000;
};
const wallMs = (): number => wallNow();
const CONSOLE = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

const SKIPPED: CheckOutcome = {
  status: 'skipped',
  message: [
    text(
      'not run yet: this long check runs once the quick checks above pass (--all-checks runs it now)',
      '아직 실행하지 않음: 이 긴 검사는 위의 빠른 검사를 모두 통과하면 실행됩니다 (--all-checks 로 지금 실행)',
    ),
  ],
};

export async function runChecks(emit: (e: GradeEvent) => void, watch: Watch): Promise<void> {
  const checks = registeredChecks();
  for (const { spec } of checks) emit({ type: 'check', ...spec });

  // One check at a time: what goes wrong outside its body (a rejection nobody handled, a throw in a
  // timer) belongs to the check running at the time.
  let stray: ((e: unknown) => void) | undefined;
  const onStray = (e: unknown): void => stray?.(e);
  process.on('unhandledRejection', onStray);
  process.on('uncaughtException', onStray);
  let log = '';
  for (const name of CONSOLE) {
    Object.defineProperty(console, name, {
      value: (...args: unknown[]) => {
        log += `${format(...args)}\n`;
      },
      writable: false,
      configurable: false,
    });
  }

  // Quick-first (a learner's own grading): the long checks run only once every quick one passed.
  let quickUnpassed = false;
  for (const c of checks) {
    if (c.spec.expensive && quickUnpassed && quickFirst()) {
      emit({ type: 'result', id: c.spec.id, durationMs: 0, ...SKIPPED });
      continue;
    }
    emit({ type: 'start', id: c.spec.id, taskId: c.spec.id });
    log = '';
    const started = wallMs();
    const strayError = new Promise<never>((_, reject) => (stray = reject));
    strayError.catch(() => {});
    let outcome = await outcomeOf(c, strayError);
    stray = undefined;
    const changed = watch.restore();
    if (changed.length > 0 && outcome.status !== 'error') outcome = tampered(changed);
    if (log !== '') emit({ type: 'log', taskId: c.spec.id, content: log });
    if (!c.spec.expensive && outcome.status !== 'passed') quickUnpassed = true;
    emit({ type: 'result', id: c.spec.id, durationMs: Math.max(0, Math.round(wallMs() - started)), ...outcome });
    // Pages to open in a browser once grading ends (graders/cli/browse.ts), asked for by this check.
    for (const request of takeBrowseRequests()) emit({ type: 'browse', ...request });
  }
  for (const cleanup of registeredCleanups()) await withLimit(async () => cleanup(), CLEANUP_LIMIT_MS).catch(() => {});
}

async function outcomeOf(c: RegisteredCheck, strayError: Promise<never>): Promise<CheckOutcome> {
  const seed = deriveSeed(baseSeed(), c.spec.id);
  try {
    await Promise.race([
      withLimit(
        async () => c.body({ seed, rng: seededRng(seed), device: device() }),
        c.spec.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ),
      strayError,
    ]);
    // Node reports a rejection nobody handled once the microtasks run out: let it, so that it
    // counts against this check rather than a later one.
    await Promise.race([new Promise((resolve) => setImmediate(resolve)), strayError]);
    return { status: 'passed', message: [] };
  } catch (e) {
    return classify(e);
  }
}

/**
 * A check's limit counts the CPU time this process spends (all its threads), not the clock: a busy
 * machine slows a correct solution down without making it use more CPU. A check that waits without
 * computing (a promise that never settles) still ends, at WAIT_FACTOR times the limit by the clock.
 */
async function withLimit(run: () => Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const cpu0 = cpuMs();
  const wall0 = wallMs();
  const expired = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      if (cpuMs() - cpu0 > ms || wallMs() - wall0 > WAIT_FACTOR * ms) reject(new CheckTimeout(ms));
    }, LIMIT_TICK_MS);
  });
  try {
    await Promise.race([run(), expired]);
  } finally {
    clearInterval(timer);
  }
}

function tampered(changed: string[]): CheckOutcome {
  const names = changed.slice(0, 3).join(', ');
  return {
    status: 'error',
    errorKind: 'forbidden',
    message: [
      text(
        `your code replaced ${names}, which grading relies on; it was put back`,
        `여러분의 코드가 채점에 쓰이는 ${names} 을(를) 바꿨습니다. 원래대로 돌려놓았습니다`,
      ),
    ],
  };
}
