/**
 * Slips that come from JavaScript rather than from PyTorch: a forgotten `await` (a Promise, or the
 * NaN and "[object Promise]" made from one, where a value was expected) and a name the engine does
 * not have (`zero_grad`, `stdev`). Each is explained once per exercise, on the first check that trips
 * over it: a grading process grades one exercise, so "said" lives as long as the process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '#engine';
import { closestName } from '#engine/names';
import { loadedTargets } from './load.ts';
import { targetLabel, targetRoot } from './env.ts';
import { learnerFrame, type Location } from './location.ts';
import { text, type Text } from './text.ts';

const said = new Set<string>();

/** `text` the first time `key` is said in this process, undefined after. */
function once(key: string, t: Text): Text | undefined {
  if (said.has(key)) return undefined;
  said.add(key);
  return t;
}

export const isThenable = (v: unknown): boolean =>
  (typeof v === 'object' || typeof v === 'function') &&
  v !== null &&
  typeof (v as { then?: unknown }).then === 'function';

// ---- a forgotten await -----------------------------------------------------------------------------

// Reading values back is async in this engine; these are the calls whose result a learner uses as a value.
const READS = /\.(item|toArray|data|tolist)\(\)/g;

/**
 * Places in `source` where `.item()`, `.toArray()` or `.data()` is called with no `await` in its
 * statement (nor `return`, which hands the Promise to an awaiting caller, nor a `Promise.all`).
 */
export function unawaitedReads(source: string): { line: number; call: string }[] {
  const code = source.replace(/\/\/[^\n]*/g, (c) => ' '.repeat(c.length)); // comments keep their length
  const found: { line: number; call: string }[] = [];
  for (const m of code.matchAll(READS)) {
    const before = code.slice(0, m.index);
    const start = Math.max(before.lastIndexOf(';'), before.lastIndexOf('{'), before.lastIndexOf('}')) + 1;
    if (/\bawait\b|\breturn\b|Promise\.all|\.then\(/.test(before.slice(start))) continue;
    found.push({ line: before.split('\n').length, call: `.${m[1]}()` });
  }
  return found;
}

/** The first un-awaited read among the learner files this process loaded, as a Location. */
function suspectRead(): (Location & { call: string }) | undefined {
  for (const path of loadedTargets()) {
    let source: string;
    try {
      source = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const [first] = unawaitedReads(source);
    const where = first && learnerFrame(`${path}:${first.line}:1`);
    if (first && where) return { ...where, call: first.call };
  }
  return undefined;
}

/**
 * "Did you forget `await`?", once per exercise, when the learner's files read a value back without
 * awaiting it, or when `evidence` (a failure's words, or the value itself) shows a Promise was used
 * as a value.
 */
export function awaitSlip(evidence: string[]): Text | undefined {
  const suspect = suspectRead();
  const promiseSeen = evidence.some((s) => /\bPromise\b|\[object Promise\]/.test(s));
  if (!suspect && !promiseSeen) return undefined;
  if (suspect) {
    const at = `${suspect.file}:${suspect.line}`;
    return once(
      'await',
      text(
        `did you forget \`await\` before \`${suspect.call}\`? (${at}) It gives a Promise, and a Promise used as a number is NaN`,
        `\`${suspect.call}\` 앞에 \`await\` 를 빠뜨렸나요? (${at}) Promise 가 오고, Promise 를 숫자로 쓰면 NaN 입니다`,
      ),
    );
  }
  return once(
    'await',
    text(
      'did you forget `await` before `.item()` / `.toArray()`? They give a Promise, not the value',
      '`.item()` / `.toArray()` 앞에 `await` 를 빠뜨렸나요? 값이 아니라 Promise 가 옵니다',
    ),
  );
}

// ---- a name the engine does not have ---------------------------------------------------------------

let names: Set<string> | undefined;

/** Every name reachable from the engine's exports: functions, classes, their methods and fields. */
export function engineNames(): Set<string> {
  if (names) return names;
  const found = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (v: unknown, depth: number): void => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v) || depth > 4) return;
    seen.add(v);
    for (const key of Object.getOwnPropertyNames(v)) {
      if (/^(prototype|length|name|caller|arguments|constructor)$/.test(key)) continue;
      found.add(key);
      // A module namespace may expose its exports as getters (vitest's does): read through them.
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (d && ('value' in d || typeof v !== 'function')) visit(Reflect.get(v, key), depth + 1);
    }
    if (typeof v === 'function' && v.prototype) {
      for (let p = v.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p))
        for (const key of Object.getOwnPropertyNames(p)) if (key !== 'constructor') found.add(key);
    }
  };
  visit(torch, 0);
  // Fields set in constructors are not on any prototype: the ones a learner reads most.
  for (const t of [torch.tensor([1.5], { requiresGrad: true }), new torch.nn.Linear(1, 1)])
    for (const key of Object.keys(t)) found.add(key);
  return (names = found);
}

