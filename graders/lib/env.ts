import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

// The CLI talks to graders only through these environment variables, so that a grader runs the same
// under `npm run grade`, under `npm run grade:ui` and under plain vitest.
export const ENV = {
  /** Absolute folder holding NN-slug/ exercise folders: exercises/, solutions/ or a submission copy. */
  targetRoot: 'TORCHLINGS_TARGET_ROOT',
  /** How that folder is named to the learner, e.g. `exercises` or `subs/alice/exercises`. */
  targetLabel: 'TORCHLINGS_TARGET_LABEL',
  seed: 'TORCHLINGS_SEED',
  device: 'TORCHLINGS_DEVICE',
  /** JSON-lines file the checks append their results to; unset outside the CLI. */
  events: 'TORCHLINGS_EVENTS_FILE',
  /** A folder of this run's that the grader may write into (the CLI removes it); unset outside the CLI. */
  scratch: 'TORCHLINGS_SCRATCH',
} as const;

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export const targetRoot = (): string => resolve(process.env[ENV.targetRoot] ?? resolve(repoRoot, 'exercises'));
export const targetLabel = (): string => process.env[ENV.targetLabel] ?? 'exercises';
export const baseSeed = (): number => Number(process.env[ENV.seed] ?? 0) >>> 0;
export const device = (): string => process.env[ENV.device] ?? 'cpu';
/** Where a grader writes files: the run's scratch folder, or the system's temporary folder outside the CLI. */
export const scratchRoot = (): string => process.env[ENV.scratch] ?? tmpdir();
