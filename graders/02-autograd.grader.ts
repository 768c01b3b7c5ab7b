// Grades exercises/02-autograd/autograd.ts. Gradients are checked against float64 central differences
// of plain-JavaScript functions (numericGrad); the gradient-descent trajectories against a plain-JS
// replay of the guide's update rules. Inputs are random from the check's rng; sigmoid and the
// least-squares loss are smooth everywhere, so no input lands on a kink.
import * as torch from '#engine';
import {
  check,
  pointingAt,
  expectClose,
  expectGradClose,
  fail,
  loadTarget,
  numericGrad,
  text,
  type Rng,
  type Text,
} from '#kit/grader';
import { CheckFailure, isCheckFailure } from '#kit/failure';
import { isTensor, valuesOf } from '#kit/tensors';

type Autograd = typeof import('../exercises/02-autograd/autograd.ts');
const target = () => loadTarget<Autograd>('02-autograd', 'autograd.ts');
const graded = pointingAt('02-autograd', 'autograd.ts');

// ---- helpers -------------------------------------------------------------------------------------

const near = (got: readonly number[], want: readonly number[], tol = 1e-6): boolean =>
  got.length === want.length && got.every((g, i) => Math.abs(g - want[i]!) <= tol * (1 + Math.abs(want[i]!)));
const f64 = (values: readonly number[], shape: readonly number[] = [values.length]) =>
  torch.tensor(Float64Array.from(values), { shape });

// ---- the chain rule ------------------------------------------------------------------------------

check(
  {
    id: 'chain-rule',
    points: 1,
    title: text('chain rule: f(x) = (x + 2)·3 gives df/dx = 3', '연쇄 법칙: f(x) = (x + 2)·3 이면 df/dx = 3'),
    hint: text(
      'x with requiresGrad: true, u = x.add(2), u.retainGrad(), f = u.mul(3), then f.backward().',
      'requiresGrad: true 인 x, u = x.add(2), u.retainGrad(), f = u.mul(3), 그리고 f.backward().',
    ),
    guide: '§3.1',
  },
  graded('chainRule', async ({ rng }) => {
    const { chainRule } = await target();
    const x0 = rng.uniform(-3, 3);
    const { x, u, f } = chainRule(x0);
    const fn = ([v]: number[]) => (v! + 2) * 3;
    // Guide §3.1 writes torch.tensor([1], …), a [1] tensor, where PyTorch's example has a scalar: the
    // calculus is the same, so a one-element tensor of either shape is accepted.
    const one = (t: unknown) => (isTensor(t) && t.shape.length === 1 && t.shape[0] === 1 ? t.reshape([]) : t);
    await expectClose(one(f), fn([x0]), { what: 'f', atol: 1e-9, rtol: 1e-9 });
    await expectClose(one(u), x0 + 2, { what: 'u', atol: 1e-9, rtol: 1e-9 });
    if (!isTensor(x) || x.grad === null) {
      fail(
        text(
          'x.grad is null: create x with requiresGrad: true and call f.backward()',
          'x.grad 가 null 입니다: x 를 requiresGrad: true 로 만들고 f.backward() 를 호출하세요',
        ),
      );
    }
    await expectGradClose(one(x.grad), numericGrad(fn, [x0])[0]!, { what: 'x.grad (df/dx)' });
    if (!isTensor(u) || u.grad === null) {
      fail(
        text(
          'u.grad is null: u = x + 2 is not a leaf, so backward does not keep its gradient',
          'u.grad 가 null 입니다: u = x + 2 는 잎이 아니라서 backward 가 기울기를 남기지 않습니다',
        ),
        text(
          'call u.retainGrad() before f.backward() to see df/du',
          'df/du 를 보려면 f.backward() 전에 u.retainGrad() 를 호출하세요',
        ),
      );
    }
    await expectGradClose(one(u.grad), 3, { what: 'u.grad (df/du)' });
  }),
);

