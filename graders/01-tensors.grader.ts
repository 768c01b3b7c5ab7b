// Grades exercises/01-tensors/tensors.ts. Every expected value is worked out here in plain JavaScript
// (float64), never by the engine op the learner is meant to call, so a check cannot agree with a
// mistake that the engine and the learner share.
import * as torch from '#engine';
import { attempt, check, pointingAt, expectClose, fail, loadTarget, text } from '#kit/grader';
import { isTensor, valuesOf } from '#kit/tensors';
import { isTodo } from '#kit/todo';

type Tensors = typeof import('../exercises/01-tensors/tensors.ts');
const target = () => loadTarget<Tensors>('01-tensors', 'tensors.ts');
const graded = pointingAt('01-tensors', 'tensors.ts');

// ---- plain-JS references and small helpers -------------------------------------------------------

const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const mean = (xs: readonly number[]): number => sum(xs) / xs.length;
/** Standard deviation with divisor n − correction: correction 1 is torch.std's default. */
const stdev = (xs: readonly number[], correction: number): number => {
  const m = mean(xs);
  return Math.sqrt(sum(xs.map((v) => (v - m) ** 2)) / (xs.length - correction));
};
const near = (got: readonly number[], want: readonly number[], tol = 1e-5): boolean =>
  got.length === want.length && got.every((g, i) => Math.abs(g - want[i]!) <= tol * (1 + Math.abs(want[i]!)));

/** Rows of a row-major [n, d] list. */
const rows = (values: readonly number[], d: number): number[][] =>
  Array.from({ length: values.length / d }, (_, i) => values.slice(i * d, (i + 1) * d));
const columns = (values: readonly number[], d: number): number[][] =>
  Array.from({ length: d }, (_, j) => values.filter((_, k) => k % d === j));

const firstLine = (e: Error): string => e.message.split('\n')[0]!;

// ---- practice problem 1 --------------------------------------------------------------------------

/** Each check that uses `practice` gets its own generator seed, so no check depends on another's draws. */
const generatorSeed = (seed: number): number => seed % 2 ** 31;

check(
  {
    id: 'practice-random',
    points: 1,
    title: text('practice: x = randn(3, 4) from the given generator', 'practice: x 는 주어진 생성기의 randn(3, 4)'),
    hint: text(
      'torch.randn(3, 4, { generator }): pass the generator, or the global stream is used.',
      'torch.randn(3, 4, { generator }): 생성기를 넘기지 않으면 전역 난수 흐름을 씁니다.',
    ),
    guide: '§2.1',
  },
  graded('practice', async ({ seed }) => {
    const { practice } = await target();
    const { x } = practice(new torch.Generator(generatorSeed(seed)));
    // The reference draws straight from a fresh generator with the same seed: randn's values are the
    // generator's normal() draws in order, rounded to float32.
    const g = new torch.Generator(generatorSeed(seed));
    const expected = Array.from({ length: 12 }, () => Math.fround(g.normal()));
    const got = await valuesOf(x, 'x');
    if (x.dtype !== 'float32')
      fail(text(`x: dtype float32 expected, got ${x.dtype}`, `x: dtype 이 float32 이어야 하는데 ${x.dtype} 입니다`));
    await expectClose(x, rows(expected, 4), {
      what: 'x',
      atol: 1e-7,
      rtol: 0,
      diagnose: () => {
        if (got.every((v) => v >= 0 && v < 1)) {
          return text(
            'every value lies in [0, 1): torch.rand is uniform; standard normal values come from torch.randn',
            '모든 값이 [0, 1) 에 있습니다: torch.rand 는 균등분포입니다. 표준정규 난수는 torch.randn 입니다',
          );
        }
        return text(
          "these are not the generator's first 12 normal draws: pass it as torch.randn(3, 4, { generator })",
          '생성기의 처음 12 개 정규 난수가 아닙니다: torch.randn(3, 4, { generator }) 처럼 생성기를 넘기세요',
        );
      },
    });
  }),
);

