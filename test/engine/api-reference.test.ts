import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { repo } from '../cli/helpers.ts';

// engine/API.md is the kit's own API reference; its index ("## Every export") lists every module's
// runtime names by kind. Held both ways: each listed name exists with that kind, and each export of
// the entry points, down through their namespaces, is listed. No device is involved: this reads names.

const KINDS = ['namespaces', 'classes', 'functions', 'values'] as const;
type Kind = (typeof KINDS)[number];

interface Section {
  /** 'torch.nn.functional' */
  path: string;
  /** The import a root heading names: '#engine'. */
  specifier?: string;
  names: Map<string, Kind>;
}

function index(): Section[] {
  const md = readFileSync(join(repo, 'engine/API.md'), 'utf8');
  const start = md.indexOf('\n## Every export\n');
  expect(start, 'API.md has its index, "## Every export"').toBeGreaterThan(0);
  const sections: Section[] = [];
  for (const line of md.slice(start).split('\n')) {
    const heading = /^### `([\w.]+)`(?:: `(#engine[\w/]*)`)?$/.exec(line);
    if (heading) sections.push({ path: heading[1]!, specifier: heading[2], names: new Map() });
    const list = /^- (\w+): (.*)$/.exec(line);
    if (!list) continue;
    const kind = list[1] as Kind;
    expect(KINDS, `a kind of "${line}"`).toContain(kind);
    const section = sections.at(-1)!;
    for (const [, name] of list[2]!.matchAll(/`([\w$]+)`/g)) {
      expect(section.names.has(name!), `${section.path}.${name} listed once`).toBe(false);
      section.names.set(name!, kind);
    }
  }
  return sections;
}

function kindOf(value: unknown): Kind {
  if (typeof value === 'function')
    return /^class\b/.test(Function.prototype.toString.call(value)) ? 'classes' : 'functions';
  const isModule =
    typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Module]';
  return isModule ? 'namespaces' : 'values';
}

test("engine/API.md's index and the engine's exports agree, name by name and kind by kind", async () => {
  const sections = index();
  const roots = sections.filter((s) => s.specifier !== undefined);
  expect(roots.map((s) => s.specifier)).toEqual(expect.arrayContaining(['#engine', '#engine/vision']));
  const documented = new Map(sections.map((s) => [s.path, s]));
  const problems: string[] = [];
  const visit = (path: string, ns: Record<string, unknown>): void => {
    const section = documented.get(path);
    if (!section) {
      problems.push(`namespace ${path} is exported but has no section in the index`);
      return;
    }
    documented.delete(path);
    for (const [name, kind] of section.names) {
      if (!(name in ns)) problems.push(`${path}.${name} is listed as ${kind} but not exported`);
      else if (kindOf(ns[name]) !== kind)
        problems.push(`${path}.${name} is listed as ${kind} but is ${kindOf(ns[name])}`);
    }
    for (const name of Object.keys(ns)) {
      if (!section.names.has(name)) problems.push(`${path}.${name} (${kindOf(ns[name])}) is exported but not listed`);
      else if (kindOf(ns[name]) === 'namespaces') visit(`${path}.${name}`, ns[name] as Record<string, unknown>);
    }
  };
  for (const root of roots) visit(root.path, (await import(root.specifier!)) as Record<string, unknown>);
  for (const path of documented.keys()) problems.push(`section ${path} documents no exported namespace`);
  expect(problems).toEqual([]);
});

test('the index tells a real slip from a listed name', () => {
  // The checks above would pass vacuously on an empty index: it holds the names a learner uses most.
  const byPath = new Map(index().map((s) => [s.path, s.names]));
  expect(byPath.get('torch')?.get('tensor')).toBe('functions');
  expect(byPath.get('torch')?.get('Tensor')).toBe('classes');
  expect(byPath.get('torch')?.get('nn')).toBe('namespaces');
  expect(byPath.get('torch.optim')?.get('SGD')).toBe('classes');
  expect(byPath.get('torch.nn.functional')?.get('mseLoss')).toBe('functions');
  expect(byPath.get('torch')?.get('float32')).toBe('values');
});
