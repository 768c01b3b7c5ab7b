/** Assertions on tensors that say which element differs, by how much, and what was expected. */
import { expect } from 'vitest';
import type { Tensor } from '#engine';
import { fromNested, type Ref } from './reference.ts';

export interface Tolerance {
  atol?: number;
  rtol?: number;
}

/** Float32 arithmetic against a float64 reference. */
export const F32: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/** The tensor's values, row-major, as plain numbers. */
export async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.data(), Number);
}

function isClose(a: number, e: number, atol: number, rtol: number): boolean {
  if (Number.isNaN(e)) return Number.isNaN(a);
  if (!Number.isFinite(e)) return a === e;
  return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}

/** Flat values equal within tolerance (torch.testing.assert_close's rule: |a − e| ≤ atol + rtol·|e|). */
export function expectCloseValues(actual: readonly number[], expected: readonly number[], tol: Tolerance = F32): void {
  const { atol = 1e-5, rtol = 1e-4 } = tol;
  expect(actual.length, 'number of elements').toBe(expected.length);
  const bad = expected.findIndex((e, i) => !isClose(actual[i]!, e, atol, rtol));
  if (bad >= 0) {
    expect.fail(
      `element ${bad} differs: got ${actual[bad]}, expected ${expected[bad]} (|diff| ${Math.abs(actual[bad]! - expected[bad]!)}, atol ${atol}, rtol ${rtol})`,
    );
  }
}

/** A tensor equals a reference (or nested arrays) in shape and values, within tolerance. */
export async function expectTensor(t: Tensor, expected: Ref | unknown, tol: Tolerance = F32): Promise<void> {
  const ref = isRef(expected) ? expected : fromNested(expected);
  expect([...t.shape], 'shape').toEqual([...ref.shape]);
  expectCloseValues(await values(t), ref.data, tol);
}

/** Exact equality of shape and values (ints, bools, exactly representable floats). */
export async function expectExact(t: Tensor, expected: unknown): Promise<void> {
  expect(await t.toArray()).toEqual(expected);
}

/**
 * An out-of-range index fails with `message`. The CPU throws at the op; a GPU kernel cannot throw,
 * so the WebGPU backend records the index and throws at the next read (as CUDA reports a device-side
 * assert at the next synchronization). Either way the error must come, and a read after it works.
 */
export async function expectIndexError(op: () => Tensor, message: string): Promise<void> {
  let out: Tensor | undefined;
  try {
    out = op();
  } catch (error) {
    expect((error as Error).message).toContain(message);
    return;
  }
  expect(out.device, 'only a GPU backend may defer the error to the read').not.toBe('cpu');
  await expect(out.data()).rejects.toThrow(message);
  // The fault is reported once: the device goes on working.
  expect(Array.from(await out.add(0).data()).length).toBe(out.numel());
}

function isRef(x: unknown): x is Ref {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'shape' in x && 'data' in x;
}