// ---- backward and .grad --------------------------------------------------------------------------

check(
  {
    id: 'square-sum-grad',
    points: 1,
    title: text('y = x.pow(2).sum() gives x.grad = 2x', 'y = x.pow(2).sum() 이면 x.grad = 2x'),
    hint: text(
      'Build y, call y.backward(), return x.grad; backward fills .grad, it returns nothing.',
      'y 를 만들고 y.backward() 를 호출한 뒤 x.grad 를 돌려주세요. backward 는 .grad 를 채울 뿐 값을 돌려주지 않습니다.',
    ),
    guide: '§3.2',
  },
  graded('gradOfSquareSum', async ({ rng }) => {
    const { gradOfSquareSum } = await target();
    const shape = [rng.int(2, 4), rng.int(2, 5)];
    const n = shape[0]! * shape[1]!;
    // Away from 0, so "x itself" and "2x" can never look alike.
    const values = Array.from({ length: n }, () => (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.5, 2));
    const x = f64(values, shape).requiresGrad_();
    const returned = gradOfSquareSum(x);
    if (x.grad === null) {
      fail(
        text(
          'x.grad is null after gradOfSquareSum(x): compute the gradient with y.backward(), not by hand',
          'gradOfSquareSum(x) 뒤에도 x.grad 가 null 입니다: 기울기는 손이 아니라 y.backward() 로 구하세요',
        ),
      );
    }
    const numeric = numericGrad((v) => v.reduce((s, a) => s + a * a, 0), values);
    await expectGradClose(x.grad, rowsOf(numeric, shape[1]!), {
      what: 'x.grad',
      atol: 1e-6,
      diagnose: (got) => {
        if (near(got, values))
          return text(
            'the gradient equals x itself: a factor 2 is missing',
            '기울기가 x 자체와 같습니다: 2 를 곱하지 않았습니다',
          );
        if (
          near(
            got,
            values.map((v) => 4 * v),
          )
        )
          return text(
            'the gradient is 4x, twice 2x: backward ran twice and .grad accumulated',
            '기울기가 4x (2x 의 두 배) 입니다: backward 가 두 번 실행되어 .grad 에 누적되었습니다',
          );
        if (
          near(
            got,
            values.map((v) => (2 * v) / n),
          )
        )
          return text(
            'the gradient is 2x/n: that is x.pow(2).mean(); the task is .sum()',
            '기울기가 2x/n 입니다: x.pow(2).mean() 의 기울기입니다. 문제는 .sum() 입니다',
          );
        return undefined;
      },
    });
    await expectClose(returned, await x.grad.toArray(), {
      what: 'gradOfSquareSum(x) (should return x.grad)',
      atol: 0,
      rtol: 0,
    });
  }),
);

const rowsOf = (values: readonly number[], d: number): number[][] =>
  Array.from({ length: values.length / d }, (_, i) => values.slice(i * d, (i + 1) * d));

// ---- a custom autograd.Function ------------------------------------------------------------------

const sigma = (v: number): number => 1 / (1 + Math.exp(-v));

