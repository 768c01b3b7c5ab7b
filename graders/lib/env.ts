import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

// The CLI talks to graders only through these environment variables, so that a grader runs the same
// under `npm run grade` and under plain vitest.
export const ENV = {
  /** Absolute folder holding NN-slug/ exercise folders: exercises/, solutions/ or a submission copy. */
  targetRoot: 'TORCHLINGS_TARGET_ROOT',
  /** How that folder is named to the learner, e.g. `exercises` or `subs/alice/exercises`. */
  targetLabel: 'TORCHLINGS_TARGET_LABEL',
  seed: 'TORCHLINGS_SEED',
  device: 'TORCHLINGS_DEVICE',
  /** A folder of this run's that the grader may write into (the CLI removes it); unset outside the CLI. */
  scratch: 'TORCHLINGS_SCRATCH',
  /** '1': expensive checks wait until the quick ones of their exercise pass (a learner's own grading). */
  quickFirst: 'TORCHLINGS_QUICK_FIRST',
} as const;

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

let pinned: Readonly<Record<string, string | undefined>> | undefined;

/** From now on the kit reads the environment as it is now: the learner's code may change process.env. */
export function pinEnvironment(): void {
  pinned ??= Object.freeze({ ...process.env });
}

const read = (name: string): string | undefined => (pinned ?? process.env)[name];

export const targetRoot = (): string => resolve(read(ENV.targetRoot) ?? resolve(repoRoot, 'exercises'));
export const targetLabel = (): string => read(ENV.targetLabel) ?? 'exercises';
export const baseSeed = (): number => Number(read(ENV.seed) ?? 0) >>> 0;
export const device = (): string => read(ENV.device) ?? 'cpu';
export const quickFirst = (): boolean => read(ENV.quickFirst) === '1';
/** Where a grader writes files: the exercise's scratch folder, or the system's temporary folder outside the CLI. */
export const scratchRoot = (): string => read(ENV.scratch) ?? tmpdir();
