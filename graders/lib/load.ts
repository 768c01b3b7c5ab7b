import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { pathToFileURL } from 'node:url';
import { targetLabel, targetRoot } from './env.ts';
import { learnerFrame, type Location } from './location.ts';
import { text, type Text } from './text.ts';

const brand = Symbol.for('torchlings.target-load');

export type LoadErrorKind = 'missing-file' | 'syntax' | 'load';

/** The learner's file could not be imported at all: every check that needs it is an error, not a failure. */
export class TargetLoadError extends Error {
  readonly [brand] = true;
  constructor(
    readonly kind: LoadErrorKind,
    readonly lines: Text[],
    readonly location?: Location,
  ) {
    super(lines.map((l) => l.en).join('\n'));
    this.name = 'TargetLoadError';
  }
}

const loaded = new Set<string>();

/** The learner files this process has imported, absolute paths: where slips.ts looks for a forgotten await. */
export const loadedTargets = (): ReadonlySet<string> => loaded;

export function isTargetLoadError(e: unknown): e is TargetLoadError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;
}

let loader: ((path: string) => unknown) | undefined;

/**
 * How the learner's files are loaded when they are not imported from disk: the grading sandbox
 * bundles them and hands out each module by its path. Set once, before any learner code runs.
 */
export function setTargetLoader(load: (path: string) => unknown): void {
  if (loader) throw new Error('setTargetLoader: the loader is set already');
  loader = load;
}

/**
 * Imports one of the learner's files: `await loadTarget<typeof import('../exercises/01-tensors/tensors.ts')>('01-tensors', 'tensors.ts')`.
 * Which copy is loaded (exercises/, solutions/ or a submission) is the CLI's choice, made through the
 * environment. Call it inside a check, not at the top of the grader, so that a broken file costs the
 * checks that need it and the report still lists every check.
 */
export async function loadTarget<M = Record<string, unknown>>(exercise: string, file: string): Promise<M> {
  const path = join(targetRoot(), exercise, file);
  const shown = `${targetLabel()}/${exercise}/${file}`;
  if (!existsSync(path))
    throw new TargetLoadError('missing-file', [text(`${shown} is missing`, `${shown} 파일이 없습니다`)]);
  loaded.add(path);
  try {
    return (loader ? loader(path) : await import(pathToFileURL(path).href)) as M;
  } catch (e) {
    // Reaching outside what grading allows is no load failure: classify() names what was refused.
    if ((e as { code?: unknown })?.code === 'ERR_ACCESS_DENIED') throw e;
    throw describeImportFailure(e, shown);
  }
}

function describeImportFailure(e: unknown, shown: string): TargetLoadError {
  const err = e instanceof Error ? e : new Error(String(e));
  // vite reports a parse error as "Transform failed…", then "[PARSE_ERROR] what", then "[ file:line:col ]", in colour.
  const message = stripVTControlCharacters(err.message);
  const pos = /([^\s[\]]+\.[cm]?tsx?):(\d+):(\d+)/.exec(message);
  const location = pos ? learnerFrame(`${resolve(pos[1]!)}:${pos[2]}:${pos[3]}`) : learnerFrame(err.stack);
  const what =
    message
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '' && !/^transform failed/i.test(l))
      ?.replace(/^\[[A-Z_]+\]\s*/, '') ?? err.name;
  const syntax = err.name === 'SyntaxError' || /transform failed|parse_error/i.test(message);
  // The renderer shows the location on its own line; name the file here only when there is none.
  const file = location ? '' : ` (${shown})`;
  return syntax
    ? new TargetLoadError('syntax', [text(`syntax error${file}: ${what}`, `문법 오류${file}: ${what}`)], location)
    : new TargetLoadError(
        'load',
        [text(`could not load${file}: ${what}`, `불러오지 못했습니다${file}: ${what}`)],
        location,
      );
}
