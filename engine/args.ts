/**
 * PyTorch's calling convention in JavaScript: positional values first, then an optional options
 * object that may also name them, as Python's keywords can (`new StepLR(opt, 30, { gamma })` and
 * `new StepLR(opt, { stepSize: 30, gamma })`). Every options object is checked here, so that a
 * misspelt key (`requires_grad`, `lr_rate`) is an error naming the right one, never silently ignored.
 */
import { closestName } from './names.ts';

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
export function optionsOf<T extends object>(call: string, options: T | undefined, allowed: readonly string[]): T {
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
