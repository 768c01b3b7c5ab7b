/**
 * Copying a dataset into a worker thread, the way PyTorch pickles a dataset for its worker
 * processes: an object is sent as its class (by module and name) plus its own state, and rebuilt
 * on the other side without running its constructor (pickle's `cls.__new__` + `__dict__.update`).
 *
 * - Plain data (numbers, strings, arrays, plain objects, typed arrays, Map, Set, Date) is copied as
 *   structured clone copies it; tensors travel as host arrays; shared and cyclic references stay so.
 * - A class or function the engine exports (a transform, a Generator, a Subset) is found by
 *   identity among the engine's exports, and named by its export path.
 * - A Dataset subclass of the learner's is found in the module it was defined in (see origin.ts);
 *   a class or function of the learner's that is no Dataset (a transform class, a function used as
 *   a transform) is looked for among the exports of those same modules, the only ones a worker can
 *   import knowing that they do nothing but define things. Both are matched by identity in the main
 *   thread (the modules are loaded already), so a worker imports only what is certain to be there.
 * - An object with a `workerSpec()` method is rebuilt from it instead (its module export is called
 *   with the spec's arguments, which are copied by the same rules).
 * - Anything else (a closure over local variables, a class defined inside a function, a promise)
 *   cannot cross: the error says where in the dataset it sits and what to do.
 */
import { pathToFileURL } from 'node:url';
import { isClass } from '../../args.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { Dataset } from './dataset.ts';
import { importByUrl } from './modules.ts';
import { classModule, isMainScript } from './origin.ts';
import { decode as decodeTensor, encode as encodeTensor } from './transfer.ts';
import type { WorkerSpec } from './worker-spec.ts';

/** How a class or function is found again in a worker. */
interface Ref {
  /** The module's file URL. */
  module: string;
  /** The export's path in it: ['transforms', 'Compose'] in engine/vision.ts, ['DigitFolder'] in a learner's. */
  path: string[];
}

type Node =
  | { k: 'leaf'; v: unknown }
  | { k: 'data'; id: number; v: object }
  | { k: 'seen'; id: number }
  | { k: 'tensor'; id: number; v: unknown }
  | { k: 'array'; id: number; items: Node[] }
  | { k: 'object'; id: number; cls: Ref | null; entries: [string, Node][] }
  | { k: 'map'; id: number; entries: [Node, Node][] }
  | { k: 'set'; id: number; items: Node[] }
  | { k: 'function'; ref: Ref }
  | { k: 'spec'; id: number; module: string; export: string; args: Node[] };

/** A dataset as it crosses to a worker (structured-clonable). */
export interface EncodedState {
  root: Node;
}

/** Why a dataset cannot be copied into a worker; the DataLoader puts it in context. */
export class NotCopyable extends Error {
  override name = 'NotCopyable';
}

const ENGINE_MODULES = {
  [new URL('../../index.ts', import.meta.url).href]: () => import('../../index.ts'),
  [new URL('../../vision.ts', import.meta.url).href]: () => import('../../vision.ts'),
};

type Index = Map<unknown, Ref>;

let engineIndex: Promise<Index> | undefined;

function isNamespace(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === null || proto === Object.prototype || Object.prototype.toString.call(x) === '[object Module]';
}

/** Adds every class and function reachable from namespace `ns` of `module` (nested namespaces too). */
function indexExports(index: Index, ns: Record<string, unknown>, module: string, path: string[] = []): void {
  for (const [key, value] of Object.entries(ns)) {
    if (typeof value === 'function') {
      if (!index.has(value)) index.set(value, { module, path: [...path, key] });
    } else if (path.length < 4 && isNamespace(value)) {
      indexExports(index, value, module, [...path, key]);
    }
  }
}

/** Every class and function the engine exports, by identity, with where to find it again. */
function engineExports(): Promise<Index> {
  engineIndex ??= (async () => {
    const index: Index = new Map();
    for (const [url, load] of Object.entries(ENGINE_MODULES)) indexExports(index, await load(), url);
    return index;
  })();
  return engineIndex;
}

