// Stubs call todo() so that an untouched exercise reads as "not started", never as "wrong".
// The error is recognised by a registered symbol rather than by class identity or message text: the
// stub and the grader may load this module as separate instances (vitest, tsx, a submission copy).
const brand = Symbol.for('torchlings.todo');

export class NotImplementedError extends Error {
  readonly [brand] = true;
  constructor(readonly what: string) {
    super(`not implemented yet: ${what}`);
    this.name = 'NotImplementedError';
  }
}

/**
 * Marks an exercise body the learner has yet to write. `what` names it, e.g. 'Sigmoid.backward'.
 * Pass the stub's parameters too, `todo('add', a, b)`: they count as used, so a strict tsconfig
 * (noUnusedParameters) accepts an untouched stub.
 */
export function todo(what: string, ..._params: unknown[]): never {
  throw new NotImplementedError(what);
}

export function isTodo(e: unknown): e is NotImplementedError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;
}