/** The learner's x, when it is a 3×4 tensor; the statistics checks grade against it, right or wrong. */
async function practiceX(x: unknown): Promise<number[]> {
  const values = await valuesOf(x, 'x');
  const shape = (x as torch.Tensor).shape;
  if (shapeStr(shape) !== '[3, 4]')
    fail(
      text(
        `x: shape [3, 4] expected, got ${shapeStr(shape)}`,
        `x: 모양이 [3, 4] 이어야 하는데 ${shapeStr(shape)} 입니다`,
      ),
    );
  return values;
}

check(
  {
    id: 'practice-row-sums',
    points: 1,
    title: text('practice: rowSums holds one sum per row', 'practice: rowSums 는 행마다 합 하나'),
    hint: text(
      'Reducing over dim 1 removes dim 1: x.sum(1) has one value per row, shape [3].',
      'dim 1 로 합하면 1번 차원이 사라집니다: x.sum(1) 은 행마다 하나, 모양 [3] 입니다.',
    ),
    guide: '§2.4',
  },
  graded('practice', async ({ seed }) => {
    const { practice } = await target();
    const { x, rowSums } = practice(new torch.Generator(generatorSeed(seed)));
    const values = await practiceX(x);
    const expected = rows(values, 4).map(sum);
    if (isTensor(rowSums) && shapeStr(rowSums.shape) === '[4]') {
      fail(
        text('rowSums: shape [3] expected, got [4]', 'rowSums: 모양이 [3] 이어야 하는데 [4] 입니다'),
        text(
          'that is one sum per column: x.sum(0) removes dim 0 (the rows); the row sums are x.sum(1)',
          '열마다 하나인 합입니다: x.sum(0) 은 0번 차원(행)을 없앱니다. 행별 합은 x.sum(1) 입니다',
        ),
      );
    }
    await expectClose(rowSums, expected, { what: 'rowSums', atol: 1e-5, rtol: 1e-5 });
  }),
);

check(
  {
    id: 'practice-mean-std',
    points: 2,
    title: text('practice: mean and std of x (std as torch.std)', 'practice: x 의 평균과 표준편차 (torch.std 처럼)'),
    hint: text(
      'x.mean() and x.std() with no dim reduce over every element; torch.std divides by n − 1.',
      'dim 없이 x.mean(), x.std() 는 모든 원소를 모읍니다. torch.std 는 n − 1 로 나눕니다.',
    ),
    guide: '§2.4',
  },
  graded('practice', async ({ seed }) => {
    const { practice } = await target();
    const { x, mean: m, std: s } = practice(new torch.Generator(generatorSeed(seed)));
    const values = await practiceX(x);
    await expectClose(m, mean(values), { what: 'mean', atol: 1e-5, rtol: 1e-5 });
    const unbiased = stdev(values, 1);
    await expectClose(s, unbiased, {
      what: 'std',
      atol: 1e-5,
      rtol: 1e-5,
      diagnose: ([got]) => {
        if (near([got!], [stdev(values, 0)])) {
          return text(
            'std divides by n; torch.std divides by n − 1 (unbiased, the default)',
            'std 를 n 으로 나눴습니다. torch.std 는 n − 1 로 나눕니다 (불편 추정, 기본값)',
          );
        }
        if (near([got!], [unbiased ** 2]))
          return text('that is the variance: std is its square root', '분산입니다: 표준편차는 그 제곱근입니다');
        return undefined;
      },
    });
  }),
);

// ---- creation functions --------------------------------------------------------------------------

