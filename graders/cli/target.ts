import { randomBytes } from 'node:crypto';
import { copyFile, lstat, mkdir, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { folder, type Course, type Exercise } from './manifest.ts';
import type { TargetKind } from './results.ts';

/** The code being graded: which folder of NN-slug/ exercise folders, and a scratch folder for this run. */
export interface Target {
  kind: TargetKind;
  /** Absolute; graders load from here (TORCHLINGS_TARGET_ROOT). */
  root: string;
  /** How paths under root are shown: `exercises`, `solutions`, `subs/alice/exercises`. */
  label: string;
  /** This run's own folder under .torchlings/; removed by dispose(). */
  scratch: string;
}

// Inside this checkout, so that a submission's `#engine` and `#kit/…` imports resolve to this
// checkout's pristine engine and kit (package.json "imports" are looked up from the file's folder).
const scratchBase = fileURLToPath(new URL('../../.torchlings/runs', import.meta.url));

export async function prepareTarget(
  course: Course,
  exercises: Exercise[],
  kind: TargetKind,
  submission?: string,
): Promise<Target> {
  const scratch = join(scratchBase, `${Date.now()}-${process.pid}-${randomBytes(3).toString('hex')}`);
  await mkdir(scratch, { recursive: true });
  if (kind !== 'submission') {
    const root = join(course.root, kind);
    return { kind, root, label: shown(root), scratch };
  }
  const from = join(resolve(submission!), 'exercises');
  const root = join(scratch, 'exercises');
  for (const e of exercises) await copyExercise(join(from, folder(e)), join(root, folder(e)), e.files);
  return { kind, root, label: shown(from), scratch };
}

/**
 * Copies only the manifest's files, and only regular files: a symlink could point anywhere on the
 * grading machine. What is missing stays missing; the loader reports it for the checks that need it.
 */
async function copyExercise(from: string, to: string, files: string[]): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const f of files) {
    const stat = await lstat(join(from, f)).catch(() => undefined);
    if (stat?.isFile()) await copyFile(join(from, f), join(to, f));
  }
}

export async function disposeTarget(target: Target): Promise<void> {
  await rm(target.scratch, { recursive: true, force: true });
}

function shown(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? dir : rel;
}