/**
 * import() of a module still evaluating (one that iterates the DataLoader at its top level) waits
 * forever, the process idle; an import that is merely slow (a busy machine: 10 s and more at load
 * 30) keeps computing. So the wait is given up only after LOAD_PATIENCE_MS and only once the process
 * has used next to no CPU (all its threads) over the last IDLE_WINDOW_MS.
 */
const LOAD_PATIENCE_MS = 5_000;
const IDLE_WINDOW_MS = 2_000;
/** CPU per wall time below which the process counts as idle: an import at load 30 gets ~5%. */
const IDLE_SHARE = 0.01;
const POLL_MS = 250;

/** A learner's module, loaded already: import() hands back its namespace (bounded, should it still be running). */
async function loadedModule(url: string): Promise<Record<string, unknown>> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    const start = Date.now();
    const samples: { at: number; cpu: number }[] = [];
    const cpuMs = () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    };
    timer = setInterval(() => {
      const now = { at: Date.now(), cpu: cpuMs() };
      samples.push(now);
      while (samples.length > 1 && now.at - samples[1]!.at >= IDLE_WINDOW_MS) samples.shift();
      const first = samples[0]!;
      const idle = now.at - first.at >= IDLE_WINDOW_MS && now.cpu - first.cpu < IDLE_SHARE * (now.at - first.at);
      if (now.at - start >= LOAD_PATIENCE_MS && idle)
        reject(
          new NotCopyable(
            `${url} has not finished loading (does it iterate the DataLoader at its top level? do that from another module)`,
          ),
        );
    }, POLL_MS);
  });
  try {
    return await Promise.race([importByUrl(url), stuck]);
  } finally {
    clearInterval(timer);
  }
}

function isPlainData(x: object): boolean {
  return (
    ArrayBuffer.isView(x) ||
    x instanceof ArrayBuffer ||
    x instanceof Date ||
    x instanceof RegExp ||
    x instanceof Boolean ||
    x instanceof Number ||
    x instanceof String
  );
}

// `#name` fields cannot be read from outside the class, so they cannot be copied.
const privateField = /\bthis\.#[A-Za-z_$]|^\s*(?:static\s+)?#[A-Za-z_$][\w$]*\s*[=;(]/m;

function hasPrivateFields(cls: Function, engine: Map<unknown, unknown>): boolean {
  for (
    let c = cls;
    typeof c === 'function' && c !== Function.prototype && !engine.has(c);
    c = Object.getPrototypeOf(c)
  ) {
    if (privateField.test(Function.prototype.toString.call(c))) return true;
  }
  return false;
}

/** A learner's class or function met while encoding; its Ref is filled in once every module is known. */
interface Pending {
  value: Function;
  at: string;
  ref: Ref;
}

class Encoder {
  private readonly ids = new Map<object, number>();
  private nextId = 0;
  /** The modules defining the learner's Dataset classes met so far. */
  private readonly modules: string[] = [];
  private readonly pending: Pending[] = [];

  constructor(private readonly engine: Index) {}

