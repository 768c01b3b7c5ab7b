/**
 * PyTorch's calling convention in JavaScript: positional values first, then an optional options
 * object that may also name them, as Python's keywords can (`new StepLR(opt, 30, { gamma })` and
 * `new StepLR(opt, { stepSize: 30, gamma })`). Every options object is checked here, so that a
 * misspelt key (`requires_grad`, `lr_rate`) is an error naming the right one, never silently ignored.
 */
import { closestName } from './names.ts';
import { Tensor } from './tensor/tensor.ts';

export function isOptions(value: unknown): value is Record<string, unknown> {
  // A plain object only: a Tensor, an array or a class instance is a positional value.
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Every key of an options type, spelt once: `keys<LinearOptions>({ bias: 1, device: 1, dtype: 1 })`.
 * The compiler rejects a missing or an extra key, so the runtime list cannot drift from the type.
 */
export function keys<T>(all: { readonly [K in keyof Required<T>]: 1 }): readonly string[] {
  return Object.keys(all);
}

/** The error for a key `call` does not take: the key, the call, and the key most likely meant. */
export function unknownOption(call: string, key: string, allowed: readonly string[]): TypeError {
  const near = closestName(key, allowed);
  const hint = near
    ? `did you mean '${near}'?`
    : allowed.length
      ? `it takes ${allowed.map((k) => `'${k}'`).join(', ')}`
      : 'it takes no options';
  return new TypeError(`unknown option '${key}' for ${call}; ${hint}`);
}

/** Throws unknownOption for the first key of `options` that `allowed` does not list. */
export function checkKeys(call: string, options: object, allowed: readonly string[]): void {
  for (const key in options) if (!allowed.includes(key)) throw unknownOption(call, key, allowed);
}

/** The options object of a call whose last parameter is one: checked, or `{}` when absent. */
export function optionsOf<T extends object>(
  call: string,
  options: T | null | undefined,
  allowed: readonly string[],
): T {
  if (options === undefined || options === null) return {} as T;
  if (!isOptions(options)) throw new TypeError(`${call}: expected an options object, got ${describe(options)}`);
  checkKeys(call, options, allowed);
  return options;
}

/**
 * Merges positional `args` (named by `names`, in order) into the trailing options object, whose keys
 * must be among `allowed` (by default the positional names). Trailing `undefined`s are dropped, so a
 * method that forwards its parameters (`clamp(min, max)` called as `clamp({ max })`) finds its options.
 */
export function namedArgs<T extends object>(
  call: string,
  names: readonly (keyof T & string)[],
  args: readonly unknown[],
  allowed: readonly string[] = names,
): Partial<T> {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  const last = args[end - 1];
  const hasOptions = end > 0 && isOptions(last);
  const positional = args.slice(0, hasOptions ? end - 1 : end);
  if (positional.length > names.length) {
    throw new TypeError(
      `${call} takes at most ${names.length} positional arguments (${names.join(', ')}) but ${positional.length} were given`,
    );
  }
  if (hasOptions) checkKeys(call, last, allowed);
  const out: Record<string, unknown> = hasOptions ? { ...last } : {};
  positional.forEach((value, i) => {
    if (value === undefined) return;
    if (hasOptions && out[names[i]!] !== undefined) {
      throw new TypeError(`${call} got multiple values for argument '${names[i]}'`);
    }
    out[names[i]!] = value;
  });
  return out as Partial<T>;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object'
    ? `a ${value?.constructor?.name ?? 'null-prototype object'}`
    : `${typeof value} ${String(value)}`;
}

/** Whether `f` is a class (which only `new` can call), not a plain function. */
export function isClass(f: unknown): f is new (...args: unknown[]) => unknown {
  return typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));
}

/**
 * A value's type in PyTorch's words for "must be X, not …", with the JavaScript slip that usually
 * made it: a Promise is a forgotten `await`, a function a forgotten call (`model.parameters`).
 */
export function typeName(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (value instanceof Tensor) return 'Tensor';
  if (Array.isArray(value)) return 'array';
  if (typeof (value as { then?: unknown }).then === 'function') return 'Promise (did you forget await?)';
  if (isClass(value)) return `class ${value.name} (did you forget new ${value.name}(…)?)`;
  if (typeof value === 'function') return `function${value.name ? ` ${value.name}` : ''} (did you forget to call it?)`;
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}

/** "must be `expected`, not …": the value's type, and the fix for an array where a tensor belongs. */
export function mustBe(expected: string, value: unknown): string {
  const hint = Array.isArray(value) && expected.includes('Tensor') ? ' (make one with torch.tensor([...]))' : '';
  return `must be ${expected}, not ${typeName(value)}${hint}`;
}

/**
 * The TypeError for argument `name` (1-based `position`) of `call` that is not `expected`, in
 * PyTorch's words: "torch.abs(): argument 'input' (position 1) must be a Tensor, not undefined".
 */
export function argTypeError(
  call: string,
  name: string,
  position: number,
  expected: string,
  value: unknown,
): TypeError {
  return new TypeError(`${call}(): argument '${name}' (position ${position}) ${mustBe(expected, value)}`);
}

/** `value` when it is a Tensor; argTypeError otherwise. An `instanceof` test, cheap on hot paths. */
export function tensorArg(call: string, name: string, position: number, value: unknown): Tensor {
  if (value instanceof Tensor) return value;
  throw argTypeError(call, name, position, 'a Tensor', value);
}

/** `value` when it is a Tensor or a number (or boolean), which PyTorch's ops take in a tensor's place. */
export function tensorLikeArg(call: string, name: string, position: number, value: unknown): Tensor | number | boolean {
  if (value instanceof Tensor || typeof value === 'number' || typeof value === 'boolean') return value;
  throw argTypeError(call, name, position, 'a Tensor or a number', value);
}

/** An iterable object (an array, a generator, a Set): what PyTorch calls an iterable, less strings. */
export function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}

/** `value` when it is an array of Tensors (PyTorch's "tuple of Tensors"); a TypeError naming the misfit otherwise. */
export function tensorListArg(call: string, name: string, position: number, value: unknown): readonly Tensor[] {
  if (!Array.isArray(value)) throw argTypeError(call, name, position, 'a list of tensors', value);
  for (let i = 0; i < value.length; i++) {
    if (!(value[i] instanceof Tensor))
      throw new TypeError(
        `${call}(): argument '${name}' (position ${position}) must be a list of tensors, but element ${i} is ${typeName(value[i])}`,
      );
  }
  return value;
}
