import { test } from 'vitest';
import { classify, CheckTimeout } from './classify.ts';
import { baseSeed, device, ENV } from './env.ts';
import { appendEvent, type CheckOutcome, type CheckSpec } from './events.ts';
import { deriveSeed, seededRng, type Rng } from './rng.ts';

export interface CheckContext {
  /** This check's own seed, derived from --seed and the check id. */
  seed: number;
  /** Random inputs, from `seed`. */
  rng: Rng;
  /** From --device: 'cpu', 'webgpu' or 'auto'. */
  device: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const ids = new Set<string>();

/**
 * Registers one graded check as a vitest test. The body passes by returning, fails by throwing a
 * CheckFailure (the expect* helpers do), and is "not started" when the learner's stub calls todo().
 */
export function check(spec: CheckSpec, body: (ctx: CheckContext) => unknown): void {
  if (ids.has(spec.id)) throw new Error(`two checks share the id '${spec.id}'`);
  ids.add(spec.id);
  const events = process.env[ENV.events];
  appendEvent(events, { type: 'check', ...spec });
  const limit = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // vitest's own timeout is a backstop; ours fires first and names the check.
  test(`${spec.id}: ${spec.title.en}`, { timeout: limit + 2_000 }, async ({ task }) => {
    appendEvent(events, { type: 'start', id: spec.id, taskId: task.id });
    const seed = deriveSeed(baseSeed(), spec.id);
    const started = performance.now();
    let outcome: CheckOutcome = { status: 'passed', message: [] };
    try {
      await withTimeout(async () => body({ seed, rng: seededRng(seed), device: device() }), limit);
    } catch (e) {
      outcome = classify(e);
      throw e; // keeps vitest (and the vitest UI) telling the same story
    } finally {
      appendEvent(events, {
        type: 'result',
        id: spec.id,
        durationMs: Math.round(performance.now() - started),
        ...outcome,
      });
    }
  });
}

async function withTimeout(run: () => Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(ms)), ms);
  });
  try {
    await Promise.race([run(), expired]);
  } finally {
    clearTimeout(timer);
  }
}