check(
  {
    id: 'creations',
    points: 1,
    title: text('creations(n): right shapes, dtypes and values', 'creations(n): 모양, dtype, 값이 맞는가'),
    hint: text(
      "dtype goes in the last options object: torch.ones(n, { dtype: 'int32' }); arange excludes its end, linspace includes it.",
      "dtype 은 마지막 옵션 객체로: torch.ones(n, { dtype: 'int32' }). arange 는 끝을 제외, linspace 는 포함합니다.",
    ),
    guide: '§2.1',
  },
  graded('creations', async ({ rng }) => {
    const { creations } = await target();
    const n = rng.int(3, 10);
    const made = creations(n);
    const range = (k: number, f: (i: number) => number) => Array.from({ length: k }, (_, i) => f(i));
    const wanted: Record<keyof typeof made, { shape: number[]; dtype: torch.DType; values: number[]; call: string }> = {
      zeros: { shape: [n, 3], dtype: 'float32', values: range(3 * n, () => 0), call: `torch.zeros(${n}, 3)` },
      ones: { shape: [n], dtype: 'int32', values: range(n, () => 1), call: `torch.ones(${n}, { dtype: 'int32' })` },
      evens: { shape: [n], dtype: 'int32', values: range(n, (i) => 2 * i), call: `torch.arange(0, ${2 * n}, 2)` },
      grid: {
        shape: [n],
        dtype: 'float64',
        values: range(n, (i) => i / (n - 1)),
        call: `torch.linspace(0, 1, ${n}, { dtype: 'float64' })`,
      },
      identity: {
        shape: [n, n],
        dtype: 'float32',
        values: range(n * n, (k) => (Math.floor(k / n) === k % n ? 1 : 0)),
        call: `torch.eye(${n})`,
      },
      halves: { shape: [2, n], dtype: 'float32', values: range(2 * n, () => 0.5), call: `torch.full([2, ${n}], 0.5)` },
    };
    for (const [name, want] of Object.entries(wanted)) {
      const what = `creations(${n}).${name}`;
      const got = (made as unknown as Record<string, unknown>)[name];
      const values = await valuesOf(got, what);
      const t = got as torch.Tensor;
      const like = text(`PyTorch: ${want.call}`, `PyTorch 로는 ${want.call}`);
      if (shapeStr(t.shape) !== shapeStr(want.shape)) {
        fail(
          text(
            `${what}: shape ${shapeStr(want.shape)} expected, got ${shapeStr(t.shape)}`,
            `${what}: 모양이 ${shapeStr(want.shape)} 이어야 하는데 ${shapeStr(t.shape)} 입니다`,
          ),
          like,
        );
      }
      if (t.dtype !== want.dtype) {
        fail(
          text(
            `${what}: dtype ${want.dtype} expected, got ${t.dtype}`,
            `${what}: dtype 이 ${want.dtype} 이어야 하는데 ${t.dtype} 입니다`,
          ),
          like,
        );
      }
      await expectClose(values, want.values, {
        what,
        atol: 1e-6,
        rtol: 0,
        diagnose: (g) =>
          name === 'grid' &&
          near(
            g,
            range(n, (i) => i / n),
          )
            ? text(
                'the last value is not 1: linspace includes its end (n values from 0 to 1); arange(0, 1, 1/n) stops before it',
                '마지막 값이 1 이 아닙니다: linspace 는 끝을 포함합니다 (0 부터 1 까지 n 개). arange(0, 1, 1/n) 은 끝 앞에서 멈춥니다',
              )
            : undefined,
      });
    }
  }),
);

// ---- views ---------------------------------------------------------------------------------------

