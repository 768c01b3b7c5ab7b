import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/helpers/sequencer.ts';

// The project's own tests. Graders (graders/*.grader.ts) are not tests of the project: they grade a
// learner's code and run through `npm run grade`, which starts vitest itself, one exercise at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Vitest's default leaves a core to itself (cores − 1): one worker on a 2-core machine, while the
    // longest files mostly wait on the grading children they start. Two workers there: 396 → 288 s
    // for the whole suite on a quiet 2-core machine, same tests passing.
    maxWorkers: Math.max(2, availableParallelism()),
    globalSetup: ['test/helpers/temp-root.ts'],
    sequence: { sequencer: LongestFirst },
    // CI machines have two cores shared by two test workers; property tests and kernel compiles
    // there take several times as long as on a quiet desk, so the default 5 s would be flaky. No
    // test is timed (speed is npm run bench's): the limit only catches a hang, so it leaves room for
    // a loaded machine, where single tests took up to 11 s with just these two workers (load 16).
    testTimeout: 120_000,
    // The engine reads memory figures after an explicit collection, to keep them deterministic; a
    // compile job V8 runs in the background can hold objects through one, so compile on the main thread.
    execArgv: ['--expose-gc', '--no-concurrent-recompilation'],
  },
});
