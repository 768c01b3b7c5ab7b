// Everything a grader file needs, in one import: `import { check, loadTarget, expectClose } from '#kit/grader'`.
export { afterChecks, check, type CheckContext } from './check.ts';
export type { CheckSpec } from './events.ts';
export { loadTarget } from './load.ts';
export { expectClose, expectEqual, expectGradClose, numericGrad, type CloseOptions } from './expect.ts';
export { fail } from './failure.ts';
export { attempt, pointingAt } from './learner.ts';
export { text, type Text } from './text.ts';
export type { Rng } from './rng.ts';
export type { TensorLike } from './values.ts';