check(
  {
    id: 'view-batch',
    points: 2,
    title: text(
      'flattenBatch: [B, 1, 28, 28] → [B, 784] as a view, any B',
      'flattenBatch: [B, 1, 28, 28] → [B, 784] 뷰, 모든 B',
    ),
    hint: text(
      'x.view(x.shape[0], -1): read the batch size from x; view never copies.',
      'x.view(x.shape[0], -1): 배치 크기는 x 에서 읽으세요. view 는 복사하지 않습니다.',
    ),
    guide: '§2.2',
  },
  graded('flattenBatch', async ({ seed, rng }) => {
    const { flattenBatch } = await target();
    const g = new torch.Generator(generatorSeed(seed));
    // 64 as in the guide, 32 as the last batch of an MNIST epoch (60000 = 937·64 + 32), 1, and a random size.
    for (const B of [64, 32, 1, rng.int(2, 17)]) {
      const x = torch.randn([B, 1, 28, 28], { generator: g });
      const what = `flattenBatch(x), x: [${B}, 1, 28, 28]`;
      const y = attempt(
        () => flattenBatch(x),
        (e) => [
          text(`${what} threw: ${firstLine(e)}`, `${what} 에서 예외가 발생했습니다: ${firstLine(e)}`),
          ...(B !== 64 && /\b64\b/.test(e.message)
            ? [
                text(
                  'is the batch size written as 64? Read it from the tensor, x.shape[0]: the last batch is smaller',
                  '배치 크기를 64 로 적었나요? 텐서에서 x.shape[0] 으로 읽으세요: 마지막 배치는 더 작습니다',
                ),
              ]
            : []),
        ],
      );
      const values = await valuesOf(y, what);
      if (shapeStr(y.shape) !== shapeStr([B, 784])) {
        fail(
          text(
            `${what}: shape [${B}, 784] expected, got ${shapeStr(y.shape)}`,
            `${what}: 모양이 [${B}, 784] 이어야 하는데 ${shapeStr(y.shape)} 입니다`,
          ),
        );
      }
      // Row-major order is kept: element (b, k) of the view is the k-th value of image b.
      const source = await x.data();
      if (values.some((v, k) => v !== source[k]))
        await expectClose(values, Array.from(source, Number), { what, atol: 0, rtol: 0 });
      // PyTorch: y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
      if (y.storage !== x.storage) {
        fail(
          text(
            `${what}: the values are right but live in new memory: a copy, not a view of x`,
            `${what}: 값은 맞지만 새 메모리에 있습니다: x 의 뷰가 아니라 복사본입니다`,
          ),
          text(
            "you copied instead of viewing (clone, contiguous copy or torch.tensor); x.view(...) reuses x's storage",
            '뷰 대신 복사했습니다 (clone, 복사, torch.tensor). x.view(...) 는 x 의 저장소를 그대로 씁니다',
          ),
        );
      }
    }
  }),
);

// ---- broadcasting --------------------------------------------------------------------------------

/** The reference rule, written differently from the solution: reverse both shapes and walk them together. */
function broadcastRef(a: readonly number[], b: readonly number[]): number[] | undefined {
  const [ra, rb] = [[...a].reverse(), [...b].reverse()];
  const out: number[] = [];
  for (let i = 0; i < Math.max(ra.length, rb.length); i++) {
    const [x, y] = [ra[i] ?? 1, rb[i] ?? 1];
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x); // not Math.max: a 1 stretches to 0 too ([0] with [1] is [0])
  }
  return out.reverse();
}

/** The classic misreading: shapes aligned on the left, padded with 1s on the right. */
function broadcastLeft(a: readonly number[], b: readonly number[]): number[] | undefined {
  const pad = (s: readonly number[], n: number) => [...s, ...Array<number>(n - s.length).fill(1)];
  const n = Math.max(a.length, b.length);
  return broadcastRef(pad(a, n), pad(b, n));
}

const leftAlignedNote = text(
  'you aligned the shapes on the left; broadcasting aligns them on the right (trailing dimensions) and pads with 1s on the left',
  '모양을 왼쪽에 맞췄습니다. 브로드캐스팅은 오른쪽 끝(뒤쪽 차원)에 맞추고, 모자란 앞쪽을 1 로 채웁니다',
);

/** Random compatible pairs: a result shape, then each side drops some leading dims and sets some sizes to 1. */
function randomCompatible(rng: { int(lo: number, hi: number): number; next(): number }): [number[], number[]] {
  const out = Array.from({ length: rng.int(1, 5) }, () => rng.int(2, 7));
  const side = () => out.slice(rng.int(0, out.length)).map((s) => (rng.next() < 0.35 ? 1 : s));
  return [side(), side()];
}

