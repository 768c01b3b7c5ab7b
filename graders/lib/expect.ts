import { fail } from './failure.ts';
import { isThenable } from './slips.ts';
import { text, type Text } from './text.ts';
import { flatten, fmt, fmtShape, fmtValues, isTensorLike, unravel, type Flat } from './values.ts';

export interface CloseOptions {
  /** What is compared, as the learner would name it: 'y', 'x.grad', 'loss'. */
  what?: string;
  atol?: number;
  rtol?: number;
  /** A grader's guess at the mistake, given both value lists: 'the gradient equals σ(x) itself'. */
  diagnose?: (got: number[], expected: number[]) => Text | undefined;
}

/** Words for the two sides: a value check says got/expected, a gradient check analytic/numeric. */
interface Sides {
  got: Text;
  expected: Text;
}
const VALUE: Sides = { got: text('got', '결과'), expected: text('expected', '기대값') };
const GRADIENT: Sides = { got: text('analytic', '해석적'), expected: text('numeric', '수치적') };

/** Passes when |got − expected| ≤ atol + rtol·|expected| everywhere (torch.allclose) and the shapes agree. */
export async function expectClose(actual: unknown, expected: unknown, opts: CloseOptions = {}): Promise<void> {
  await compare(actual, expected, opts, VALUE);
}

/** expectClose worded for gradients: `analytic` is what backward() gave, `numeric` a finite-difference estimate. */
export async function expectGradClose(analytic: unknown, numeric: unknown, opts: CloseOptions = {}): Promise<void> {
  await compare(analytic, numeric, { atol: 1e-4, rtol: 1e-3, ...opts }, GRADIENT);
}

/** Exact equality, for shapes, integer results, labels. */
export async function expectEqual(actual: unknown, expected: unknown, what = 'result'): Promise<void> {
  await compare(actual, expected, { what, atol: 0, rtol: 0 }, VALUE);
}

/** Central differences of a scalar function of a flat list: the reference a gradient is checked against. */
export function numericGrad(f: (x: number[]) => number, x: readonly number[], eps = 1e-6): number[] {
  return x.map((_, i) => {
    const plus = [...x];
    const minus = [...x];
    plus[i]! += eps;
    minus[i]! -= eps;
    return (f(plus) - f(minus)) / (2 * eps);
  });
}

async function compare(actual: unknown, expected: unknown, opts: CloseOptions, sides: Sides): Promise<void> {
  const what = opts.what ?? 'result';
  const { atol = 1e-5, rtol = 1e-5 } = opts;
  const want = await flatten(expected);
  if (!want) throw new Error(`grader bug: expected value for ${what} is not numeric`);
  const got = await flatten(actual);
  if (!got) {
    const desc = describe(actual);
    fail(
      text(`${what}: expected a number or tensor, got ${desc}`, `${what}: 숫자나 텐서가 와야 하는데 ${desc} 입니다`),
      ...(actual === undefined ? [text('did the function forget to return?', '함수가 값을 return 하나요?')] : []),
    );
  }
  if (got.shape.join() !== want.shape.join()) {
    const [g, w] = [fmtShape(got.shape), fmtShape(want.shape)];
    fail(
      text(`${what}: shape ${w} expected, got ${g}`, `${what}: 모양이 ${w} 이어야 하는데 ${g} 입니다`),
      ...shapeDiagnosis(got.shape, want.shape, isTensorLike(actual) && !isTensorLike(expected)),
    );
  }
  const worst = worstMismatch(got, want, atol, rtol);
  if (worst === undefined) return;
  fail(
    ...explain(got, want, worst, { what, atol, rtol, diagnose: opts.diagnose }, sides),
    ...dtypeDiagnosis(actual, got, want, rtol),
  );
}

/** What a wrong shape most often means: a tensor where a number belongs, or a broadcast nobody meant. */
function shapeDiagnosis(got: number[], want: number[], tensorForNumber: boolean): Text[] {
  const n = want.reduce((a, b) => a * b, 1);
  if (want.length === 0 && tensorForNumber)
    return [
      text(
        'a tensor where a number is expected: read its value with `await t.item()`',
        '숫자가 와야 할 자리에 텐서가 왔습니다: `await t.item()` 으로 값을 읽으세요',
      ),
    ];
  if (n > 1 && got.length === 2 && got[0] === n && got[1] === n && want.length <= 2)
    return [
      text(
        `a silent broadcast: [${n}] combined with [${n}, 1] gives [${n}, ${n}]; make both the same shape first (view, unsqueeze, squeeze)`,
        `의도하지 않은 브로드캐스팅: [${n}] 과 [${n}, 1] 을 계산하면 [${n}, ${n}] 이 됩니다. 먼저 두 모양을 같게 만드세요 (view, unsqueeze, squeeze)`,
      ),
    ];
  return [];
}