check(
  {
    id: 'sigmoid-forward',
    points: 1,
    title: text(
      'Sigmoid.apply(x) computes σ(x) = 1 / (1 + e^(−x))',
      'Sigmoid.apply(x) 가 σ(x) = 1 / (1 + e^(−x)) 를 계산',
    ),
    hint: text(
      'x.neg().exp().add(1).reciprocal(), or torch.sigmoid(x).',
      'x.neg().exp().add(1).reciprocal() 또는 torch.sigmoid(x).',
    ),
    guide: '§3.3',
  },
  graded('Sigmoid.forward', async ({ rng }) => {
    const { Sigmoid } = await target();
    // Large |x| too (guide §3.3.2): e^x overflows there, and exp(x) / (1 + exp(x)) gives ∞/∞ = NaN.
    const values = [...rng.array(7, -4, 4), 100, -100, 1000, -1000];
    const y = Sigmoid.apply(f64(values));
    const got = await valuesOf(y, 'Sigmoid.apply(x)');
    await expectClose(y, values.map(sigma), {
      what: 'Sigmoid.apply(x)',
      atol: 1e-9,
      rtol: 1e-9,
      diagnose: () =>
        got.some(Number.isNaN)
          ? text(
              'NaN for large |x|: exp(x) / (1 + exp(x)) is ∞/∞ there; 1 / (1 + exp(−x)) never overflows into NaN',
              '|x| 가 클 때 NaN 입니다: exp(x) / (1 + exp(x)) 는 ∞/∞ 가 됩니다. 1 / (1 + exp(−x)) 는 NaN 이 되지 않습니다',
            )
          : near(
                got,
                values.map((v) => sigma(-v)),
              )
            ? text(
                'that is σ(−x) = 1 / (1 + e^x): the sign of the exponent is flipped',
                'σ(−x) = 1 / (1 + e^x) 입니다: 지수의 부호가 반대입니다',
              )
            : undefined,
    });
  }),
);

/** Σ wᵢ·σ(xᵢ): a random weight per element, so backward is fed a gradient that is not all ones. */
const weightedSigmoid = (w: readonly number[]) => (x: number[]) => x.reduce((s, v, i) => s + w[i]! * sigma(v), 0);

function sigmoidDiagnosis(got: readonly number[], xs: readonly number[], w: readonly number[]): Text | undefined {
  const s = xs.map(sigma);
  if (
    near(got, s) ||
    near(
      got,
      s.map((v, i) => w[i]! * v),
    )
  ) {
    return text(
      "the gradient equals σ(x) itself: σ'(x) = σ(x)·(1 − σ(x))",
      "기울기가 σ(x) 자체와 같습니다: σ'(x) = σ(x)·(1 − σ(x)) 입니다",
    );
  }
  if (
    near(
      got,
      s.map((v) => v * (1 - v)),
    )
  ) {
    return text(
      'backward ignores the incoming gradient: multiply by grad (the chain rule)',
      'backward 가 들어온 기울기를 무시합니다: grad 를 곱하세요 (연쇄 법칙)',
    );
  }
  if (
    near(
      got,
      xs.map((v, i) => w[i]! * v * (1 - v)),
    )
  ) {
    return text(
      'that is x·(1 − x): use σ(x), the output saved in forward, not the input x',
      'x·(1 − x) 입니다: 입력 x 가 아니라 forward 에서 저장한 출력 σ(x) 를 쓰세요',
    );
  }
  if (
    near(
      got,
      s.map((v, i) => -w[i]! * v * (1 - v)),
    )
  )
    return text('the sign is flipped', '부호가 반대입니다');
  return undefined;
}

check(
  {
    id: 'sigmoid-backward',
    points: 2,
    title: text('Sigmoid.backward agrees with finite differences', 'Sigmoid.backward 가 유한 차분과 일치'),
    hint: text(
      "σ'(x) = σ(x)·(1 − σ(x)); keep σ(x) from forward in ctx and multiply by grad.",
      "σ'(x) = σ(x)·(1 − σ(x)) 입니다. forward 에서 σ(x) 를 ctx 에 저장하고 grad 를 곱하세요.",
    ),
    guide: '§3.3.1',
  },
  graded('Sigmoid.backward', async ({ rng }) => {
    const { Sigmoid } = await target();
    const xs = rng.array(8, -4, 4);
    const w = rng.array(8, 0.5, 2).map((v) => (rng.next() < 0.5 ? -v : v));
    const x = f64(xs).requiresGrad_();
    Sigmoid.apply(x).mul(f64(w)).sum().backward();
    if (x.grad === null)
      fail(
        text(
          'x.grad is null: Sigmoid.backward returned no gradient for x',
          'x.grad 가 null 입니다: Sigmoid.backward 가 x 의 기울기를 돌려주지 않았습니다',
        ),
      );
    await expectGradClose(x.grad, numericGrad(weightedSigmoid(w), xs), {
      what: 'x.grad',
      atol: 1e-6,
      rtol: 1e-5,
      diagnose: (got) => sigmoidDiagnosis(got, xs, w),
    });
  }),
);

