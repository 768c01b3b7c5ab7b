import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanLeaks, type Leak } from './leaks.ts';

// `npm run course:export -- DIR`: the repository a learner clones (a GitHub Classroom template).
// It holds what a learner works with: the exercises' stubs, the guide, the engine, the graders a
// learner may run, and the Classroom workflow. It leaves out the worked solutions, the hidden checks,
// the kit's own tests, benchmarks and CI. The worked solutions are left out, not sealed: anything the
// copy could unseal offline on a pass, a learner could unseal by editing the copy's grader to say
// "passed", so a seal would only pretend (see exercises/README.md, "The learner's copy").

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** Top-level entries of the course a learner gets, as they are. */
export const TAKEN = [
  'README.md',
  'package-lock.json',
  'tsconfig.json',
  'eslint.config.js',
  '.prettierrc.json',
  '.prettierignore',
  '.gitignore',
  'engine',
  'exercises',
  'guide',
  'graders',
  'examples',
];

/** Scripts a learner runs; the kit's own (test, bench, the instructor's tools) stay behind. */
const LEARNER_SCRIPTS = ['grade', 'hint', 'solution', 'typecheck', 'lint', 'format', 'train:mnist'];

export class LeakError extends Error {
  constructor(readonly leaks: Leak[]) {
    super(
      `the copy would hold worked solutions:\n${leaks.map((l) => `  ${l.file}: lines of ${l.solution}, e.g. "${l.lines[0]}"`).join('\n')}`,
    );
  }
}

export interface ExportOptions {
  /** The course to export (its root holds exercises/, solutions/, graders/). */
  course: string;
  dest: string;
  /** Hidden checks' folder to leave out besides graders/hidden/ (--hidden DIR when it is elsewhere). */
  hidden?: string;
}

/** Writes the learner's copy to `dest` (which must be empty or new), then fails if a solution leaked. */
export function exportCourse(opts: ExportOptions): string[] {
  const dest = resolve(opts.dest);
  if (existsSync(dest) && readdirSync(dest).length > 0) throw new Error(`${dest} is not empty`);
  const left = [join(opts.course, 'graders', 'hidden'), ...(opts.hidden ? [resolve(opts.hidden)] : [])];
  for (const entry of TAKEN) {
    const from = join(opts.course, entry);
    if (!existsSync(from)) continue;
    cpSync(from, join(dest, entry), {
      recursive: true,
      filter: (src) => !left.some((l) => src === l || src.startsWith(l + sep)) && !src.includes(`${sep}node_modules`),
    });
  }
  writeFileSync(join(dest, 'package.json'), learnerPackage(join(opts.course, 'package.json')));
  const workflow = join(dest, '.github', 'workflows', 'classroom.yml');
  mkdirSync(dirname(workflow), { recursive: true });
  cpSync(join(repoRoot, 'graders', 'templates', 'classroom.yml'), workflow);

  const leaks = scanLeaks(opts.course, join(repoRoot, 'engine'), dest);
  if (leaks.length > 0) throw new LeakError(leaks);
  return TAKEN.filter((e) => existsSync(join(dest, e))).map((e) => relative(dest, join(dest, e)));
}

function learnerPackage(path: string): string {
  const pkg = JSON.parse(readFileSync(existsSync(path) ? path : join(repoRoot, 'package.json'), 'utf8'));
  pkg.scripts = Object.fromEntries(LEARNER_SCRIPTS.filter((s) => pkg.scripts?.[s]).map((s) => [s, pkg.scripts[s]]));
  return JSON.stringify(pkg, null, 2) + '\n';
}
