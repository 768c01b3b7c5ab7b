/** transforms.Compose and transforms.Lambda. */
import { isClass, typeName } from '../../args.ts';
import { applyTransform, type Transform } from './transform.ts';

// Types only: what a transform takes (for an overloaded `call`, any of its first two overloads: an
// image or a tensor) and gives (its last overload).
type InputOf<T> = T extends (input: infer I) => unknown
  ? I
  : T extends { call(input: infer A): unknown; call(input: infer B): unknown }
    ? A | B
    : never;
type OutputOf<T> = T extends (input: never) => infer O ? O : T extends { call(input: never): infer O } ? O : never;
type Last<L extends readonly unknown[]> = L extends readonly [...unknown[], infer X] ? X : L[number];

/** Applies the transforms one after another; its types are the first's input and the last's output. */
export class Compose<L extends readonly Transform[]> {
  readonly transforms: readonly Transform[];

  constructor(transforms: readonly [...L]) {
    if (!Array.isArray(transforms))
      throw new TypeError(
        `Compose takes a list of transforms, as new Compose([new ToTensor(), new Normalize(mean, std)]); got ${typeName(transforms)}`,
      );
    transforms.forEach((t: unknown, i) => {
      if (isClass(t))
        throw new TypeError(
          `Compose: transforms[${i}] is the class ${t.name}, not a transform: write new ${t.name}(…)`,
        );
      if (typeof t !== 'function' && typeof (t as { call?: unknown } | null)?.call !== 'function')
        throw new TypeError(
          `Compose: transforms[${i}] is ${typeName(t)}, not a transform (an object with call(x), or a function)`,
        );
    });
    this.transforms = [...transforms];
  }

  call(input: InputOf<L[0]>): OutputOf<Last<L>> {
    return this.transforms.reduce((x, t) => applyTransform(t, x), input as unknown) as OutputOf<Last<L>>;
  }
}

/** A user function as a transform. */
export class Lambda<I, O> {
  constructor(readonly lambd: (input: I) => O) {
    if (typeof lambd !== 'function') throw new TypeError(`Lambda: argument should be a function, got ${typeof lambd}`);
  }

  call(input: I): O {
    return this.lambd(input);
  }
}