check(
  {
    id: 'sigmoid-ctx',
    points: 1,
    title: text('Sigmoid keeps σ(x) in its own ctx, per call', 'Sigmoid 가 호출마다 자기 ctx 에 σ(x) 를 저장'),
    hint: text(
      'ctx.saveForBackward(y) in forward, const [y] = ctx.savedTensors in backward: never a variable outside ctx.',
      'forward 에서 ctx.saveForBackward(y), backward 에서 const [y] = ctx.savedTensors: ctx 밖의 변수에 두지 마세요.',
    ),
    guide: '§3.3',
  },
  graded('Sigmoid.backward', async ({ rng }) => {
    const { Sigmoid } = await target();
    // Two Sigmoid nodes in one graph, with different inputs: each backward must use its own σ.
    const [as, bs] = [rng.array(5, -3, 3), rng.array(5, -3, 3)];
    const [wa, wb] = [rng.array(5, 0.5, 2), rng.array(5, -2, -0.5)];
    const a = f64(as).requiresGrad_();
    const b = f64(bs).requiresGrad_();
    Sigmoid.apply(a)
      .mul(f64(wa))
      .add(Sigmoid.apply(b).mul(f64(wb)))
      .sum()
      .backward();
    const mixed = text(
      "with two Sigmoids in one graph, one used the other's σ: keep σ in ctx (ctx.saveForBackward), one ctx per call",
      '한 그래프의 두 Sigmoid 중 하나가 다른 쪽의 σ 를 썼습니다: σ 는 호출마다 따로인 ctx 에 (ctx.saveForBackward) 두세요',
    );
    for (const [t, xs, w, name] of [
      [a, as, wa, 'a'],
      [b, bs, wb, 'b'],
    ] as const) {
      if (t.grad === null)
        fail(
          text(
            `${name}.grad is null: Sigmoid.backward returned no gradient`,
            `${name}.grad 가 null 입니다: Sigmoid.backward 가 기울기를 돌려주지 않았습니다`,
          ),
        );
      await expectGradClose(t.grad, numericGrad(weightedSigmoid(w), xs), {
        what: `${name}.grad`,
        atol: 1e-6,
        rtol: 1e-5,
        diagnose: (got) => sigmoidDiagnosis(got, xs, w) ?? mixed,
      });
    }
    // The tensors backward needs go through ctx.saveForBackward: PyTorch checks them for in-place
    // changes and frees them after backward.
    const ctx = new torch.autograd.FunctionCtx('SigmoidBackward');
    Sigmoid.forward(ctx, f64(as));
    if (ctx.savedTensors.length === 0) {
      fail(
        text(
          'Sigmoid.forward saved nothing with ctx.saveForBackward: save σ(x) there for backward',
          'Sigmoid.forward 가 ctx.saveForBackward 로 아무것도 저장하지 않았습니다: backward 가 쓸 σ(x) 를 저장하세요',
        ),
      );
    }
  }),
);

// ---- gradient descent ----------------------------------------------------------------------------

interface Problem {
  X: number[][];
  y: number[];
}

/** A small least-squares problem: m samples, d features, y = X·θ* + noise. */
function makeProblem(rng: Rng, m: number, d: number): Problem {
  const thetaStar = Array.from({ length: d }, () => rng.uniform(-2, 2));
  const X = Array.from({ length: m }, () => Array.from({ length: d }, () => rng.normal()));
  const y = X.map((row) => row.reduce((s, v, j) => s + v * thetaStar[j]!, 0) + 0.3 * rng.normal());
  return { X, y };
}

