/** What graders need to know about the engine's tensors when a learner hands one back. */
import * as torch from '#engine';
import { fail } from './failure.ts';
import { text } from './text.ts';

export function isTensor(v: unknown): v is torch.Tensor {
  return v instanceof torch.Tensor;
}

/** The flat values of a tensor the learner returned, or a failure that says what came instead. */
export async function valuesOf(v: unknown, what: string): Promise<number[]> {
  if (!isTensor(v)) {
    const got = v === undefined ? 'undefined' : v === null ? 'null' : typeof v;
    fail(text(`${what}: expected a tensor, got ${got}`, `${what}: 텐서가 와야 하는데 ${got} 입니다`));
  }
  return Array.from(await v.data(), Number);
}

/** Where the engine's own losses (functional.mseLoss, crossEntropy, …, and the nn modules calling them) live. */
export const ENGINE_LOSSES = /[\\/]engine[\\/]nn[\\/]functional[\\/]loss\.ts/;
/** Where the engine's optimizers live: torch.optim.SGD and the others. */
export const ENGINE_OPTIMIZERS = /[\\/]engine[\\/]optim[\\/]/;

/**
 * Runs `f` and says whether code of the engine's files `from` called `method` on one of `tensors`
 * inside it: how a grader tells a step "written by hand" from a call to the engine's own. mseLoss
 * starts with `input.sub(target)`, crossEntropy with `input.logSoftmax(dim)`, optim.SGD's step updates
 * with `p.add_(…)`. The tensors get a `method` of their own for the call (the engine's prototypes are
 * frozen while grading), which looks at its caller's file.
 */
export function callsEngine<T>(
  tensors: torch.Tensor[],
  method: 'sub' | 'logSoftmax' | 'add_',
  from: RegExp,
  f: () => T,
): { value: T; engine: boolean } {
  const original = torch.Tensor.prototype[method] as (...args: unknown[]) => torch.Tensor;
  let engine = false;
  const traced = Object.create(torch.Tensor.prototype, {
    [method]: {
      value(this: torch.Tensor, ...args: unknown[]) {
        engine ||= from.test(new Error().stack ?? '');
        return original.apply(this, args);
      },
    },
  });
  for (const t of tensors) Object.setPrototypeOf(t, traced);
  try {
    return { value: f(), engine };
  } finally {
    for (const t of tensors) Object.setPrototypeOf(t, torch.Tensor.prototype);
  }
}