  async node(value: unknown, at: string): Promise<Node> {
    if (typeof value === 'symbol') throw new NotCopyable(`${at} is a symbol, which cannot be copied to another thread`);
    if (typeof value === 'function') return { k: 'function', ref: this.functionRef(value, at) };
    if (typeof value !== 'object' || value === null) return { k: 'leaf', v: value };
    const seen = this.ids.get(value);
    if (seen !== undefined) return { k: 'seen', id: seen };
    const id = this.nextId++;
    this.ids.set(value, id);
    if (value instanceof Tensor) {
      // A worker thread has no WebGPU device (PyTorch's workers cannot use CUDA either, under fork).
      if (value.device !== 'cpu') {
        throw new NotCopyable(
          `${at} is a ${value.device} tensor, and workers load on the cpu: keep the dataset's tensors on the cpu and move each batch with .to('${value.device}') in the loop`,
        );
      }
      return { k: 'tensor', id, v: await encodeTensor(value, []) };
    }
    if (isPlainData(value)) return { k: 'data', id, v: value };
    if (Array.isArray(value))
      return { k: 'array', id, items: await this.all(value, (v, i) => this.node(v, `${at}[${i}]`)) };
    if (value instanceof Map) {
      const entries = await this.all([...value], async ([key, v]) => {
        const pair: [Node, Node] = [await this.node(key, `${at} key`), await this.node(v, `${at}.get(${String(key)})`)];
        return pair;
      });
      return { k: 'map', id, entries };
    }
    if (value instanceof Set)
      return { k: 'set', id, items: await this.all([...value], (v) => this.node(v, `${at} item`)) };
    const spec = (value as { workerSpec?: () => WorkerSpec | undefined }).workerSpec?.();
    if (spec) return this.specNode(id, spec, at);
    const proto = Object.getPrototypeOf(value) as object | null;
    const cls = proto === null || proto === Object.prototype ? null : this.classRef(value, at);
    const entries = await this.all(Object.entries(value), async ([key, v]) => {
      const entry: [string, Node] = [key, await this.node(v, `${at}.${key}`)];
      return entry;
    });
    return { k: 'object', id, cls, entries };
  }

  async specNode(id: number | undefined, spec: WorkerSpec, at: string): Promise<Node> {
    const module = String(spec.module);
    const url = /^[a-z]+:/i.test(module) ? module : pathToFileURL(module).href;
    const args = await this.all([...(spec.args ?? [])], (v, i) => this.node(v, `${at} workerSpec().args[${i}]`));
    return { k: 'spec', id: id ?? this.nextId++, module: url, export: spec.export, args };
  }

  // Sequential: ids are handed out in visiting order, which the decoder repeats.
  private async all<T, R>(items: readonly T[], f: (item: T, i: number) => Promise<R>): Promise<R[]> {
    const out: R[] = [];
    for (let i = 0; i < items.length; i++) out.push(await f(items[i]!, i));
    return out;
  }

  private functionRef(f: Function, at: string): Ref {
    return this.engine.get(f) ?? this.later(f, at);
  }

  private later(value: Function, at: string): Ref {
    const ref: Ref = { module: '', path: [] };
    this.pending.push({ value, at, ref });
    return ref;
  }

  /** Finds every learner's class and function among the exports of the modules that define Dataset classes. */
  async resolvePending(): Promise<void> {
    const index: Index = new Map();
    for (const url of this.modules) indexExports(index, await loadedModule(url), url);
    for (const { value, at, ref } of this.pending) {
      const found = index.get(value);
      if (!found) {
        const what =
          typeof value === 'function' && isClass(value)
            ? `class ${value.name}`
            : `function ${value.name || '(anonymous)'}`;
        const where = this.modules.length ? this.modules.join(', ') : 'the module that defines your Dataset class';
        throw new NotCopyable(
          `${at} is ${what}, which is not exported from ${where}: a worker thread finds classes and functions by ` +
            'module and export name (as Python pickles them), so export it there (a class or function defined ' +
            'inside another function, or a closure, cannot be), or use transforms from #engine/vision',
        );
      }
      Object.assign(ref, found);
    }
  }

  private classRef(obj: object, at: string): Ref {
    const cls = obj.constructor as Function;
    const known = this.engine.get(cls);
    if (known) return known;
    if (!cls.name) {
      throw new NotCopyable(
        `${at} is an instance of an anonymous class: give the class a name and export it from its module`,
      );
    }
    if (hasPrivateFields(cls, this.engine)) {
      throw new NotCopyable(
        `${at} is a ${cls.name} with #private fields, which cannot be read to copy them: use ordinary fields ` +
          '(TypeScript `private` is fine)',
      );
    }
    if (obj instanceof Dataset) {
      const module = classModule(obj);
      if (!module) {
        throw new NotCopyable(
          `cannot tell which module defines ${cls.name} (${at}): export it from a module of its own`,
        );
      }
      if (isMainScript(module)) {
        throw new NotCopyable(
          `${cls.name} is defined in the script being run (${module}), which a worker thread would have to run again to ` +
            `find it: move ${cls.name} into a module of its own and import it (PyTorch asks for the same with ` +
            "`if __name__ == '__main__':`)",
        );
      }
      if (!this.modules.includes(module)) this.modules.push(module);
    }
    return this.later(cls, at);
  }
}