const asTensors = (p: Problem) => ({ X: f64(p.X.flat(), [p.X.length, p.X[0]!.length]), y: f64(p.y) });

/** (1/b) Σ_{i ∈ idx} (xᵢ·θ − yᵢ)·xᵢ, the mean gradient of ½(xᵢ·θ − yᵢ)², times `scale` for the classic slips. */
function meanGrad(p: Problem, theta: readonly number[], idx: readonly number[], scale = 1): number[] {
  const g = theta.map(() => 0);
  for (const i of idx) {
    const r = p.X[i]!.reduce((s, v, j) => s + v * theta[j]!, 0) - p.y[i]!;
    p.X[i]!.forEach((v, j) => (g[j]! += r * v));
  }
  return g.map((v) => (scale * v) / idx.length);
}

const loss = (p: Problem, idx: readonly number[]) => (theta: number[]) =>
  idx.reduce((s, i) => s + 0.5 * (p.X[i]!.reduce((a, v, j) => a + v * theta[j]!, 0) - p.y[i]!) ** 2, 0) / idx.length;

/** Plain-JS replay: θ ← θ − lr·meanGrad(batch) for each batch in turn; the trajectory excludes θ₀. */
function replay(
  p: Problem,
  theta0: readonly number[],
  lr: number,
  batches: readonly (readonly number[])[],
  scale: number | ((k: number) => number) = 1,
): number[][] {
  const out: number[][] = [];
  let theta = [...theta0];
  for (const [k, idx] of batches.entries()) {
    const g = meanGrad(p, theta, idx, typeof scale === 'number' ? scale : scale(k));
    theta = theta.map((v, j) => v - lr * g[j]!);
    out.push(theta);
  }
  return out;
}

const chunks = (order: readonly number[], b: number): number[][] =>
  Array.from({ length: Math.ceil(order.length / b) }, (_, k) => order.slice(k * b, (k + 1) * b));

const fmtBatch = (idx: readonly number[]) =>
  `[${idx.length > 6 ? [...idx.slice(0, 3), '…', idx.at(-1)].join(', ') : idx.join(', ')}]`;

interface Alternative {
  trajectory: number[][];
  note: Text;
}

/**
 * Compares the learner's trajectory with the reference step by step and names the first step that
 * differs, the batch it used, and (when one matches) the classic mistake behind it.
 */
