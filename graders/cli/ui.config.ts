import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run grade:ui`: the vitest UI on the graders, grading exercises/ (set TORCHLINGS_TARGET_ROOT to
// grade another folder). Scores and hints are `npm run grade`'s business; the UI shows the raw tests.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['graders/*.grader.ts'],
    setupFiles: ['graders/cli/vitest-host.ts'],
    pool: 'forks',
    execArgv: ['--expose-gc', '--no-concurrent-recompilation'],
    passWithNoTests: true, // until the course has graders
  },
});
