import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { targetLabel, targetRoot } from './env.ts';

/** A place in the learner's own code, named as the learner knows it: `exercises/02-autograd/autograd.ts`. */
export interface Location {
  file: string;
  line: number;
  column: number;
}

// `at fn (/abs/file.ts:41:11)`, `at /abs/file.ts:41:11` or `at file:///abs/file.ts?v=1:41:11`.
const frame = /((?:file:\/\/)?\/[^\s()?]+)(?:\?[^\s():]*)?:(\d+):(\d+)/g;

/** The first stack frame inside the target folder. Frames of the kit and of the engine are never shown. */
export function learnerFrame(
  stack: string | undefined,
  root = targetRoot(),
  label = targetLabel(),
): Location | undefined {
  for (const m of (stack ?? '').matchAll(frame)) {
    const path = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (!path.startsWith(root + sep)) continue;
    const file = [label, ...relative(root, path).split(sep)].join('/');
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

export const formatLocation = (l: Location): string => `${l.file}:${l.line}`;
