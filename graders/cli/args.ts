import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { supportsColor } from 'chalk';
import { langFromEnv, type Lang } from '../lib/text.ts';
import type { TargetKind } from './results.ts';

export interface Options {
  /** Numbers or slugs; empty means every exercise. */
  selection: string[];
  kind: TargetKind;
  submission?: string;
  watch: boolean;
  poll: boolean;
  json?: string;
  junit?: string;
  gradescope?: string;
  lang: Lang;
  device: 'cpu' | 'webgpu' | 'auto';
  seed: number;
  timeoutSeconds?: number;
  memoryMB?: number;
  jobs: number;
  course: string;
  verbose: boolean;
  /** Colour on stdout: a terminal, or FORCE_COLOR; never with --no-color or NO_COLOR. */
  color: boolean;
}

export const USAGE = `usage: npm run grade -- [EXERCISE…] [options]

  EXERCISE              a number (03) or a slug (linear-regression); default: all
  --watch               re-grade the exercise you are editing on every save
  --poll                watch by polling (for file systems where watching fails)
  --solutions           grade the worked solutions
  --submission DIR      grade DIR/exercises/ with this checkout's engine and graders
  --json FILE           write the report as JSON (graders/schemas/report.schema.json)
  --junit FILE          write JUnit XML
  --gradescope FILE     write Gradescope's results.json
  --lang ko|en          default: from LC_ALL / LANG
  --device cpu|webgpu|auto   default: cpu
  --seed N              seed of every random input (default 0)
  --timeout SECONDS     time limit per exercise (default: the manifest's)
  --max-memory MB       heap cap per exercise (default: the manifest's, else 2048)
  --jobs N              exercises graded at once (default: half the cores)
  --course DIR          grade another course folder (the kit's own tests use this)
  --verbose, -v         list every check of every exercise
  --no-color            also honoured: NO_COLOR=1
`;

export class UsageError extends Error {}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): Options | 'help' {
  const { values: v, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      watch: { type: 'boolean', default: false },
      poll: { type: 'boolean', default: false },
      solutions: { type: 'boolean', default: false },
      submission: { type: 'string' },
      json: { type: 'string' },
      junit: { type: 'string' },
      gradescope: { type: 'string' },
      lang: { type: 'string' },
      device: { type: 'string', default: 'cpu' },
      seed: { type: 'string', default: '0' },
      timeout: { type: 'string' },
      'max-memory': { type: 'string' },
      jobs: { type: 'string' },
      course: { type: 'string' },
      verbose: { type: 'boolean', short: 'v', default: false },
      'no-color': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) return 'help';
  if (v.solutions && v.submission) throw new UsageError('--solutions and --submission exclude each other');
  if (v.watch && (v.solutions || v.submission))
    throw new UsageError('--watch grades your own exercises/, not --solutions or --submission');
  const lang = v.lang ?? langFromEnv(env);
  if (lang !== 'en' && lang !== 'ko') throw new UsageError(`--lang must be ko or en, not ${lang}`);
  if (!['cpu', 'webgpu', 'auto'].includes(v.device))
    throw new UsageError(`--device must be cpu, webgpu or auto, not ${v.device}`);
  return {
    selection: positionals,
    kind: v.submission ? 'submission' : v.solutions ? 'solutions' : 'exercises',
    ...(v.submission && { submission: resolve(v.submission) }),
    watch: v.watch,
    poll: v.poll,
    ...(v.json && { json: v.json }),
    ...(v.junit && { junit: v.junit }),
    ...(v.gradescope && { gradescope: v.gradescope }),
    lang,
    device: v.device as Options['device'],
    seed: integer('--seed', v.seed, 0),
    ...(v.timeout && { timeoutSeconds: positive('--timeout', v.timeout) }),
    ...(v['max-memory'] && { memoryMB: integer('--max-memory', v['max-memory'], 64) }),
    jobs: v.jobs ? integer('--jobs', v.jobs, 1) : Math.max(1, Math.floor(availableParallelism() / 2)),
    course: resolve(v.course ?? repoRoot),
    verbose: v.verbose,
    // chalk decides for a terminal and FORCE_COLOR; NO_COLOR (no-color.org) it leaves to us.
    color: !v['no-color'] && !env.NO_COLOR && supportsColor !== false,
  };
}

function integer(flag: string, s: string, min: number): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer ≥ ${min}, not ${s}`);
  return n;
}

function positive(flag: string, s: string): number {
  const n = Number(s);
  if (!(n > 0)) throw new UsageError(`${flag} must be a positive number, not ${s}`);
  return n;
}
