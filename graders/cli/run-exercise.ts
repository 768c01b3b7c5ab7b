import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ENV } from '../lib/env.ts';
import { parseEvents } from '../lib/events.ts';
import { text } from '../lib/text.ts';
import { collect, ungraded } from './collect.ts';
import { folder, type Course, type Exercise } from './manifest.ts';
import type { ExerciseResult } from './results.ts';
import type { Target } from './target.ts';

export interface RunSettings {
  seed: number;
  device: string;
  /** Override the manifest's per-exercise limits. */
  timeoutSeconds?: number;
  memoryMB?: number;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const childScript = fileURLToPath(new URL('./child.ts', import.meta.url));
const DEFAULT_MEMORY_MB = 2048;
const STDERR_TAIL = 8192;
/** vitest's own start-up, slow on a loaded machine, is not the learner's time; this bounds it. */
const STARTUP_ALLOWANCE_MS = 60_000;
const WATCHDOG_TICK_MS = 100;

/**
 * Grades one exercise in its own process group, so that an endless loop, a crash or a heap
 * exhaustion costs that exercise alone; the whole group is killed, vitest's worker included.
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
  const events = join(target.scratch, `${folder(exercise)}.events.jsonl`);
  const started = performance.now();
  if (!existsSync(grader)) {
    return ungraded(exercise, {
      kind: 'load',
      message: text(`no grader yet: ${exercise.grader} is missing`, `채점 파일이 아직 없습니다: ${exercise.grader}`),
    });
  }

  const child = execa(process.execPath, ['--import', 'tsx', childScript, grader, String(memoryMB)], {
    cwd: repoRoot,
    detached: true, // its own process group: see kill() below
    reject: false,
    stdin: 'ignore',
    stdout: 'ignore', // the learner's output reaches us through the events file, per check
    stderr: 'pipe',
    buffer: false,
    env: {
      [ENV.targetRoot]: target.root,
      [ENV.targetLabel]: target.label,
      [ENV.seed]: String(settings.seed),
      [ENV.device]: settings.device,
      [ENV.events]: events,
      [ENV.scratch]: target.scratch,
      FORCE_COLOR: '0',
    },
  });
  live.add(child.pid!);
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL);
  });
  const watchdog = startWatchdog(events, timeoutSeconds, () => kill(child.pid));
  const done = await child;
  const timedOut = watchdog.stop();
  kill(child.pid); // whatever the learner's code left running
  live.delete(child.pid!);

  return collect(exercise, existsSync(events) ? parseEvents(readFileSync(events, 'utf8')) : [], {
    timeoutSeconds,
    memoryMB,
    durationMs: Math.round(performance.now() - started),
    timedOut,
    ...(done.exitCode !== undefined && { exitCode: done.exitCode }),
    ...(done.signal && { signal: done.signal }),
    stderrTail,
  });
}

/**
 * The time limit counts from the first event the grader writes, i.e. once vitest is up and the grader
 * file has loaded, so that a busy machine's slow start-up does not eat the learner's time.
 */
function startWatchdog(events: string, timeoutSeconds: number, onExpire: () => void): { stop(): boolean } {
  const spawned = Date.now();
  let graderStarted: number | undefined;
  let expired = false;
  const timer = setInterval(() => {
    graderStarted ??= existsSync(events) ? Date.now() : undefined;
    const over = graderStarted
      ? Date.now() - graderStarted > timeoutSeconds * 1000
      : Date.now() - spawned > STARTUP_ALLOWANCE_MS;
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

/** Process groups still grading: an interrupted CLI must not leave an endless loop spinning. */
const live = new Set<number>();

export function killAll(): void {
  for (const pid of live) kill(pid);
}

function kill(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
