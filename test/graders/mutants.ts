import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { folder, loadCourse } from '../../graders/cli/manifest.ts';

// Deliberately broken submissions, made at test time from the worked solutions: a mutant names an
// exercise and a few edits, each of which must match its solution file exactly once. When a solution
// changes under an edit, building the mutant throws, naming the variant and the file, instead of
// quietly grading an unbroken copy. The specs live in test/graders/broken/ (see the README there).

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The real course, read (its manifest validated) once per test file rather than once per mutant. */
export const course = loadCourse(root);

/** One textual change to one solution file. */
export interface Edit {
  /** A file of the exercise, as exercises/manifest.json lists it: 'train.ts'. */
  file: string;
  /**
   * The text to replace; it must occur exactly once in the file (after the edits before it). A
   * string is matched literally; a RegExp may use any flags but 'g', and its `replace` may refer to
   * its groups as String.prototype.replace does ($1, $&).
   */
  find: string | RegExp;
  /** What takes its place: literal text for a string `find`. */
  replace: string;
}

/** A solution with one deliberate mistake, and the edits that make it. */
export interface Mutant {
  /** The exercise's folder under solutions/: '02-autograd'. */
  exercise: string;
  /** A short name for the mistake, unique within the exercise: 'grad-doubled'. */
  variant: string;
  /** The mistake in a sentence, as a reader of the test would want it explained. */
  why: string;
  edits: Edit[];
}

/**
 * An edit that turns function `name` of `file` into a stub: the declaration, from `export function`
 * at the start of a line through the first `}` alone at column 0, keeps its signature and gets `body`
 * (a line or more calling todo(…), which the file must import: add an edit of its imports).
 */
export function stub(file: string, name: string, body: string): Edit {
  return {
    file,
    find: new RegExp(`^(export (?:async )?function ${name}\\([\\s\\S]*?\\)[^\\n]*\\{\\n)[\\s\\S]*?^\\}$`, 'm'),
    replace: `$1${body.replace(/\$/g, '$$$$')}\n}`,
  };
}

/** Where `find` occurs in `text`: every match, so that the caller can insist on exactly one. */
function occurrences(text: string, find: string | RegExp): number {
  if (typeof find === 'string') return find === '' ? Infinity : text.split(find).length - 1;
  if (find.flags.includes('g')) throw new Error(`a RegExp edit must not be global: ${find}`);
  return [...text.matchAll(new RegExp(find.source, `${find.flags}g`))].length;
}

/** Applies `edits` in order to `source`; `where` names the variant and file in errors. */
export function applyEdits(source: string, edits: Edit[], where: string): string {
  let text = source;
  for (const edit of edits) {
    const n = occurrences(text, edit.find);
    if (n !== 1) {
      throw new Error(
        `mutant ${where}: ${String(edit.find)} must match exactly once, but matches ${n} times; ` +
          `the solution has changed, so update the mutant's edit`,
      );
    }
    text =
      typeof edit.find === 'string'
        ? text.replace(edit.find, () => edit.replace)
        : text.replace(edit.find, edit.replace);
  }
  return text;
}

/**
 * The mutant's files, by name: every file the manifest lists for its exercise, read from solutions/,
 * with the mutant's edits applied. Throws, naming the variant and the file, when an edit does not
 * match exactly once or names a file the exercise does not have.
 */
export function mutate(m: Mutant): Map<string, string> {
  const exercise = course.manifest.exercises.find((e) => folder(e) === m.exercise);
  if (!exercise) throw new Error(`mutant ${m.exercise}/${m.variant}: no exercise ${m.exercise} in the manifest`);
  for (const e of m.edits) {
    if (!exercise.files.includes(e.file)) {
      throw new Error(`mutant ${m.exercise}/${m.variant}: ${e.file} is not a file of ${m.exercise}`);
    }
  }
  if (m.edits.length === 0) throw new Error(`mutant ${m.exercise}/${m.variant} has no edits`);
  const files = new Map<string, string>();
  for (const file of exercise.files) {
    const source = readFileSync(join(root, 'solutions', m.exercise, file), 'utf8');
    const edits = m.edits.filter((e) => e.file === file);
    files.set(file, applyEdits(source, edits, `${m.exercise}/${m.variant}, ${file}`));
  }
  return files;
}

/**
 * Writes the mutant as a learner's checkout would hold it, `<tmp>/exercises/<NN-slug>/<file>`, in a
 * fresh folder under the system's temporary directory, and returns that folder: ready for
 * `grade --submission`. The caller removes it.
 */
export function buildSubmission(m: Mutant): string {
  const files = mutate(m);
  const dir = mkdtempSync(join(tmpdir(), `torchlings-mutant-${m.exercise}-${m.variant}-`));
  const into = join(dir, 'exercises', m.exercise);
  mkdirSync(into, { recursive: true });
  for (const [file, text] of files) writeFileSync(join(into, file), text);
  return dir;
}
