import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Lang } from '../../lib/text.ts';
import type { Report } from '../results.ts';
import { toGradescope } from './gradescope.ts';
import { toJUnit } from './junit.ts';

export interface ReportFiles {
  json?: string;
  junit?: string;
  gradescope?: string;
  lang: Lang;
}

/** Writes every machine report asked for; what a person sees on the terminal does not change. */
export async function writeReports(report: Report, files: ReportFiles): Promise<void> {
  const out: [string | undefined, string][] = [
    [files.json, JSON.stringify(report, null, 2) + '\n'],
    [files.junit, toJUnit(report, files.lang)],
    [files.gradescope, JSON.stringify(toGradescope(report, files.lang), null, 2) + '\n'],
  ];
  for (const [path, content] of out) {
    if (!path) continue;
    await mkdir(dirname(resolve(path)), { recursive: true });
    await writeFile(path, content);
  }
}
