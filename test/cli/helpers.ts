import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const repo = fileURLToPath(new URL('../..', import.meta.url));
export const course = join(repo, 'test/fixtures/course');

/**
 * What a test reads of a CLI run. Spelled out, not execa's own result type: tsc took 11 s (a seventh
 * of the whole type check) to infer `Promise.all` over two of those.
 */
export interface CliRun {
  exitCode?: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a learner would (`npm run grade -- …`), on the fixture course, without colour. */
export async function grade(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return execa(
    process.execPath,
    ['--import', 'tsx', 'graders/cli/main.ts', '--course', course, '--jobs', '2', ...args],
    {
      cwd: repo,
      reject: false,
      env: { NO_COLOR: '1', LANG: 'C', LC_ALL: '', ...env },
    },
  );
}

/**
 * Copies a fixture submission to a temporary folder, as a student's checkout would be. Fixture files
 * that must not type-check with the project (a syntax error) are stored as *.ts.txt and renamed here.
 */
export function submission(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `torchlings-${name}-`));
  cpSync(join(course, 'submissions', name), dir, { recursive: true });
  for (const f of walk(dir)) if (f.endsWith('.ts.txt')) renameSync(f, f.slice(0, -'.txt'.length));
  return dir;
}

/** A digest of every file's path, content and mtime under `dir`: proof that nothing was written there. */
export function fingerprint(dir: string): string {
  const h = createHash('sha256');
  for (const f of walk(dir).sort()) h.update(`${f}\0${statSync(f).mtimeMs}\0`).update(readFileSync(f));
  return h.digest('hex');
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)],
  );
}