check(
  {
    id: 'broadcast-shape',
    points: 1,
    title: text('broadcastShape: align right; sizes equal or 1', 'broadcastShape: 오른쪽 정렬, 크기는 같거나 1'),
    hint: text(
      'Walk the dimensions from the right end; a missing dimension counts as 1; keep the size that is not 1 (even 0).',
      '오른쪽 끝에서부터 차원을 비교하세요. 없는 차원은 1 로 보고, 1 이 아닌 쪽 크기를 씁니다 (0 이라도).',
    ),
    guide: '§2.3',
  },
  graded('broadcastShape', async ({ rng }) => {
    const { broadcastShape } = await target();
    const cases: [number[], number[]][] = [
      [[64, 784], [784]],
      [
        [3, 1],
        [1, 4],
      ],
      [
        [8, 1, 6, 1],
        [7, 1, 5],
      ],
      [[2, 3], []],
      [[4, 1], [4]],
      [[5], [3, 1, 5]],
      [[], []],
      // Size 0 is a size like any other: a 1 stretches to it.
      [[0], [1]],
      [
        [2, 1],
        [1, 0],
      ],
      ...Array.from({ length: 20 }, () => randomCompatible(rng)),
    ];
    for (const [a, b] of cases) {
      const want = broadcastRef(a, b)!;
      const call = `broadcastShape(${shapeStr(a)}, ${shapeStr(b)})`;
      const left = broadcastLeft(a, b);
      const got = attempt(
        () => broadcastShape(a, b),
        (e) => [
          text(
            `${call} threw "${firstLine(e)}", but these shapes broadcast to ${shapeStr(want)}`,
            `${call} 에서 예외 "${firstLine(e)}" 가 발생했지만, 이 두 모양은 ${shapeStr(want)} 로 브로드캐스팅됩니다`,
          ),
          ...(left === undefined ? [leftAlignedNote] : []),
        ],
      );
      if (!Array.isArray(got) || got.length !== want.length || got.some((v, i) => v !== want[i])) {
        const shown = Array.isArray(got) ? shapeStr(got) : String(got);
        fail(
          text(
            `${call}: expected ${shapeStr(want)}, got ${shown}`,
            `${call}: 결과가 ${shapeStr(want)} 이어야 하는데 ${shown} 입니다`,
          ),
          ...(left && Array.isArray(got) && shapeStr(got) === shapeStr(left) ? [leftAlignedNote] : []),
          ...(want.includes(0) &&
          Array.isArray(got) &&
          shapeStr(got) ===
            shapeStr(want.map((_, i) => Math.max(a.at(i - want.length) ?? 1, b.at(i - want.length) ?? 1)))
            ? [
                text(
                  'a size 1 stretches to the other size, even to 0: keep the size that is not 1, not the larger one (Math.max)',
                  '크기 1 은 상대 크기로 늘어납니다. 0 으로도요: 큰 쪽(Math.max)이 아니라 1 이 아닌 쪽 크기를 쓰세요',
                ),
              ]
            : []),
        );
      }
    }
  }),
);

check(
  {
    id: 'broadcast-error',
    points: 1,
    title: text(
      'broadcastShape: a clear error for incompatible shapes',
      'broadcastShape: 맞지 않는 모양에 분명한 오류',
    ),
    hint: text(
      'When two sizes differ and neither is 1, throw new Error(...) with both sizes, as PyTorch does.',
      '두 크기가 다르고 어느 쪽도 1 이 아니면, PyTorch 처럼 두 크기를 담아 throw new Error(...) 하세요.',
    ),
    guide: '§2.3',
  },
  graded('broadcastShape', async ({ rng }) => {
    const { broadcastShape } = await target();
    const cases: [number[], number[], number, number][] = [
      [[2, 3], [2], 3, 2],
      [[64, 10], [64], 10, 64],
      [[4, 3, 2], [5, 1], 3, 5],
    ];
    const [p, q] = [rng.int(2, 6), rng.int(6, 10)]; // p ≠ q, neither 1
    cases.push([[rng.int(2, 5), p, 3], [q, 3], p, q]);
    for (const [a, b, da, db] of cases) {
      const call = `broadcastShape(${shapeStr(a)}, ${shapeStr(b)})`;
      let thrown: unknown;
      let got: unknown;
      try {
        got = broadcastShape(a, b);
      } catch (e) {
        if (isTodo(e)) throw e;
        thrown = e;
      }
      const why = text(
        `${da} and ${db} meet in one dimension and neither is 1`,
        `한 차원의 두 크기(${da}, ${db})가 다르고, 어느 쪽도 1 이 아닙니다`,
      );
      if (thrown === undefined) {
        const shown = Array.isArray(got) ? shapeStr(got) : String(got);
        fail(
          text(
            `${call} returned ${shown}; these shapes do not broadcast: it must throw`,
            `${call} 의 결과가 ${shown} 입니다. 이 두 모양은 브로드캐스팅되지 않으므로 예외를 던져야 합니다`,
          ),
          why,
        );
      }
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      const names = (k: number) => new RegExp(`(^|[^0-9])${k}([^0-9]|$)`).test(message);
      if (!names(da) || !names(db)) {
        fail(
          text(
            `${call} threw "${message.split('\n')[0]}": the message should name both sizes, ${da} and ${db}`,
            `${call} 의 예외 메시지 "${message.split('\n')[0]}" 에 두 크기(${da}, ${db})가 모두 있어야 합니다`,
          ),
          text(
            `e.g. "The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension …"`,
            `예: "The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension …"`,
          ),
        );
      }
    }
  }),
);

