import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { folder, type Course, type Exercise } from '../manifest.ts';
import type { ExerciseResult } from '../results.ts';

// Re-running --class grades only what changed: an exercise's result is reused when the hash of
// everything that decides it is the same as last time. That is the student's files for it, the
// manifest entry, the grading settings, and this checkout's engine and kit (so a fixed grader
// regrades everyone).

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export interface Settings {
  seed: number;
  device: string;
  timeoutSeconds?: number;
  memoryMB?: number;
  hidden?: string;
  showHidden: boolean;
}

/** One digest of the engine, the kit, the course's graders and the hidden graders. */
export function kitDigest(course: Course, settings: Settings): string {
  const h = createHash('sha256');
  const dirs = [join(repoRoot, 'engine'), join(repoRoot, 'graders'), join(course.root, 'graders')];
  if (settings.hidden) dirs.push(settings.hidden);
  for (const dir of new Set(dirs)) for (const f of files(dir)) h.update(`${f}\0`).update(readFileSync(f));
  h.update(readFileSync(join(course.root, 'exercises', 'manifest.json')));
  h.update(JSON.stringify({ ...settings, hidden: settings.hidden ?? null }));
  return h.digest('hex');
}

/** The digest that decides one exercise of one student. */
export function exerciseDigest(kit: string, student: string, e: Exercise): string {
  const h = createHash('sha256').update(kit).update(e.id);
  for (const f of e.files) {
    const path = join(student, 'exercises', folder(e), f);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    h.update(`\0${f}\0`).update(stat?.isFile() ? readFileSync(path) : '(not a file)');
  }
  return h.digest('hex');
}

export interface CacheEntry {
  digest: string;
  result: ExerciseResult;
}

export type Cache = Record<string, CacheEntry>;

export function readCache(path: string): Cache {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Cache;
  } catch {
    return {}; // first run, or a cache cut short: grade everything
  }
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.name !== 'node_modules' && !d.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.isFile() ? [join(dir, d.name)] : []));
}
