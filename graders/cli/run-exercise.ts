import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { ENV } from '../lib/env.ts';
import type { GradeEvent } from '../lib/events.ts';
import { text } from '../lib/text.ts';
import { browseRequested } from './browse.ts';
import { collect, ungraded } from './collect.ts';
import { folder, type Course, type Exercise } from './manifest.ts';
import type { ExerciseResult } from './results.ts';
import { BOOT } from './sandbox/boot.ts';
import { BUNDLE_FILES, buildBundles } from './sandbox/build.ts';
import { permissionFlags } from './sandbox/permissions.ts';
import { verifier } from './sandbox/signing.ts';
import type { Target } from './target.ts';

export interface RunSettings {
  seed: number;
  device: string;
  /** Override the manifest's per-exercise limits. */
  timeoutSeconds?: number;
  memoryMB?: number;
  /** Expensive checks run only once the quick ones of their exercise pass. */
  quickFirst?: boolean;
  /** Each event of the exercise's grading as it arrives (a live progress line), before the report. */
  onEvent?: (exercise: Exercise, event: GradeEvent) => void;
}

const DEFAULT_MEMORY_MB = 2048;
const STDERR_TAIL = 8192;
/** More than this on the results pipe is a flood, not results. */
const RESULTS_LIMIT = 16 * 1024 * 1024;
/** The child's own start-up, slow on a loaded machine, is not the learner's time; this bounds it. */
const STARTUP_ALLOWANCE_MS = 60_000;
const WATCHDOG_TICK_MS = 100;
const WAIT_FACTOR = 4;
/** Linux's USER_HZ, the unit of /proc/PID/stat's times: 100 on every common platform. */
const CLOCK_TICKS = 100;

/**
 * Grades one exercise in its own process group, under Node's permission model (sandbox/), so that an
 * endless loop, a crash or a heap exhaustion costs that exercise alone and its code can write nowhere
 * but its scratch folder; the whole group is killed at the end.
 */
export async function runExercise(
  course: Course,
  exercise: Exercise,
  target: Target,
  settings: RunSettings,
): Promise<ExerciseResult> {
  const timeoutSeconds = settings.timeoutSeconds ?? exercise.timeoutSeconds;
  const memoryMB = settings.memoryMB ?? exercise.memoryMB ?? DEFAULT_MEMORY_MB;
  const grader = join(course.root, exercise.grader);
  const started = performance.now();
  if (!existsSync(grader)) {
    return ungraded(exercise, {
      kind: 'load',
      message: text(`no grader yet: ${exercise.grader} is missing`, `채점 파일이 아직 없습니다: ${exercise.grader}`),
    });
  }
  const exerciseDir = join(target.root, folder(exercise));
  const files = exercise.files.map((f) => join(exerciseDir, f)).filter(isFile);
  const workers = exercise.workerThreads === true;
  let bundles;
  try {
    bundles = await buildBundles({ grader, exerciseDir, files, workers });
  } catch (e) {
    return ungraded(exercise, {
      kind: 'load',
      message: text(
        `the grader does not build: ${(e as Error).message}`,
        `채점 파일을 빌드하지 못했습니다: ${(e as Error).message}`,
      ),
    });
  }
  // The CLI was interrupted while the bundles built: killAll() has already run, so nothing would
  // end a process started now before its time limit.
  if (stopping) return ungraded(exercise, interrupted());
  const scratch = join(target.scratch, 'scratch', folder(exercise));
  mkdirSync(scratch, { recursive: true });
  const key = randomBytes(32).toString('hex');
  const config = {
    filename: BUNDLE_FILES.main,
    shared: { filename: BUNDLE_FILES.shared, length: bundles.shared.length },
    ...(bundles.worker && { worker: { code: bundles.worker, filename: BUNDLE_FILES.worker } }),
  };
  const flags = permissionFlags({ exerciseDir, scratch, workers, addons: settings.device !== 'cpu' });
  const child = spawn(
    process.execPath,
    [
      ...flags,
      '--disable-warning=ExperimentalWarning',
      '--enable-source-maps',
      // The engine reads deterministic memory figures after a collection (engine/tensor/ledger.ts).
      '--expose-gc',
      '--no-concurrent-recompilation',
      `--max-old-space-size=${memoryMB}`,
      '-e',
      BOOT,
    ],
    {
      cwd: scratch,
      detached: true, // its own process group: see kill() below
      // stdout is dropped: the learner's console output reaches us through the results pipe, per check.
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
      env: {
        [ENV.targetRoot]: target.root,
        [ENV.targetLabel]: target.label,
        [ENV.seed]: String(settings.seed),
        [ENV.device]: settings.device,
        [ENV.scratch]: scratch,
        [ENV.quickFirst]: settings.quickFirst ? '1' : '0',
        TMPDIR: scratch,
        FORCE_COLOR: '0',
        ...(process.env.PATH && { PATH: process.env.PATH }),
      },
    },
  );
  const done = new Promise<{ exitCode?: number; signal?: string }>((resolve) => {
    child.on('error', () => resolve({}));
    child.on('close', (code, signal) =>
      resolve({ ...(code !== null && { exitCode: code }), ...(signal && { signal }) }),
    );
  });
  child.stdin!.on('error', () => {}); // a child that dies at start-up leaves the bundle unread
  child.stdin!.end(`${key}\n${JSON.stringify(config)}\n${bundles.shared}${bundles.main}`);
  live.add(child.pid!);
  const disarm = killWhenOrphaned(child.pid!);
  let stderrTail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL);
  });
  const pipe = verifier(key);
  let received = 0;
  let flooded = false;
  let graderStarted: number | undefined;
  const utf8 = new StringDecoder('utf8'); // a character split between two chunks stays whole
  child.stdio[3]?.on('data', (chunk: Buffer) => {
    graderStarted ??= Date.now();
    received += chunk.length;
    if (received > RESULTS_LIMIT) {
      flooded = true;
      kill(child.pid);
      return;
    }
    for (const event of pipe.push(utf8.write(chunk))) settings.onEvent?.(exercise, event);
  });
  const watchdog = startWatchdog(
    child.pid!,
    () => graderStarted,
    timeoutSeconds,
    () => kill(child.pid),
  );
  const ended = await done;
  const timedOut = watchdog.stop();
  kill(child.pid); // whatever the learner's code left running
  live.delete(child.pid!);
  disarm();

  if (process.env.TORCHLINGS_DEBUG) process.stderr.write(stderrTail); // the kit's developers' view of the child
  const { events, foreign } = pipe.end();
  return collect(exercise, timedOut ? events : await browseRequested(events, scratch), {
    timeoutSeconds,
    memoryMB,
    durationMs: Math.round(performance.now() - started),
    timedOut,
    ...ended,
    stderrTail,
    foreignLines: foreign,
    flooded,
  });
}