async function expectTrajectory(
  got: unknown,
  want: number[][],
  batches: readonly (readonly number[])[],
  what: string,
  alternatives: Alternative[],
  lengthNote: (n: number) => Text | undefined,
): Promise<void> {
  if (!Array.isArray(got))
    fail(
      text(
        `${what}: expected an array of tensors (θ after each update), got ${typeof got}`,
        `${what}: (매 갱신 후 θ 의) 텐서 배열이 와야 하는데 ${typeof got} 입니다`,
      ),
    );
  if (got.length !== want.length) {
    const note = lengthNote(got.length);
    fail(
      text(
        `${what}: ${want.length} updates expected (one per batch: ${batches.map((b) => b.length).join(', ')} samples), got ${got.length}`,
        `${what}: 갱신이 ${want.length} 번이어야 하는데 (배치마다 한 번: 표본 ${batches.map((b) => b.length).join(', ')} 개) ${got.length} 번입니다`,
      ),
      ...(note ? [note] : []),
    );
  }
  if (new Set(got).size < got.length) {
    fail(
      text(
        `${what}: the same tensor appears at several steps: an in-place update changes it after you store it`,
        `${what}: 같은 텐서가 여러 단계에 들어 있습니다: 제자리 갱신이 저장한 뒤의 값을 바꿉니다`,
      ),
      text(
        'store a new tensor per step: theta = torch.noGrad(() => theta.sub(g.mul(lr))), or push theta.clone()',
        '단계마다 새 텐서를 저장하세요: theta = torch.noGrad(() => theta.sub(g.mul(lr))) 또는 theta.clone() 을 push',
      ),
    );
  }
  const values: number[][] = [];
  for (const [k, theta] of (got as unknown[]).entries()) values.push(await valuesOf(theta, `${what}[${k}]`));
  for (const [k, theta] of (got as torch.Tensor[]).entries()) {
    if (theta.gradFn !== null) {
      fail(
        text(
          `${what}[${k}] carries autograd history (gradFn ${theta.gradFn.name}): the update was recorded`,
          `${what}[${k}] 에 autograd 기록(gradFn ${theta.gradFn.name})이 있습니다: 갱신이 기록되었습니다`,
        ),
        text(
          "update inside torch.noGrad(() => …), as PyTorch's with torch.no_grad():",
          'PyTorch 의 with torch.no_grad(): 처럼 torch.noGrad(() => …) 안에서 갱신하세요',
        ),
      );
    }
    try {
      await expectClose(theta, want[k]!, { what: `${what}[${k}]`, atol: 1e-10, rtol: 1e-9 });
    } catch (e) {
      if (!isCheckFailure(e)) throw e;
      const note = alternatives.find((a) => a.trajectory[k] && near(values[k]!, a.trajectory[k]!, 1e-9))?.note;
      const [n, batch] = [want.length, fmtBatch(batches[k]!)];
      const before =
        k === 0 ? text('', '') : text('; every update before it matched', '. 그 앞의 갱신은 모두 맞았습니다');
      throw new CheckFailure([
        ...e.lines,
        text(
          `that is θ after update ${k + 1} of ${n}, on the batch ${batch}${before.en}`,
          `${n} 번 중 ${k + 1} 번째 갱신(배치 ${batch}) 뒤의 θ 입니다${before.ko}`,
        ),
        ...(note ? [note] : []),
      ]);
    }
  }
}

const doubled = text(
  'each step moves twice as far: the gradient of ½(x·θ − y)² is (x·θ − y)·x; without the ½ it doubles',
  '매 단계 두 배 멀리 움직입니다: ½(x·θ − y)² 의 기울기는 (x·θ − y)·x 이며, ½ 을 빼면 두 배가 됩니다',
);
const summed = text(
  'the gradient is summed over the batch, not averaged: divide by the batch size (the 1/m, 1/b of the update rule)',
  '기울기를 배치에 대해 평균이 아니라 합했습니다: 배치 크기로 나누세요 (갱신식의 1/m, 1/b)',
);
const sortedOrder = text(
  'the samples were visited in index order 0, 1, 2, …; visit them in the given order',
  '표본을 0, 1, 2, … 인덱스 순으로 방문했습니다. 주어진 order 순서로 방문하세요',
);

