import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import type { Text } from '../lib/text.ts';
import schema from '../schemas/manifest.schema.json' with { type: 'json' };

/** One entry of exercises/manifest.json; see graders/schemas/manifest.schema.json for each field. */
export interface Exercise {
  id: string;
  slug: string;
  title: Text;
  files: string[];
  guide: string[];
  points: number;
  timeoutSeconds: number;
  memoryMB?: number;
  /** Grading allows worker threads (DataLoader workers). */
  workerThreads?: boolean;
  grader: string;
  hints: Text[];
}

export interface Manifest {
  course: Text;
  exercises: Exercise[];
}

/** A course on disk: its root holds exercises/manifest.json, exercises/, solutions/ and graders/. */
export interface Course {
  root: string;
  manifest: Manifest;
}

/** `03-linear-regression`: the folder under exercises/ and solutions/. */
export const folder = (e: Pick<Exercise, 'id' | 'slug'>): string => `${e.id}-${e.slug}`;

export class ManifestError extends Error {}

export function loadCourse(root: string): Course {
  const path = join(root, 'exercises', 'manifest.json');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ManifestError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const validate = new Ajv({ allErrors: true }).compile<Manifest>(schema);
  if (!validate(data)) {
    const problems = (validate.errors ?? []).map((err) => `${err.instancePath || '/'} ${err.message}`);
    throw new ManifestError(`${path} is not a valid manifest:\n  ${problems.join('\n  ')}`);
  }
  const ids = data.exercises.map((e) => e.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new ManifestError(`${path}: exercise id ${dup} appears twice`);
  return { root, manifest: data };
}

/** `03`, `linear-regression` or `03-linear-regression`; undefined when nothing matches. */
export function findExercise(course: Course, key: string): Exercise | undefined {
  return course.manifest.exercises.find(
    (e) => key === e.id || key === e.slug || key === folder(e) || Number(key) === Number(e.id),
  );
}