const isFile = (path: string): boolean => {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
};

/**
 * The time limit counts from the first result the child sends, i.e. once it has started and the
 * grader has loaded, so that a busy machine's slow start-up does not eat the learner's time; and it
 * counts the CPU time the child spends (Linux: /proc), so that a busy machine does not fail a correct
 * solution. A child that waits without computing still ends at WAIT_FACTOR times the limit.
 */
function startWatchdog(
  pid: number,
  graderStarted: () => number | undefined,
  timeoutSeconds: number,
  onExpire: () => void,
): { stop(): boolean } {
  const spawned = Date.now();
  const limit = timeoutSeconds * 1000;
  let cpuAtStart: number | undefined;
  let expired = false;
  const timer = setInterval(() => {
    const since = graderStarted();
    const cpu = cpuMs(pid);
    if (since !== undefined) cpuAtStart ??= cpu;
    const over =
      since === undefined
        ? Date.now() - spawned > STARTUP_ALLOWANCE_MS
        : cpu === undefined || cpuAtStart === undefined
          ? Date.now() - since > limit
          : cpu - cpuAtStart > limit || Date.now() - since > WAIT_FACTOR * limit;
    if (over && !expired) {
      expired = true;
      onExpire();
    }
  }, WATCHDOG_TICK_MS);
  return {
    stop: () => {
      clearInterval(timer);
      return expired;
    },
  };
}

/** CPU milliseconds (user + system, all threads) of a process; undefined without /proc. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * A CLI killed outright (SIGKILL, a CI job's time limit) runs no handler, and the grading group it
 * detached would spin on with a learner's endless loop. A sentinel shell in a group of its own (so a
 * signal to the CLI's group spares it) reads a pipe from this process until the pipe closes, which
 * is when this process is gone, then kills the group; a grading that ends normally kills the sentinel.
 * Not on Windows, which has no process groups to kill.
 */
function killWhenOrphaned(pid: number): () => void {
  if (process.platform === 'win32') return () => {};
  const sentinel = spawn('/bin/sh', ['-c', `read _; kill -KILL -${pid}`], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  sentinel.on('error', () => {}); // no /bin/sh: grading goes on unguarded
  sentinel.stdin!.on('error', () => {});
  sentinel.unref();
  (sentinel.stdin as Socket).unref(); // a pipe holds the event loop until the grading disarms it
  return () => {
    sentinel.kill('SIGKILL');
    sentinel.stdin!.destroy();
  };
}

/** Process groups still grading: an interrupted CLI must not leave an endless loop spinning. */
const live = new Set<number>();
let stopping = false;

/** Ends every grading process, and keeps those not yet started from starting. */
export function killAll(): void {
  stopping = true;
  for (const pid of live) kill(pid);
}

export const interrupted = () => ({
  kind: 'crash' as const,
  message: text('grading was interrupted (SIGINT or SIGTERM)', '채점이 중단되었습니다 (SIGINT 또는 SIGTERM)'),
});

function kill(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