check(
  {
    id: 'gd-gradient',
    points: 1,
    title: text('meanGradient agrees with finite differences', 'meanGradient 가 유한 차분과 일치'),
    hint: text(
      '∇ of (1/b) Σ ½(xᵢ·θ − yᵢ)² is (1/b) Σ (xᵢ·θ − yᵢ)·xᵢ: by backward() on a leaf copy of θ, or by the formula.',
      '(1/b) Σ ½(xᵢ·θ − yᵢ)² 의 기울기는 (1/b) Σ (xᵢ·θ − yᵢ)·xᵢ 입니다: θ 의 잎 복사본에 backward() 로, 또는 공식으로.',
    ),
    guide: '§3.4',
  },
  graded('meanGradient', async ({ rng }) => {
    const { meanGradient } = await target();
    const [m, d] = [rng.int(7, 11), rng.int(2, 4)];
    const p = makeProblem(rng, m, d);
    const problem = asTensors(p);
    const all = Array.from({ length: m }, (_, i) => i);
    for (const idx of [
      all,
      [rng.int(0, m)],
      [rng.int(0, m), rng.int(0, m), rng.int(0, m)].filter((v, i, a) => a.indexOf(v) === i),
    ]) {
      const theta = Array.from({ length: d }, () => rng.uniform(-2, 2));
      const thetaT = f64(theta);
      const got = meanGradient(problem, thetaT, idx);
      if (thetaT.grad !== null || thetaT.requiresGrad) {
        fail(
          text(
            'meanGradient changed the θ it was given (requiresGrad or .grad): work on a copy, theta.detach().requiresGrad_()',
            'meanGradient 가 받은 θ 를 바꿨습니다 (requiresGrad 또는 .grad): 복사본 theta.detach().requiresGrad_() 로 작업하세요',
          ),
        );
      }
      const want = meanGrad(p, theta, idx);
      await expectGradClose(got, numericGrad(loss(p, idx), theta), {
        what: `meanGradient(problem, θ, ${fmtBatch(idx)})`,
        atol: 1e-6,
        rtol: 1e-5,
        diagnose: (g) => {
          if (
            near(
              g,
              want.map((v) => 2 * v),
            )
          )
            return text(
              'twice the right gradient: the loss is ½(x·θ − y)², whose gradient is (x·θ − y)·x',
              '올바른 기울기의 두 배입니다: 손실은 ½(x·θ − y)² 이고 그 기울기는 (x·θ − y)·x 입니다',
            );
          if (
            idx.length > 1 &&
            near(
              g,
              want.map((v) => v * idx.length),
            )
          )
            return summed;
          if (
            near(
              g,
              want.map((v) => -v),
            )
          )
            return text('the sign is flipped: the residual is x·θ − y', '부호가 반대입니다: 잔차는 x·θ − y 입니다');
          return undefined;
        },
      });
    }
  }),
);

