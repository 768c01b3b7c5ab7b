// What the grading child does before any learner code runs, so that the learner's code shares the
// process with the grader's comparisons without being able to bend them: the intrinsics the kit
// and the engine compute with are frozen (Math.abs, JSON.stringify, Array.prototype, Promise…), and
// so are the engine's and the kit's exported classes and functions (Tensor.prototype.toArray…).
// Frozen, an assignment fails (or throws, in strict code), whoever tries it.
//
// Freezing a prototype breaks ordinary code that assigns a property the prototype already has
// (`err.name = 'X'`, `obj.toString = f`: JavaScript's "override mistake"). As SES does, such
// properties become accessors whose setter gives the assigning object its own property instead.
// What cannot be frozen (globalThis' own slots, which Node defines lazily) is watched: after every
// check a changed slot is put back and the check is an error.

type AnyObject = Record<PropertyKey, unknown>;

/** Names commonly assigned on instances; on a frozen prototype they keep working (see above). */
const OVERRIDABLE = new Set<PropertyKey>([
  'constructor',
  'toString',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'name',
  'message',
  'stack',
  'toJSON',
]);

const hardened = new WeakSet<object>();

/** Freezes `obj`, keeping `keys` (or, for 'all', every data property) overridable on objects inheriting from it. */
function harden(obj: object, keys: 'all' | Set<PropertyKey> = OVERRIDABLE): void {
  if (hardened.has(obj) || Object.isFrozen(obj)) return;
  hardened.add(obj);
  for (const key of Reflect.ownKeys(obj)) {
    const d = Object.getOwnPropertyDescriptor(obj, key)!;
    if (!('value' in d) || !d.writable || !d.configurable) continue;
    if (keys !== 'all' && !keys.has(key)) continue;
    const value = d.value as unknown;
    Object.defineProperty(obj, key, {
      get: () => value,
      set(this: object, v: unknown) {
        if (this === obj) throw new TypeError(`Cannot assign to read only property '${String(key)}'`);
        Object.defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
      },
      enumerable: d.enumerable,
      configurable: false,
    });
  }
  freeze(obj);
}

/**
 * Object.freeze's result (Object.isFrozen holds) without Object.freeze: every own property made
 * non-writable and non-configurable, then no new ones. Object.freeze itself also moves the object's
 * (empty) element store to V8's frozen kind, and done to Object.prototype or %TypedArray%.prototype
 * that turns off V8's fast paths for array and typed-array element access in the whole process: a
 * training loop ran 5× slower (bench/sandbox-cost.ts; test/cli/sandbox/lockdown.test.ts asks V8 that no
 * prototype is left in that kind). The integrity level is the same.
 */
function freeze(obj: object): void {
  for (const key of Reflect.ownKeys(obj)) {
    const d = Object.getOwnPropertyDescriptor(obj, key)!;
    Object.defineProperty(obj, key, 'value' in d ? { writable: false, configurable: false } : { configurable: false });
  }
  Object.preventExtensions(obj);
}

const TypedArray = Object.getPrototypeOf(Int8Array) as object;
// Typed as what is read of them: inferring the union of eleven constructor types cost tsc over a second.
const typedArrays: { prototype: object; name: string }[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];

/**
 * Prototypes whose `constructor` V8 watches: while it is untouched (its "species protectors" hold),
 * `arr.map`, `typed.subarray`, `await` and regular expressions take their fast paths. Made an accessor
 * it sends every such call down the slow path (measured: subarray + map + await 4× slower); frozen as
 * a data property, it keeps them. Only their `constructor` stays a plain frozen value:
 * assigning `arr.constructor = …` on an instance fails, which no ordinary code does.
 */
const SPECIES_WATCHED = new Set<object>([
  Array.prototype,
  Promise.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  (TypedArray as { prototype: object }).prototype,
  ...typedArrays.map((t) => t.prototype),
]);
const WITHOUT_CONSTRUCTOR = new Set([...OVERRIDABLE].filter((k) => k !== 'constructor'));

