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
