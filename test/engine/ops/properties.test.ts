/** Algebraic properties of the engine, checked by fast-check on random shapes and values. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices, widestFloat } from '../../helpers/devices.ts';
import { expectCloseValues, expectTensor, values } from '../../helpers/assert.ts';
import {
  asFloat32,
  broadcastPairArb,
  permutationArb,
  randomRefArb,
  refArb,
  runs,
  shapeArb,
  tensorOf,
} from '../../helpers/arbitraries.ts';
import { size } from '../../helpers/reference.ts';

/** A factorisation of n into up to 3 sides (a random target shape for reshape). */
function factorArb(n: number): fc.Arbitrary<number[]> {
  const divisors = Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
  return fc.tuple(fc.constantFrom(...divisors), fc.boolean()).chain(([d, more]) => {
    const rest = n / d;
    if (!more || rest === 1) return fc.constant(rest === 1 ? [d] : [d, rest]);
    const ds = Array.from({ length: rest }, (_, i) => i + 1).filter((e) => rest % e === 0);
    return fc.constantFrom(...ds).map((e) => [d, e, rest / e]);
  });
}

describe.each(devices)('properties (%s)', (device) => {
  const dtype = widestFloat(device);
  const tol = dtype === 'float64' ? { atol: 1e-12, rtol: 1e-12 } : { atol: 1e-6, rtol: 1e-6 };
  it('a + b == b + a and a * b == b * a under broadcasting', async () => {
    await fc.assert(
      fc.asyncProperty(
        broadcastPairArb().chain(([sa, sb]) => fc.tuple(refArb(sa), refArb(sb))),
        async ([ra, rb]) => {
          const a = tensorOf(ra, { device });
          const b = tensorOf(rb, { device });
          expect(await values(a.add(b))).toEqual(await values(b.add(a)));
          expect(await values(a.mul(b))).toEqual(await values(b.mul(a)));
          expect(a.add(b).shape).toEqual(b.add(a).shape);
        },
      ),
      runs(30),
    );
  });

  it('(a - b) + b ≈ a and (a * b) / b ≈ a', async () => {
    await fc.assert(
      fc.asyncProperty(
        randomRefArb().chain((r) => fc.tuple(fc.constant(r), refArb(r.shape, { lo: 0.5, hi: 2 }))),
        async ([ra, rb]) => {
          // In the widest float the device has; float32 (WebGPU) rounds each op to 2⁻²⁴ relative.
          const a = tensorOf(ra, { device, dtype });
          const b = tensorOf(rb, { device, dtype });
          const want = dtype === 'float64' ? ra : asFloat32(ra);
          await expectTensor(a.sub(b).add(b), want, tol);
          await expectTensor(a.mul(b).div(b), want, tol);
        },
      ),
      runs(20),
    );
  });

  it('(a * b).sum() == a.dot(b) for 1-D', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }).chain((n) => fc.tuple(refArb([n]), refArb([n]))),
        async ([ra, rb]) => {
          const a = tensorOf(ra, { device });
          const b = tensorOf(rb, { device });
          expectCloseValues(await values(a.mul(b).sum()), await values(a.dot(b)), { atol: 1e-5, rtol: 1e-5 });
        },
      ),
      runs(30),
    );
  });

  it('softmax rows sum to 1 and are in [0, 1]', async () => {
    await fc.assert(
      fc.asyncProperty(randomRefArb({ minRank: 1, maxRank: 3 }, { lo: -30, hi: 30 }), async (r) => {
        const s = tensorOf(r, { device }).softmax(-1);
        const v = await values(s);
        expect(v.every((p) => p >= 0 && p <= 1)).toBe(true);
        expectCloseValues(await values(s.sum(-1)), new Array(size(r.shape.slice(0, -1))).fill(1), {
          atol: 1e-5,
          rtol: 0,
        });
      }),
      runs(30),
    );
  });

  it('logSoftmax == log(softmax) away from underflow', async () => {
    await fc.assert(
      fc.asyncProperty(randomRefArb({ minRank: 1, maxRank: 3 }, { lo: -5, hi: 5 }), fc.nat(), async (r, k) => {
        const t = tensorOf(r, { device });
        const dim = k % r.shape.length;
        await expectTensor(
          t.logSoftmax(dim),
          { shape: r.shape, data: await values(t.softmax(dim).log()) },
          { atol: 1e-5, rtol: 1e-5 },
        );
      }),
      runs(30),
    );
  });

  it('reshape ∘ reshape gives back the tensor, and keeps row-major order', async () => {
    await fc.assert(
      fc.asyncProperty(
        randomRefArb({ minRank: 1, maxRank: 3 }).chain((r) => fc.tuple(fc.constant(r), factorArb(size(r.shape)))),
        async ([r, target]) => {
          const t = tensorOf(r, { device });
          const y = t.reshape(target);
          expect(y.shape).toEqual(target);
          expect(await values(y)).toEqual(await values(t));
          const back = y.reshape(r.shape);
          expect(back.shape).toEqual(r.shape);
          expect(await values(back)).toEqual(await values(t));
        },
      ),
      runs(30),
    );
  });

  it('permute then inverse permute is the identity, and views share storage', async () => {
    await fc.assert(
      fc.asyncProperty(
        randomRefArb({ minRank: 1, maxRank: 4, maxSide: 3 }).chain((r) =>
          fc.tuple(fc.constant(r), permutationArb(r.shape.length)),
        ),
        async ([r, dims]) => {
          const t = tensorOf(r, { device });
          const inverse = new Array<number>(dims.length);
          dims.forEach((d, i) => (inverse[d] = i));
          const p = t.permute(dims);
          expect(p.storage).toBe(t.storage);
          const back = p.permute(inverse);
          expect(back.shape).toEqual(r.shape);
          expect(await values(back)).toEqual(await values(t));
          // A permuted view read through reshape (a copy when needed) keeps its values.
          expect(await values(p.reshape(-1))).toEqual(await values(p.contiguous()));
        },
      ),
      runs(30),
    );
  });

  it('transpose twice is the identity', async () => {
    await fc.assert(
      fc.asyncProperty(randomRefArb({ minRank: 2, maxRank: 4, maxSide: 3 }), fc.nat(), fc.nat(), async (r, i, j) => {
        const t = tensorOf(r, { device });
        const d0 = i % r.shape.length;
        const d1 = -1 - (j % r.shape.length);
        const tt = t.transpose(d0, d1).transpose(d0, d1);
        expect(tt.shape).toEqual(r.shape);
        expect(tt.strides).toEqual(t.strides);
        expect(await values(tt)).toEqual(await values(t));
      }),
      runs(30),
    );
  });

  it('view succeeds exactly when the layout allows, and then matches a contiguous copy', async () => {
    await fc.assert(
      fc.asyncProperty(
        shapeArb({ minRank: 2, maxRank: 3, maxSide: 3 }).chain((s) => fc.tuple(refArb(s), permutationArb(s.length))),
        async ([r, dims]) => {
          const p = tensorOf(r, { device }).permute(dims);
          const expected = await values(p.contiguous());
          for (const target of [[-1], [p.shape[0]!, -1], [...p.shape, 1], [1, ...p.shape]]) {
            let v: torch.Tensor;
            try {
              v = p.view(target);
            } catch (e) {
              expect((e as Error).message).toMatch(/view size is not compatible/);
              continue;
            }
            expect(v.storage).toBe(p.storage);
            expect(await values(v)).toEqual(expected);
          }
          // Adding or removing size-1 dims is always possible as a view.
          expect(p.unsqueeze(1).squeeze(1).storage).toBe(p.storage);
        },
      ),
      runs(30),
    );
  });

  it('matmul is associative within tolerance', async () => {
    const dims = fc.integer({ min: 1, max: 4 });
    await fc.assert(
      fc.asyncProperty(
        fc
          .tuple(dims, dims, dims, dims)
          .chain(([m, k, l, n]) => fc.tuple(refArb([m, k]), refArb([k, l]), refArb([l, n]))),
        async ([ra, rb, rc]) => {
          const [a, b, c] = [ra, rb, rc].map((r) => tensorOf(r, { device }));
          const left = await values(a!.matmul(b!).matmul(c!));
          expectCloseValues(left, await values(a!.matmul(b!.matmul(c!))), { atol: 1e-4, rtol: 1e-4 });
        },
      ),
      runs(30),
    );
  });

  it('expand then sumToSize multiplies by the repeat count', async () => {
    await fc.assert(
      fc.asyncProperty(
        broadcastPairArb({ maxSide: 3 }).chain(([s]) => refArb(s)),
        fc.integer({ min: 1, max: 3 }),
        async (r, k) => {
          const t = tensorOf(r, { device, dtype });
          const big = t.expand([k, ...r.shape]);
          const data = (dtype === 'float64' ? r : asFloat32(r)).data;
          await expectTensor(big.sumToSize(r.shape), { shape: r.shape, data: data.map((v) => v * k) }, tol);
        },
      ),
      runs(20),
    );
  });
});