/** The intrinsics the kit's comparisons and the engine's arithmetic rest on. */
function intrinsics(): object[] {
  const arrayIterator = Object.getPrototypeOf([][Symbol.iterator]()) as object;
  const constructors: { prototype: object }[] = [
    Object,
    Function,
    Array,
    Number,
    String,
    Boolean,
    Symbol,
    BigInt,
    Promise,
    Map,
    Set,
    WeakMap,
    WeakSet,
    RegExp,
    Date,
    ArrayBuffer,
    DataView,
    TypedArray as { prototype: object },
    ...typedArrays,
  ];
  return [
    ...constructors.flatMap((c) => [c, c.prototype]),
    Error.prototype,
    TypeError.prototype,
    RangeError.prototype,
    Math,
    JSON,
    Reflect,
    arrayIterator,
    Object.getPrototypeOf(arrayIterator) as object,
    Object.getPrototypeOf(''[Symbol.iterator]()) as object,
    Object.getPrototypeOf(new Map().entries()) as object,
    Object.getPrototypeOf(new Set().values()) as object,
    Object.getPrototypeOf(Object.getPrototypeOf((async function* () {})())) as object,
  ];
}

/** Every class, function and namespace reachable from `roots`; instances are left alone (they hold state). */
function hardenGraph(roots: unknown[]): void {
  const seen = new Set<unknown>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 6 || seen.has(v) || (typeof v !== 'function' && !isPlain(v))) return;
    seen.add(v);
    const obj = v as AnyObject;
    if (typeof v === 'function') {
      // The class's prototype chain, up to the intrinsics (frozen already), and its parent class.
      for (let p = obj.prototype as unknown; isObject(p) && !hardened.has(p); p = Object.getPrototypeOf(p))
        harden(p, 'all');
      visit(Object.getPrototypeOf(v), depth + 1);
    }
    for (const key of Reflect.ownKeys(obj)) {
      const d = Object.getOwnPropertyDescriptor(obj, key)!;
      const value = 'value' in d ? d.value : d.get && !isPlain(obj) ? undefined : safeGet(obj, key);
      if (key !== 'prototype') visit(value, depth + 1);
    }
    harden(obj, typeof v === 'function' ? OVERRIDABLE : 'all');
  };
  for (const r of roots) visit(r, 0);
}

const isObject = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function';

function isPlain(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === null || proto === Object.prototype;
}

function safeGet(obj: AnyObject, key: PropertyKey): unknown {
  try {
    return obj[key];
  } catch {
    return undefined;
  }
}

/** The global names the kit and the engine compute with, and Node's that the kit's runner uses. */
const WATCHED_GLOBALS = [
  ...['Object', 'Function', 'Array', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'Promise', 'Map', 'Set'],
  ...['WeakMap', 'WeakSet', 'RegExp', 'Date', 'ArrayBuffer', 'DataView', 'Math', 'JSON', 'Reflect', 'Proxy'],
  ...['Error', 'TypeError', 'RangeError', 'SyntaxError', 'isNaN', 'isFinite', 'parseFloat', 'parseInt'],
  ...typedArrays.map((t) => t.name),
  ...['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'queueMicrotask'],
  ...['process', 'Buffer', 'console', 'performance', 'structuredClone', 'URL', 'TextEncoder', 'TextDecoder'],
];

export interface Watch {
  /** The names of the watched slots found changed since lockdown; each is put back. */
  restore(): string[];
}

/** Freezes the intrinsics and everything reachable from `exports`, then watches globalThis' own slots. */
export function lockdown(exports: unknown[]): Watch {
  for (const o of intrinsics()) harden(o, SPECIES_WATCHED.has(o) ? WITHOUT_CONSTRUCTOR : OVERRIDABLE);
  hardenGraph(exports);
  const slots = new Map<PropertyKey, PropertyDescriptor>();
  for (const key of WATCHED_GLOBALS) {
    const d = Object.getOwnPropertyDescriptor(globalThis, key);
    // Node's lazy globals (performance, navigator…) turn from getters into values on first use.
    if (d && 'value' in d) slots.set(key, d);
  }
  return {
    restore() {
      const changed: string[] = [];
      for (const [key, d] of slots) {
        const now = Object.getOwnPropertyDescriptor(globalThis, key);
        if (now && 'value' in now && Object.is(now.value, d.value)) continue;
        changed.push(String(key));
        Object.defineProperty(globalThis, key, d);
      }
      return changed;
    },
  };
}