/** The dataset (or a WorkerSpec for it) as a structured-clonable value; throws NotCopyable. */
export async function encodeState(value: unknown, spec?: WorkerSpec): Promise<EncodedState> {
  const encoder = new Encoder(await engineExports());
  const name = (value as object).constructor?.name || 'dataset';
  const root = spec ? await encoder.specNode(undefined, spec, name) : await encoder.node(value, name);
  await encoder.resolvePending();
  return { root };
}

/** Imports what a node refers to, each module once, before anything is built. */
class Resolver {
  private readonly namespaces = new Map<string, Promise<Record<string, unknown>>>();

  private load(url: string): Promise<Record<string, unknown>> {
    let ns = this.namespaces.get(url);
    if (!ns) this.namespaces.set(url, (ns = importByUrl(url)));
    return ns;
  }

  async resolve(ref: Ref): Promise<Function> {
    let x: unknown = await this.load(ref.module);
    for (const key of ref.path) x = (x as Record<string, unknown>)[key];
    if (typeof x !== 'function') throw new Error(`${ref.module} has no export ${ref.path.join('.')} in this thread`);
    return x;
  }

  async spec(node: Extract<Node, { k: 'spec' }>): Promise<Function> {
    const make = (await this.load(node.module))[node.export];
    if (typeof make !== 'function')
      throw new Error(`module ${node.module} has no export '${node.export}' that is a class or function`);
    return make;
  }
}

/** Rebuilds, in a worker, the value encodeState made. */
export async function decodeState(state: EncodedState): Promise<unknown> {
  const resolver = new Resolver();
  const found = new Map<Node, Function>();
  const visit = async (n: Node): Promise<void> => {
    switch (n.k) {
      case 'array':
      case 'set':
        for (const item of n.items) await visit(item);
        return;
      case 'map':
        for (const [key, v] of n.entries) await Promise.all([visit(key), visit(v)]);
        return;
      case 'object':
        if (n.cls) found.set(n, await resolver.resolve(n.cls));
        for (const [, v] of n.entries) await visit(v);
        return;
      case 'function':
        found.set(n, await resolver.resolve(n.ref));
        return;
      case 'spec':
        found.set(n, await resolver.spec(n));
        for (const a of n.args) await visit(a);
        return;
    }
  };
  await visit(state.root);

  const objects: unknown[] = [];
  const build = (n: Node): unknown => {
    switch (n.k) {
      case 'leaf':
        return n.v;
      case 'seen':
        return objects[n.id];
      case 'data':
        return (objects[n.id] = n.v);
      case 'tensor':
        return (objects[n.id] = decodeTensor(n.v));
      case 'function':
        return found.get(n);
      case 'array': {
        const out: unknown[] = (objects[n.id] = []);
        for (const item of n.items) out.push(build(item));
        return out;
      }
      case 'map': {
        const out = (objects[n.id] = new Map());
        for (const [key, v] of n.entries) out.set(build(key), build(v));
        return out;
      }
      case 'set': {
        const out = (objects[n.id] = new Set());
        for (const item of n.items) out.add(build(item));
        return out;
      }
      case 'object': {
        const cls = found.get(n) as { prototype: object } | undefined;
        const out = (objects[n.id] = Object.create(cls ? cls.prototype : Object.prototype) as object);
        for (const [key, v] of n.entries) {
          Object.defineProperty(out, key, { value: build(v), writable: true, enumerable: true, configurable: true });
        }
        return out;
      }
      case 'spec': {
        const make = found.get(n)!;
        const args = n.args.map(build);
        return (objects[n.id] = isClass(make) ? new make(...args) : (make as (...a: unknown[]) => unknown)(...args));
      }
    }
  };
  return build(state.root);
}
