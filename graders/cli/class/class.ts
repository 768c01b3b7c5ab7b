import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pMap from 'p-map';
import { stringify } from 'csv-stringify/sync';
import type { GradeOptions } from '../grade.ts';
import { gradeWithHidden, type HiddenOptions } from '../hidden.ts';
import type { Course, Exercise } from '../manifest.ts';
import { REPORT_SCHEMA_VERSION, summarise, type ExerciseResult, type Report } from '../results.ts';
import { exerciseDigest, kitDigest, readCache, type Cache } from './cache.ts';
import { sandboxInfo } from '../sandbox/permissions.ts';
import { brokenRow, cells, header, reportRow, type Row } from './rows.ts';

export interface ClassOptions extends Omit<GradeOptions, 'kind' | 'submission' | 'onProgress'>, HiddenOptions {
  classDir: string;
  out: string;
  /** Grade everything, whatever the cache says. */
  force: boolean;
  shard?: { index: number; count: number };
  onStudent?: (row: Row, done: number, total: number) => void;
}

/** The student folders of a class, sorted; with a shard, every count-th one from index. */
export function students(classDir: string, shard?: ClassOptions['shard']): string[] {
  const all = readdirSync(classDir)
    .filter((name) => !name.startsWith('.'))
    .sort();
  return shard ? all.filter((_, i) => i % shard.count === shard.index - 1) : all;
}

/**
 * Grades every student folder with this checkout's engine and graders: `out/grades.csv`, one report per
 * student in `out/students/NAME.json`, and a cache per student in `out/cache/`. One student's broken
 * folder is a row with the reason; it never stops the class.
 */
export async function gradeClass(course: Course, exercises: Exercise[], opts: ClassOptions): Promise<Row[]> {
  const names = students(opts.classDir, opts.shard);
  for (const d of ['students', 'cache']) await mkdir(join(opts.out, d), { recursive: true });
  const kit = kitDigest(course, opts);
  // Each student's exercises run side by side, and enough students at once to keep `jobs` busy.
  const perStudent = Math.max(1, Math.min(opts.jobs, exercises.length));
  const maxPoints = exercises.reduce((s, e) => s + e.points, 0);
  let done = 0;
  const rows = await pMap(
    names,
    async (name) => {
      const row = await gradeStudent(course, exercises, name, kit, maxPoints, { ...opts, jobs: perStudent }).catch(
        (e: unknown) => brokenRow(name, `could not be graded: ${(e as Error)?.message ?? e}`, maxPoints),
      );
      opts.onStudent?.(row, ++done, names.length);
      return row;
    },
    { concurrency: Math.max(1, Math.floor(opts.jobs / perStudent)) },
  );
  await writeFile(
    join(opts.out, 'grades.csv'),
    stringify([header(exercises), ...rows.map((r) => cells(r, exercises))]),
  );
  return rows;
}

async function gradeStudent(
  course: Course,
  exercises: Exercise[],
  name: string,
  kit: string,
  maxPoints: number,
  opts: ClassOptions,
): Promise<Row> {
  const dir = join(opts.classDir, name);
  const broken = brokenReason(dir);
  if (broken) return brokenRow(name, broken, maxPoints);
  const started = Date.now();
  const cachePath = join(opts.out, 'cache', `${name}.json`);
  const cache = opts.force ? {} : readCache(cachePath);
  const digests = new Map(exercises.map((e) => [e.id, exerciseDigest(kit, dir, e)]));
  const stale = exercises.filter((e) => cache[e.id]?.digest !== digests.get(e.id));
  const fresh =
    stale.length > 0
      ? await gradeWithHidden(course, stale, { ...opts, kind: 'submission', submission: dir })
      : undefined;
  const byId = new Map<string, ExerciseResult>(fresh?.exercises.map((e) => [e.id, e]));
  const results = exercises.map((e) => byId.get(e.id) ?? cache[e.id]!.result);
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    target: { kind: 'submission', path: fresh?.target.path ?? join(dir, 'exercises') },
    seed: opts.seed,
    device: opts.device,
    lang: opts.lang,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    sandbox: sandboxInfo(),
    ...summarise(results),
    exercises: results,
  };
  const reportPath = join(opts.out, 'students', `${name}.json`);
  // Nothing changed: last run's report stands as written (and its file keeps its time).
  if (fresh || !existsSync(reportPath)) {
    const next: Cache = Object.fromEntries(results.map((r) => [r.id, { digest: digests.get(r.id)!, result: r }]));
    await writeFile(reportPath, JSON.stringify(report, null, 2) + '\n');
    await writeFile(cachePath, JSON.stringify(next));
  }
  return reportRow(name, report, opts.lang);
}

/** Why a student's folder cannot be graded at all, or undefined when it can. */
function brokenReason(dir: string): string | undefined {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return 'not a folder';
  if (!existsSync(join(dir, 'exercises'))) return 'no exercises/ folder (an empty or failed clone?)';
  return undefined;
}
