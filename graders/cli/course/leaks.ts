import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

// The leak scan of course:export. A worked solution's own lines are those that nothing published to
// the learner has: not the stubs, the engine, the guide or the visible graders (01's broadcastShape
// is, line for line, what the engine does; 07's grader computes its reference the way the solution
// does). What remains is the solution's own code and "why" comments. A file of the learner's copy
// that holds several of one solution's own lines holds that solution, whatever it is called or
// wherever it sits.

/** Lines this short (`}`, `return y;`) occur everywhere and prove nothing. */
const MIN_LINE = 24;
/** How many of one solution's own lines make a leak: one could be a coincidence with the guide. */
const LEAK_LINES = 3;

export interface Leak {
  /** The copy's file, relative to the copy. */
  file: string;
  /** The solution file whose lines it holds, relative to the course. */
  solution: string;
  lines: string[];
}

const norm = (line: string): string => line.trim().replace(/\s+/g, ' ');

/** Each solution file's own lines, keyed by its path relative to the course root. */
export function solutionLines(courseRoot: string, engine: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const published = [engine, ...['exercises', 'guide', 'graders'].map((d) => join(courseRoot, d))]
    .flatMap(walk)
    .filter((f) => !f.includes(`${sep}graders${sep}hidden${sep}`));
  const library = new Set(published.flatMap((f) => readFileSync(f, 'utf8').split('\n').map(norm)));
  const solutions = join(courseRoot, 'solutions');
  for (const file of walk(solutions)) {
    const rel = relative(solutions, file);
    let stub: Set<string>;
    try {
      stub = new Set(
        readFileSync(join(courseRoot, 'exercises', rel), 'utf8')
          .split('\n')
          .map(norm),
      );
    } catch {
      stub = new Set(); // a solution-only file: every line is its own
    }
    const own = readFileSync(file, 'utf8')
      .split('\n')
      .map(norm)
      .filter((l) => l.length >= MIN_LINE && !stub.has(l) && !library.has(l));
    out.set(relative(courseRoot, file), new Set(own));
  }
  return out;
}

/** Every file of `copy` that holds LEAK_LINES or more of one solution's own lines. */
export function scanLeaks(courseRoot: string, engine: string, copy: string): Leak[] {
  const solutions = solutionLines(courseRoot, engine);
  const leaks: Leak[] = [];
  for (const file of walk(copy)) {
    const content = readFileSync(file);
    if (content.includes(0)) continue; // binary: images, zips
    const lines = new Set(content.toString('utf8').split('\n').map(norm));
    for (const [solution, own] of solutions) {
      const found = [...own].filter((l) => lines.has(l));
      if (found.length >= Math.min(LEAK_LINES, own.size) && found.length > 0)
        leaks.push({ file: relative(copy, file), solution, lines: found.slice(0, 3) });
    }
  }
  return leaks;
}

export function walk(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((d) => d.name !== 'node_modules')
    .flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : d.isFile() ? [join(dir, d.name)] : []));
}