/** A float32 tensor compared at a float64 tolerance: off by rounding only, which is a dtype mismatch. */
function dtypeDiagnosis(actual: unknown, got: Flat, want: Flat, rtol: number): Text[] {
  const dtype = (actual as { dtype?: unknown } | null)?.dtype;
  if (dtype !== 'float32' || rtol >= 1e-6) return [];
  const rounding = got.values.every(
    (g, i) => Math.abs(g - want.values[i]!) <= 1e-6 * Math.max(1, Math.abs(want.values[i]!)),
  );
  return rounding
    ? [
        text(
          "a dtype mismatch: your tensor is float32 (about 7 digits) where float64 is asked; create it with { dtype: 'float64' }",
          "dtype 이 다릅니다: float64 가 필요한데 텐서가 float32 (약 7자리) 입니다. { dtype: 'float64' } 로 만드세요",
        ),
      ]
    : [];
}

/** Position of the largest |Δ| among the elements out of tolerance; NaN counts as out. */
function worstMismatch(got: Flat, want: Flat, atol: number, rtol: number): number | undefined {
  let worst: number | undefined;
  let worstDelta = -1;
  got.values.forEach((g, i) => {
    const e = want.values[i]!;
    const delta = Number.isNaN(g) || Number.isNaN(e) ? Infinity : Math.abs(g - e);
    if (delta <= atol + rtol * Math.abs(e) || g === e) return;
    if (delta > worstDelta) [worst, worstDelta] = [i, delta];
  });
  return worst;
}

function explain(
  got: Flat,
  want: Flat,
  i: number,
  opts: Required<Pick<CloseOptions, 'what' | 'atol' | 'rtol'>> & CloseOptions,
  sides: Sides,
): Text[] {
  const { what, atol, rtol } = opts;
  const [g, e] = [got.values[i]!, want.values[i]!];
  const at = got.shape.length === 0 ? what : `${what}[${unravel(i, got.shape).join(', ')}]`;
  const tol =
    atol === 0 && rtol === 0
      ? text('exact', '정확히 일치')
      : text(`tolerance ${tolerance(atol, rtol)}`, `허용 오차 ${tolerance(atol, rtol)}`);
  const delta = fmt(Math.abs(g - e));
  const lines: Text[] = [
    text(
      `max |${sides.got.en} − ${sides.expected.en}| = ${delta} at ${at} (${tol.en})`,
      `|${sides.got.ko} − ${sides.expected.ko}| 최댓값 ${delta}, 위치 ${at} (${tol.ko})`,
    ),
    text(
      `${sides.got.en} ${fmt(g)}, ${sides.expected.en} ${fmt(e)}`,
      `${sides.got.ko} ${fmt(g)}, ${sides.expected.ko} ${fmt(e)}`,
    ),
  ];
  if (got.values.length > 1 && got.values.length <= 8) {
    lines.push(text(`${sides.got.en} ${fmtValues(got.values)}`, `${sides.got.ko} ${fmtValues(got.values)}`));
    lines.push(
      text(`${sides.expected.en} ${fmtValues(want.values)}`, `${sides.expected.ko} ${fmtValues(want.values)}`),
    );
  }
  const guess = opts.diagnose?.(got.values, want.values);
  if (guess) lines.push(guess);
  return lines;
}

const tolerance = (atol: number, rtol: number): string =>
  rtol === 0 ? fmt(atol) : atol === 0 ? `rtol ${fmt(rtol)}` : `${fmt(atol)} + ${fmt(rtol)}·|x|`;

function describe(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  if (typeof v === 'string') return `the string ${JSON.stringify(v.slice(0, 40))}`;
  if (isThenable(v)) return 'a Promise';
  if (Array.isArray(v)) return v.some(isThenable) ? 'an array holding Promises' : 'a ragged or non-numeric array';
  if (typeof v === 'object') return v.constructor?.name ?? 'an object';
  return typeof v;
}
