import type { Text } from './text.ts';

// A check fails by throwing a CheckFailure: a few lines of explanation in both languages. As with
// todo(), a registered symbol recognises it across module instances.
const brand = Symbol.for('torchlings.check-failure');

export class CheckFailure extends Error {
  readonly [brand] = true;
  constructor(readonly lines: Text[]) {
    super(lines.map((l) => l.en).join('\n'));
    this.name = 'CheckFailure';
  }
}

/** Fails the running check with the given explanation, one Text per line. */
export function fail(...lines: Text[]): never {
  throw new CheckFailure(lines);
}

export function isCheckFailure(e: unknown): e is CheckFailure {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;
}
