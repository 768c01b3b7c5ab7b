/**
 * Reading the PyTorch fixtures (test/fixtures/pytorch/*.json, written by fixture.py's `case`) and
 * comparing the engine's tensors with them: shared by the conformance suites.
 */
import { expect } from 'vitest';
import * as torch from '#engine';
import type { Device, Tensor } from '#engine';

export type Encoded = { shape: number[]; dtype: string; data: (number | string)[] };
export type Case = { inputs: Encoded[]; outputs: Encoded[]; grads?: (Encoded | null)[] };

export const number = (v: number | string): number =>
  typeof v === 'number' ? v : Number(v.replace('inf', 'Infinity'));

/** PyTorch's int64 indices are the kit's int32 (API.md: JavaScript has no cheap int64). */
export const DTYPES: Record<string, torch.DType> = {
  float32: 'float32',
  float64: 'float64',
  int64: 'int32',
  bool: 'bool',
};

export function decode(e: Encoded, device: Device, requiresGrad: boolean): Tensor {
  const dtype = DTYPES[e.dtype];
  if (!dtype) throw new Error(`fixture: no kit dtype for ${e.dtype}`);
  const data = e.data.map(number);
  const t = torch.tensor(data, { dtype, device }).reshape(e.shape);
  return requiresGrad && (dtype === 'float32' || dtype === 'float64') ? t.detach().requiresGrad_() : t;
}

/**
 * float32 arithmetic in another order than PyTorch's: a few ulps of each element (rtol), and a few
 * ulps of the tensor's largest element (atol, scaled by it) where a sum cancels to near zero.
 */
export const TOLERANCE = { rtol: 2e-5, atol: 1e-6 };

export async function expectMatches(got: Tensor, want: Encoded, what: string, tolerance = TOLERANCE): Promise<void> {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  expect(got.dtype, `${what}: dtype (PyTorch's ${want.dtype})`).toBe(DTYPES[want.dtype]);
  const values = Array.from(await got.data(), Number);
  const expected = want.data.map(number);
  const exact = want.dtype === 'int64' || want.dtype === 'bool';
  const scale = Math.max(1, ...expected.filter(Number.isFinite).map(Math.abs));
  const bad = expected.flatMap((e, i) => {
    const g = values[i]!;
    if (exact || !Number.isFinite(e))
      return Object.is(g, e) || g === e || (Number.isNaN(e) && Number.isNaN(g)) ? [] : [i];
    return Math.abs(g - e) <= tolerance.atol * scale + tolerance.rtol * Math.abs(e) ? [] : [i];
  });
  expect(
    bad.map((i) => `[${i}] got ${values[i]}, PyTorch ${expected[i]}`),
    `${what}: elements that differ from PyTorch's`,
  ).toEqual([]);
}

/** The upstream gradient fixture.py's `ramp` makes: n values from −1 to 1 (one 1 when n = 1). */
export function ramp(out: Tensor): Tensor {
  const n = out.numel();
  const r = n > 1 ? torch.linspace(-1, 1, n, { device: out.device }) : torch.ones(1, { device: out.device });
  return r.to(out.dtype).reshape(out.shape);
}

export type Out = Tensor | readonly Tensor[];

/**
 * Runs `op` on the case's inputs (leaves requiring grad where PyTorch recorded gradients) and checks
 * its outputs and, where recorded, the inputs' gradients of sum(output · ramp). An op may return a
 * promise (the kit's value-dependent ops, awaited where PyTorch's return at once).
 */
export async function checkCase(
  c: Case,
  op: (...xs: Tensor[]) => Out | Promise<Out>,
  device: Device,
  tolerance = TOLERANCE,
): Promise<void> {
  const withGrad = c.grads !== undefined;
  const inputs = c.inputs.map((e) => decode(e, device, withGrad));
  const out = await op(...inputs);
  const outs: Tensor[] = out instanceof torch.Tensor ? [out] : [...out];
  expect(outs.length, 'outputs').toBe(c.outputs.length);
  for (const [i, o] of outs.entries()) await expectMatches(o, c.outputs[i]!, `output ${i}`, tolerance);
  if (!withGrad) return;
  outs[0]!.mul(ramp(outs[0]!)).sum().backward();
  for (const [i, g] of c.grads!.entries()) {
    if (g === null) expect(inputs[i]!.grad, `input ${i} has no gradient in PyTorch`).toBeNull();
    else await expectMatches(inputs[i]!.grad!, g, `gradient of input ${i}`, tolerance);
  }
}
