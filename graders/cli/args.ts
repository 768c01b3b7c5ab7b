import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
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
  /**
   * Expensive checks wait for the quick ones of their exercise: a learner grading exercises/. Off with
   * --all-checks and for every grade of record (--solutions, --submission, --class, --hidden, Classroom).
   */
  quickFirst: boolean;
  /** Hidden checks' folder (default graders/hidden of the course); their pass runs only when set. */
  hidden?: string;
  /** Show hidden checks' titles and messages; otherwise every report redacts them. */
  showHidden: boolean;
  /** Grade a whole class: one folder per student under this folder. */
  classDir?: string;
  /** Where --class writes grades.csv and the per-student reports. */
  out: string;
  /** --class: grade again even what the content-hash cache says is unchanged. */
  force: boolean;
  /** --class: grade slice `index` (1-based) of `count`. */
  shard?: { index: number; count: number };
  /** $GITHUB_OUTPUT, to which --github-classroom appends its autograding payload. */
  githubOutput?: string;
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
  --jobs N              exercises graded at once (default: half the cores; all with --class)
  --course DIR          grade another course folder (the kit's own tests use this)

 for instructors (exercises/README.md):
  --hidden [DIR]        also run the hidden checks (default DIR: graders/hidden), as a second pass
  --show-hidden         show hidden checks' titles and messages (redacted from every report otherwise)
  --class DIR           grade every student folder in DIR: grades.csv and one JSON report each
  --out DIR             where --class writes (default: class-grades)
  --force               --class: grade again what has not changed since the last run
  --shard I/N           --class: grade slice I of N (merge with npm run grade:merge)
  --github-classroom    write GitHub Classroom's autograding payload to $GITHUB_OUTPUT
  --all-checks          run the long checks (training) even while a quick one fails; always
                        so when grading anything but your own exercises/
  --verbose, -v         list every check of every exercise
  --no-color            also honoured: NO_COLOR=1
`;

export class UsageError extends Error {}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): Options | 'help' {
  const { values: v, positionals } = parseArgs({
    args: withHiddenDefault(argv),
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
      hidden: { type: 'string' },
      'show-hidden': { type: 'boolean', default: false },
      class: { type: 'string' },
      out: { type: 'string', default: 'class-grades' },
      force: { type: 'boolean', default: false },
      shard: { type: 'string' },
      'github-classroom': { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
      'all-checks': { type: 'boolean', default: false },
      'no-color': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) return 'help';
  if (v.solutions && v.submission) throw new UsageError('--solutions and --submission exclude each other');
  if (v.watch && (v.solutions || v.submission))
    throw new UsageError('--watch grades your own exercises/, not --solutions or --submission');
  if (v.class && (v.solutions || v.submission || v.watch))
    throw new UsageError('--class grades student folders, not with --solutions, --submission or --watch');
  if ((v.shard || v.force) && !v.class) throw new UsageError('--shard and --force go with --class');
  if (v['github-classroom'] && !env.GITHUB_OUTPUT)
    throw new UsageError('--github-classroom writes to $GITHUB_OUTPUT, which is not set (not in GitHub Actions?)');
  const course = resolve(v.course ?? repoRoot);
  const lang = v.lang ?? langFromEnv(env);
  if (lang !== 'en' && lang !== 'ko') throw new UsageError(`--lang must be ko or en, not ${lang}`);
  if (!['cpu', 'webgpu', 'auto'].includes(v.device))
    throw new UsageError(`--device must be cpu, webgpu or auto, not ${v.device}`);
  const kind: TargetKind = v.submission ? 'submission' : v.solutions ? 'solutions' : 'exercises';
  const ofRecord = kind !== 'exercises' || v.class || v.hidden !== undefined || v['github-classroom'];
  return {
    selection: positionals,
    kind,
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
    // A class is an instructor's batch job: every core. A learner's editor and browser keep half.
    jobs: v.jobs
      ? integer('--jobs', v.jobs, 1)
      : v.class
        ? availableParallelism()
        : Math.max(1, Math.floor(availableParallelism() / 2)),
    course,
    verbose: v.verbose,
    quickFirst: !v['all-checks'] && !ofRecord,
    ...(v.hidden !== undefined && { hidden: resolve(v.hidden || join(course, 'graders', 'hidden')) }),
    showHidden: v['show-hidden'],
    ...(v.class && { classDir: resolve(v.class) }),
    out: resolve(v.out),
    force: v.force,
    ...(v.shard && { shard: shard(v.shard) }),
    ...(v['github-classroom'] && { githubOutput: env.GITHUB_OUTPUT! }),
    // chalk decides for a terminal and FORCE_COLOR; NO_COLOR (no-color.org) it leaves to us.
    color: !v['no-color'] && !env.NO_COLOR && supportsColor !== false,
  };
}

/** `--hidden` takes a folder only when the next word is one: `--hidden 03` keeps 03 an exercise. */
function withHiddenDefault(argv: string[]): string[] {
  return argv.flatMap((a, i) => {
    if (a !== '--hidden') return [a];
    const next = argv[i + 1];
    return next !== undefined && !next.startsWith('-') && existsSync(next) && statSync(next).isDirectory()
      ? [a]
      : ['--hidden='];
  });
}

function shard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!(count >= 1 && index >= 1 && index <= count))
    throw new UsageError(`--shard must be I/N with 1 ≤ I ≤ N, not ${s}`);
  return { index, count };
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