check(
  {
    id: 'standardize',
    points: 1,
    title: text('standardizeColumns: (x − mean(0)) / std(0)', 'standardizeColumns: (x − mean(0)) / std(0)'),
    hint: text(
      'mean(0) and std(0) have shape [d]; aligned on the right they stretch over the n rows of [n, d].',
      'mean(0), std(0) 의 모양은 [d] 입니다. 오른쪽 정렬로 [n, d] 의 n 개 행에 늘어납니다.',
    ),
    guide: '§2.3',
  },
  graded('standardizeColumns', async ({ rng }) => {
    const { standardizeColumns } = await target();
    const d = rng.int(2, 5);
    const n = d + rng.int(2, 5); // n ≠ d, so reducing over the wrong dim cannot go unnoticed
    // Each column gets its own centre and spread, so a single overall mean or std is visibly wrong.
    const centre = Array.from({ length: d }, () => rng.uniform(-5, 5));
    const spread = Array.from({ length: d }, () => rng.uniform(0.5, 4));
    const values = Array.from({ length: n * d }, (_, k) => centre[k % d]! + spread[k % d]! * rng.normal());
    const x = torch.tensor(rows(values, d), { dtype: 'float64' });
    const cols = columns(values, d);
    const standardized = (correction: number) =>
      values.map((v, k) => (v - mean(cols[k % d]!)) / stdev(cols[k % d]!, correction));
    const what = `standardizeColumns(x), x: [${n}, ${d}]`;
    const y = attempt(
      () => standardizeColumns(x),
      (e) => [
        text(`${what} threw: ${firstLine(e)}`, `${what} 에서 예외가 발생했습니다: ${firstLine(e)}`),
        ...(/must match/.test(e.message)
          ? [
              text(
                'the statistics are per column: reduce over the rows with mean(0) and std(0), giving shape [d]',
                '통계는 열마다입니다: mean(0), std(0) 으로 행 방향을 모아 모양 [d] 를 만드세요',
              ),
            ]
          : []),
      ],
    );
    await expectClose(y, rows(standardized(1), d), {
      what: 'y',
      atol: 1e-6,
      rtol: 1e-6,
      diagnose: (got) => {
        if (near(got, standardized(0), 1e-6))
          return text(
            'std divides by n; torch.std divides by n − 1 (unbiased, the default)',
            'std 를 n 으로 나눴습니다. torch.std 는 n − 1 로 나눕니다 (불편 추정, 기본값)',
          );
        if (
          near(
            got,
            values.map((v, k) => v - mean(cols[k % d]!)),
            1e-6,
          )
        )
          return text(
            'the mean is subtracted but nothing is divided by the std',
            '평균은 뺐지만 표준편차로 나누지 않았습니다',
          );
        if (
          near(
            got,
            values.map((v) => (v - mean(values)) / stdev(values, 1)),
            1e-6,
          )
        ) {
          return text(
            'that uses the mean and std of the whole matrix; each column needs its own: mean(0), std(0)',
            '행렬 전체의 평균·표준편차를 썼습니다. 열마다 따로: mean(0), std(0)',
          );
        }
        return undefined;
      },
    });
  }),
);
