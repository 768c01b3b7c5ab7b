/**
 * What a transform is: a function, or an object with `call(input)` as torch.nn modules have (a
 * JavaScript class instance cannot be called like a Python object with __call__).
 */
import { defaultGenerator, type Generator } from '../../tensor/random.ts';

export interface TransformObject<I, O> {
  call(input: I): O;
}

// `any` defaults so that a list of differently typed transforms can be composed.
export type Transform<I = any, O = any> = ((input: I) => O) | TransformObject<I, O>;

export function applyTransform<I, O>(t: Transform<I, O>, input: I): O {
  // Checked first: every function also has a `call` (Function.prototype.call), with other meaning.
  return typeof t === 'function' ? t(input) : t.call(input);
}

export interface RandomOptions {
  /** The generator to draw from; by default torch's default generator, at the time of each call. */
  generator?: Generator;
}

export function generatorOf(options: RandomOptions): Generator {
  return options.generator ?? defaultGenerator;
}