/** m = 4k + r with r in 1..3, so batches of 4 always leave a partial one. */
function gdSetup(rng: Rng) {
  const m = 4 * rng.int(2, 4) + rng.int(1, 4);
  const d = rng.int(2, 4);
  const p = makeProblem(rng, m, d);
  const theta0 = Array.from({ length: d }, () => rng.uniform(-1, 1));
  // A random order: Fisher–Yates from the check's rng.
  const order = Array.from({ length: m }, (_, i) => i);
  for (let i = m - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return { m, d, p, theta0, order, lr: 0.1 };
}

/** Runs one of the learner's loops and checks that θ₀ came back unchanged. */
async function run<T>(theta0: readonly number[], call: (t: torch.Tensor) => T): Promise<T> {
  const t = f64(theta0);
  const out = call(t);
  const after = Array.from(await t.data());
  if (!near(after, theta0, 0))
    fail(
      text(
        'θ₀ was modified in place: start from a copy (theta0.clone()) or update out of place',
        'θ₀ 이 제자리에서 바뀌었습니다: 복사본(theta0.clone())에서 시작하거나 새 텐서로 갱신하세요',
      ),
    );
  return out;
}

check(
  {
    id: 'gd-batch',
    points: 1,
    title: text('batchGD: θ ← θ − α·mean gradient, step by step', 'batchGD: 단계마다 θ ← θ − α·평균 기울기'),
    hint: text(
      'Every step uses all m samples: meanGradient(problem, theta, [0, …, m − 1]).',
      '매 단계 m 개 표본을 모두 씁니다: meanGradient(problem, theta, [0, …, m − 1]).',
    ),
    guide: '§3.4',
  },
  graded('batchGD', async ({ rng }) => {
    const { batchGD } = await target();
    const { m, p, theta0, lr } = gdSetup(rng);
    const steps = 6;
    const all = Array.from({ length: m }, (_, i) => i);
    const batches = Array.from({ length: steps }, () => all);
    const got = await run(theta0, (t) => batchGD(asTensors(p), t, lr, steps));
    await expectTrajectory(
      got,
      replay(p, theta0, lr, batches),
      batches,
      'batchGD',
      [
        { trajectory: replay(p, theta0, lr, batches, 2), note: doubled },
        { trajectory: replay(p, theta0, lr, batches, m), note: summed },
      ],
      () => undefined,
    );
  }),
);

check(
  {
    id: 'gd-sgd',
    points: 1,
    title: text('stochasticGD: one update per sample, in order', 'stochasticGD: 주어진 순서로 표본마다 갱신'),
    hint: text(
      'for (const i of order) { g = meanGradient(problem, theta, [i]); update }',
      'for (const i of order) { g = meanGradient(problem, theta, [i]); 갱신 }',
    ),
    guide: '§3.4',
  },
  graded('stochasticGD', async ({ rng }) => {
    const { stochasticGD } = await target();
    const { m, p, theta0, order, lr } = gdSetup(rng);
    const batches = order.map((i) => [i]);
    const got = await run(theta0, (t) => stochasticGD(asTensors(p), t, lr, order));
    const sorted = Array.from({ length: m }, (_, i) => [i]);
    await expectTrajectory(
      got,
      replay(p, theta0, lr, batches),
      batches,
      'stochasticGD',
      [
        { trajectory: replay(p, theta0, lr, sorted), note: sortedOrder },
        { trajectory: replay(p, theta0, lr, batches, 2), note: doubled },
        {
          trajectory: replay(
            p,
            theta0,
            lr,
            Array.from({ length: m }, () => order),
          ),
          note: text(
            'each step used every sample: SGD uses one sample, order[k], per update',
            '매 단계 모든 표본을 썼습니다: SGD 는 갱신마다 표본 하나(order[k])만 씁니다',
          ),
        },
      ],
      () => undefined,
    );
  }),
);

check(
  {
    id: 'gd-minibatch',
    points: 1,
    title: text(
      'miniBatchGD: batches in order, the last one partial',
      'miniBatchGD: 순서대로 배치, 마지막은 남는 만큼',
    ),
    hint: text(
      'for (start = 0; start < m; start += b) use order.slice(start, start + b): the last slice is shorter, and still counts.',
      'for (start = 0; start < m; start += b) 로 order.slice(start, start + b): 마지막 조각은 짧지만 빠뜨리면 안 됩니다.',
    ),
    guide: '§3.4',
  },
  graded('miniBatchGD', async ({ rng }) => {
    const { miniBatchGD } = await target();
    const { m, p, theta0, order, lr } = gdSetup(rng);
    const b = 4;
    const batches = chunks(order, b);
    const got = await run(theta0, (t) => miniBatchGD(asTensors(p), t, lr, b, order));
    const sorted = chunks(
      Array.from({ length: m }, (_, i) => i),
      b,
    );
    const last = batches.at(-1)!.length;
    await expectTrajectory(
      got,
      replay(p, theta0, lr, batches),
      batches,
      'miniBatchGD',
      [
        { trajectory: replay(p, theta0, lr, sorted), note: sortedOrder },
        { trajectory: replay(p, theta0, lr, batches, 2), note: doubled },
        { trajectory: replay(p, theta0, lr, batches, b), note: summed },
        {
          // The last batch's sum divided by b instead of by its own size.
          trajectory: replay(p, theta0, lr, batches, (k) => (k === batches.length - 1 ? last / b : 1)),
          note: text(
            `the last batch has ${last} samples: average its gradient over ${last}, not over ${b}`,
            `마지막 배치는 표본이 ${last} 개입니다: 기울기를 ${b} 가 아니라 ${last} 로 나눠 평균하세요`,
          ),
        },
      ],
      (n) =>
        n === batches.length - 1
          ? text(
              `the last partial batch of ${last} samples was dropped: m = ${m} is not a multiple of ${b}, and every sample counts once per epoch`,
              `마지막 부분 배치(표본 ${last} 개)를 빠뜨렸습니다: m = ${m} 은 ${b} 의 배수가 아니며, 모든 표본은 한 에포크에 한 번씩 쓰입니다`,
            )
          : undefined,
    );
  }),
);
