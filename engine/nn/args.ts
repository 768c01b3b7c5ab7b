/**
 * PyTorch's calling convention in JavaScript: positional values first, then an optional options
 * object that may also name them, as Python's keywords can (`new StepLR(opt, 30, { gamma })` and
 * `new StepLR(opt, { stepSize: 30, gamma })`).
 */
import { Tensor } from '../tensor/tensor.ts';

export function isOptions(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Tensor) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Merges positional `args` (named by `names`, in order) into the trailing options object. */
export function namedArgs<T extends object>(
  names: readonly (keyof T & string)[],
  args: readonly unknown[],
): Partial<T> {
  const last = args[args.length - 1];
  const hasOptions = args.length > 0 && isOptions(last);
  const positional = hasOptions ? args.slice(0, -1) : args;
  if (positional.length > names.length) {
    throw new TypeError(
      `takes at most ${names.length} positional arguments (${names.join(', ')}) but ${positional.length} were given`,
    );
  }
  const out: Record<string, unknown> = hasOptions ? { ...last } : {};
  positional.forEach((value, i) => {
    if (value === undefined) return;
    if (hasOptions && names[i]! in out) throw new TypeError(`got multiple values for argument '${names[i]}'`);
    out[names[i]!] = value;
  });
  return out as Partial<T>;
}
