/**
 * Where a Dataset subclass lives, so that a worker thread can import it (Python's pickle records a
 * class by module and name in the same way). JavaScript has no `__module__`, so the Dataset
 * constructor keeps the stack it was called from: `new MyData(...)` always runs MyData's own
 * constructor (V8 omits default constructors only in the middle of a super() chain), and that
 * frame, `at new MyData (/path/to/module.ts:12:5)`, names the file the class was defined in. The
 * stack is formatted only when a DataLoader with workers asks for it.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';

const sites = new WeakMap<object, Error>();
const DEPTH = 32;

/** Called by the Dataset constructor: remembers where `instance` was constructed. */
export function recordOrigin(instance: object): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = DEPTH; // class hierarchies and test runners add frames above the call
  sites.set(instance, new Error());
  Error.stackTraceLimit = limit;
}

// `    at new Name (/abs/file.ts:12:5)` or `(file:///abs/file.ts?v=1:12:5)`.
const constructorFrame = /^\s*at new ([\w$]+) \((.+?)(?:\?[^:()]*)?:\d+:\d+\)$/;

/** The file URL of the module that defines `instance`'s class, or undefined when no frame names it. */
export function classModule(instance: object): string | undefined {
  const name = instance.constructor.name;
  for (const line of (sites.get(instance)?.stack ?? '').split('\n')) {
    const m = constructorFrame.exec(line);
    if (m && m[1] === name) return m[2]!.startsWith('file:') ? m[2]! : pathToFileURL(m[2]!).href;
  }
  return undefined;
}

/** Whether `url` is the script Node was started with: importing it again would run it again. */
export function isMainScript(url: string): boolean {
  const main = process.argv[1];
  return main !== undefined && fileURLToPath(url) === main;
}
