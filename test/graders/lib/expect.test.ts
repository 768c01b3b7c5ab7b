import { describe, expect, test } from 'vitest';
import { expectClose, expectEqual, expectGradClose, numericGrad } from '../../../graders/lib/expect.ts';
import { isCheckFailure, type CheckFailure } from '../../../graders/lib/failure.ts';

/** The CheckFailure a call throws, or undefined when it passes. */
async function failure(run: () => Promise<void>): Promise<CheckFailure | undefined> {
  try {
    await run();
    return undefined;
  } catch (e) {
    if (!isCheckFailure(e)) throw e;
    return e;
  }
}

const tensor = (shape: number[], data: unknown) => ({ shape, toArray: async () => data });

describe('expectClose', () => {
  test('passes within atol + rtol·|expected|, like torch.allclose', async () => {
    expect(await failure(() => expectClose([1, 2.000001], [1, 2], { atol: 1e-5 }))).toBeUndefined();
    expect(await failure(() => expectClose(100.0005, 100, { atol: 0, rtol: 1e-5 }))).toBeUndefined();
  });

  test('names the worst element, both values and the tolerance, in both languages', async () => {
    const f = await failure(() =>
      expectClose(
        tensor(
          [2, 2],
          [
            [1, 2],
            [3, 9],
          ],
        ),
        [
          [1, 2.5],
          [3, 4],
        ],
        { what: 'y', atol: 1e-5, rtol: 0 },
      ),
    );
    expect(f?.lines[0]?.en).toBe('max |got − expected| = 5 at y[1, 1] (tolerance 1e-5)');
    expect(f?.lines[0]?.ko).toBe('|결과 − 기대값| 최댓값 5, 위치 y[1, 1] (허용 오차 1e-5)');
    expect(f?.lines[1]?.en).toBe('got 9, expected 4');
    expect(f?.lines[2]?.en).toBe('got [1, 2, 3, 9]');
  });

  test('a shape mismatch is reported before any value', async () => {
    const f = await failure(() =>
      expectClose(
        tensor(
          [3, 2],
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
        ),
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        { what: 'x.T' },
      ),
    );
    expect(f?.lines[0]?.en).toBe('x.T: shape [2, 3] expected, got [3, 2]');
  });

  test('NaN never passes, and a missing return is called out', async () => {
    expect((await failure(() => expectClose([1, NaN], [1, 2])))?.lines[1]?.en).toBe('got NaN, expected 2');
    const f = await failure(() => expectClose(undefined, 3, { what: 'f(x)' }));
    expect(f?.lines.map((l) => l.en)).toEqual([
      'f(x): expected a number or tensor, got undefined',
      'did the function forget to return?',
    ]);
  });

  test('a grader bug (non-numeric expected value) is not blamed on the learner', async () => {
    await expect(expectClose(1, 'one')).rejects.toThrow(/grader bug/);
  });
});

test('expectGradClose speaks of analytic and numeric gradients, and carries a diagnosis', async () => {
  const f = await failure(() =>
    expectGradClose([1, 1], [2, 2], {
      what: 'x.grad',
      diagnose: () => ({ en: 'factor 2 missing', ko: '2 배가 빠졌습니다' }),
    }),
  );
  expect(f?.lines[0]?.en).toMatch(/^max \|analytic − numeric\| = 1 at x\.grad\[0\]/);
  expect(f?.lines.at(-1)?.ko).toBe('2 배가 빠졌습니다');
});

test('expectEqual is exact', async () => {
  expect(await failure(() => expectEqual(3, 3))).toBeUndefined();
  expect((await failure(() => expectEqual(3.0000001, 3, 'n')))?.lines[0]?.en).toMatch(/\(exact\)$/);
});

test('numericGrad matches the derivative of a smooth function', () => {
  const g = numericGrad((x) => x[0]! ** 3 + Math.sin(x[1]!), [2, 0.5]);
  expect(g[0]).toBeCloseTo(12, 5);
  expect(g[1]).toBeCloseTo(Math.cos(0.5), 5);
});

describe('expectClose names the JavaScript-shaped mistakes', () => {
  test('a float32 result at a float64 tolerance is a dtype mismatch', async () => {
    const f32 = { ...tensor([], Math.fround(1.7123456789)), dtype: 'float32' };
    const f = await failure(() => expectClose(f32, 1.7123456789, { what: 'f', atol: 1e-9, rtol: 1e-9 }));
    expect(f!.lines.map((l) => l.en).join('\n')).toContain('a dtype mismatch: your tensor is float32');
  });

  test('[n, n] where [n] was expected is a silent broadcast; a tensor where a number belongs says so', async () => {
    const wide = await failure(() =>
      expectClose(
        tensor(
          [3, 3],
          [
            [1, 1, 1],
            [1, 1, 1],
            [1, 1, 1],
          ],
        ),
        [1, 1, 1],
      ),
    );
    expect(wide!.lines.map((l) => l.en).join('\n')).toContain('a silent broadcast: [3] combined with [3, 1]');
    const boxed = await failure(() => expectClose(tensor([1, 1], [[2]]), 2, { what: 'weight' }));
    expect(boxed!.lines.map((l) => l.en).join('\n')).toContain('a tensor where a number is expected');
  });
});