// JavaScript's own names are never a slip, however close to an engine name (`map` and `max`).
const javascript = new Set(
  [Array, String, Number, Object, Promise, Map, Set, Function, Date].flatMap((c) => [
    ...Object.getOwnPropertyNames(c),
    ...Object.getOwnPropertyNames(c.prototype),
  ]),
);

/**
 * The engine's name closest to `name`, as the engine's own option checks suggest it (`#engine/names`:
 * camelCase first, then the nearest within a small edit distance).
 */
export function suggestName(name: string): string | undefined {
  const known = engineNames();
  if (known.has(name) || javascript.has(name)) return undefined;
  // A one- or two-letter name is a few edits from too many others to guess from.
  return name.length >= 3 ? closestName(name, known) : undefined;
}

/**
 * "Did you mean `zeroGrad`?" for a TypeError about a name: `x.zero_grad is not a function`, `… is
 * not a constructor`, or a property read on undefined, where the learner's own line shows the name.
 */
export function nameSlip(message: string, line?: string): Text | undefined {
  const called = /(?:^|[\s(])(?:[\w$]+\.)*([\w$]+) is not a (?:function|constructor)/.exec(message)?.[1];
  const candidates = called
    ? [called]
    : /of (undefined|null) \(reading/.test(message) && line
      ? [...line.matchAll(/\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!)
      : [];
  for (const name of candidates) {
    const better = suggestName(name);
    if (!better) continue;
    return once(
      `name:${name}`,
      text(
        `did you mean \`${better}\`? The engine has no \`${name}\`: its names are PyTorch's, in camelCase (engine/API.md)`,
        `\`${better}\` 를 쓰려던 건가요? 엔진에는 \`${name}\` 이 없습니다: 이름은 PyTorch 의 것을 camelCase 로 씁니다 (engine/API.md)`,
      ),
    );
  }
  return undefined;
}

// ---- `new`, missing or misplaced ------------------------------------------------------------------

/**
 * PyTorch builds a layer by calling its class (`nn.Linear(784, 128)`), JavaScript with `new`; the
 * learner translating a snippet slips both ways: a class called bare, or `new` before a function.
 */
export function newSlip(message: string, line?: string): Text | undefined {
  const cls = /Class constructor ([\w$]+) cannot be invoked without 'new'/.exec(message)?.[1];
  if (cls) {
    // As the learner's line spells it (`nn.Linear`, `torch.nn.Linear`), else the bare class name.
    const bare = new RegExp(`(?:[\\w$]+\\.)*${cls.replaceAll('$', '\\$')}(?=\\s*\\()`).exec(line ?? '')?.[0] ?? cls;
    return once(
      `new:${bare}`,
      text(
        `JavaScript builds a class with \`new\`: write \`new ${bare}(…)\` where PyTorch writes \`${bare}(…)\``,
        `JavaScript 에서는 클래스를 \`new\` 로 만듭니다: PyTorch 의 \`${bare}(…)\` 는 \`new ${bare}(…)\` 로 씁니다`,
      ),
    );
  }
  const called = /(?:^|[\s(])(?:[\w$]+\.)*([\w$]+) is not a constructor/.exec(message)?.[1];
  if (called && engineNames().has(called))
    return once(
      `new:${called}`,
      text(
        `\`${called}\` is a function, not a class: call it without \`new\``,
        `\`${called}\` 는 클래스가 아니라 함수입니다: \`new\` 없이 부르세요`,
      ),
    );
  return undefined;
}

/** The learner's source line where `where` points, or undefined when it cannot be read. */
function sourceLine(where: Location | undefined): string | undefined {
  if (!where) return undefined;
  try {
    const path = join(targetRoot(), where.file.slice(targetLabel().length + 1));
    return readFileSync(path, 'utf8').split('\n')[where.line - 1];
  } catch {
    return undefined;
  }
}

/** What a failed or errored check adds about JavaScript slips: at most one line each, once per exercise. */
export function slipLines(evidence: string[], where?: Location, error?: Error): Text[] {
  const name =
    error instanceof TypeError
      ? (newSlip(error.message, sourceLine(where)) ?? nameSlip(error.message, sourceLine(where)))
      : undefined;
  return [name, awaitSlip(evidence)].filter((t): t is Text => t !== undefined);
}
