// `npm run grade:ui`'s setup file: every check a grader registers becomes a vitest test, so that the
// vitest UI shows the raw checks (the grading CLI runs them itself, without vitest).
import { afterAll, test } from 'vitest';
import { registeredCleanups, setCheckHost } from '../lib/check.ts';
import { classify } from '../lib/classify.ts';
import { baseSeed, device } from '../lib/env.ts';
import { deriveSeed, seededRng } from '../lib/rng.ts';

setCheckHost(({ spec, body }) => {
  test(`${spec.id}: ${spec.title.en}`, { timeout: spec.timeoutMs ?? 10_000 }, async () => {
    const seed = deriveSeed(baseSeed(), spec.id);
    try {
      await body({ seed, rng: seededRng(seed), device: device() });
    } catch (e) {
      const { status, message } = classify(e);
      throw new Error(`${status}: ${message.map((l) => l.en).join('\n')}`, { cause: e });
    }
  });
});

afterAll(async () => {
  for (const cleanup of registeredCleanups()) await cleanup();
}, 120_000);
