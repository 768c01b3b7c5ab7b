// One exercise's grading process: runs its grader file through vitest, with results flowing to the
// events file named in the environment. The parent (grade.ts) owns time limits and kills.
import { fileURLToPath } from 'node:url';
import { createVitest } from 'vitest/node';
import { ENV } from '../lib/env.ts';
import { HostReporter } from './host-reporter.ts';

const [grader, memoryMB] = process.argv.slice(2);
const events = process.env[ENV.events];
if (!grader || !memoryMB || !events)
  throw new Error('usage: child.ts GRADER MEMORY_MB (with TORCHLINGS_EVENTS_FILE set)');

const vitest = await createVitest('test', {
  config: false,
  root: fileURLToPath(new URL('../..', import.meta.url)),
  include: [grader],
  watch: false,
  reporters: [new HostReporter(events)],
  pool: 'forks',
  maxWorkers: 1,
  // --expose-gc: the engine reads deterministic memory figures after a collection.
  execArgv: ['--expose-gc', `--max-old-space-size=${memoryMB}`],
  passWithNoTests: true,
});
try {
  await vitest.start([grader]);
} finally {
  await vitest.close();
}
