import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/**
 * Joins the grades.csv of several shards into one, sorted by student. The shards must share their
 * columns (the same exercises graded) and no student may appear twice: either means the shards came
 * from different runs, and a silent merge would hide it.
 */
export function mergeGrades(paths: string[]): string {
  if (paths.length === 0) throw new Error('no grades.csv to merge');
  let header: string[] | undefined;
  const rows: string[][] = [];
  const seen = new Map<string, string>();
  for (const path of paths) {
    const [head, ...body] = parse(readFileSync(path, 'utf8')) as string[][];
    if (!head) throw new Error(`${path} is empty`);
    header ??= head;
    if (head.join() !== header.join())
      throw new Error(`${path} has columns ${head.join(',')}, but ${paths[0]} has ${header.join(',')}`);
    for (const row of body) {
      const student = row[0]!;
      const before = seen.get(student);
      if (before) throw new Error(`student ${student} is in both ${before} and ${path}`);
      seen.set(student, path);
      rows.push(row);
    }
  }
  rows.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
  return stringify([header!, ...rows]);
}
