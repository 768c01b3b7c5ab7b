// Grades exercises/03-linear-regression: the data, the hand-written MSE and SGD step (each against
// the engine's own), and training nn.Linear(1, 1) to the least-squares line. Everything runs on the
// CPU whatever --device says: the tensors are [n, 1], and this exercise is about the loop, not devices.
import { check, expectClose, expectEqual, fail, loadTarget, pointingAt, text, type Rng } from '#kit/grader';
import { callsEngine, ENGINE_LOSSES, ENGINE_OPTIMIZERS, isTensor } from '#kit/tensors';
import * as torch from '#engine';

type LinearRegression = typeof import('../exercises/03-linear-regression/linear-regression.ts');
const target = () => loadTarget<LinearRegression>('03-linear-regression', 'linear-regression.ts');
/** A wrong value points the report (and its `next:` line) at the function that computed it. */
const graded = pointingAt('03-linear-regression', 'linear-regression.ts');

/** Least squares for y ≈ w·x + b, in float64: the line any correct training converges to. */
function leastSquares(xs: readonly number[], ys: readonly number[]): { w: number; b: number; mse: number } {
  const n = xs.length;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  const w = sxy / sxx;
  const b = my - w * mx;
  const mse = xs.reduce((s, x, i) => s + (w * x + b - ys[i]!) ** 2, 0) / n;
  return { w, b, mse };
}

async function values(t: torch.Tensor): Promise<number[]> {
  return Array.from(await t.data(), Number);
}

check(
  {
    id: 'make-data',
    points: 2,
    title: text(
      'makeData draws y = 2x + 1 + noise from the generator',
      'makeData 가 생성기로 y = 2x + 1 + 잡음을 만든다',
    ),
    hint: text(
      'x = torch.randn([n, 1], { generator }); y = x·2 + 1 + NOISE_STD·torch.randn([n, 1], { generator }).',
      'x = torch.randn([n, 1], { generator }); y = x·2 + 1 + NOISE_STD·torch.randn([n, 1], { generator }) 입니다.',
    ),
    guide: '§4.1',
  },
  graded('makeData', async ({ seed }) => {
    const { makeData } = await target();
    const n = 2000;
    const data = makeData(n, new torch.Generator(seed));
    if (!isTensor(data?.x) || !isTensor(data?.y))
      fail(text('makeData should return { x, y }, two tensors', 'makeData 는 텐서 두 개 { x, y } 를 돌려줘야 합니다'));
    await expectEqual(data.x.shape, [n, 1], 'x.shape');
    await expectEqual(data.y.shape, [n, 1], 'y.shape');

    // Same seed, same data, whatever the global generator did in between: the randomness is the generator's.
    torch.manualSeed(seed + 1);
    const again = makeData(n, new torch.Generator(seed));
    const [x1, y1, x2, y2] = await Promise.all([data.x, data.y, again.x, again.y].map(values));
    if (x1!.some((v, i) => v !== x2![i]) || y1!.some((v, i) => v !== y2![i])) {
      fail(
        text(
          'two calls with generators of the same seed gave different data',
          '같은 시드의 생성기로 두 번 불렀는데 데이터가 다릅니다',
        ),
        text(
          'draw every random number from `generator`: torch.randn([n, 1], { generator })',
          '모든 난수를 `generator` 에서 뽑으세요: torch.randn([n, 1], { generator })',
        ),
      );
    }
    const other = makeData(n, new torch.Generator(seed + 7));
    if ((await values(other.x)).every((v, i) => v === x1![i])) {
      fail(
        text(
          'generators with different seeds gave the same x: is the generator used at all?',
          '다른 시드의 생성기인데 x 가 같습니다: generator 를 쓰고 있나요?',
        ),
      );
    }

    // The line behind the points, by least squares: slope 2, intercept 1, and about 0.1 of noise around it.
    const mean = x1!.reduce((s, v) => s + v, 0) / n;
    const std = Math.sqrt(x1!.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    await expectClose([mean, std], [0, 1], { what: '[x.mean(), x.std()]', atol: 0.1, rtol: 0 });
    const fit = leastSquares(x1!, y1!);
    await expectClose([fit.w, fit.b], [2, 1], {
      what: 'least-squares [w, b] of (x, y)',
      atol: 0.05,
      rtol: 0,
    });
    const noise = Math.sqrt(fit.mse);
    if (noise < 0.07 || noise > 0.13) {
      fail(
        text(
          `the noise around the line has std ${noise.toFixed(4)}; expected about NOISE_STD = 0.1`,
          `직선 주위 잡음의 표준편차가 ${noise.toFixed(4)} 입니다. NOISE_STD = 0.1 정도여야 합니다`,
        ),
        ...(noise < 0.07 ? [text('is the noise term missing?', '잡음 항을 빠뜨렸나요?')] : []),
      );
    }
  }),
);

check(
  {
    id: 'mse-loss',
    points: 2,
    title: text(
      'mseLoss equals functional.mseLoss, value and grad',
      'mseLoss 가 functional.mseLoss 와 값·기울기 모두 같다',
    ),
    hint: text(
      'The mean of the squared differences: pred.sub(target).pow(2).mean().',
      '차의 제곱의 평균입니다: pred.sub(target).pow(2).mean().',
    ),
    guide: '§4.3',
  },
  graded('mseLoss', async ({ rng }) => {
    const { mseLoss } = await target();
    for (const shape of [
      [7, 1],
      [3, 4],
    ]) {
      const n = shape[0]! * shape[1]!;
      const predData = rng.array(n, -2, 2);
      const targetData = rng.array(n, -2, 2);
      // reshape first, then requiresGrad_: the leaf whose .grad we read is the [r, c] tensor itself.
      const make = (xs: number[], grad: boolean) => torch.tensor(xs).reshape(shape).requiresGrad_(grad);
      const pred = make(predData, true);
      const ref = make(predData, true);
      const target = make(targetData, false);
      const { value: got, engine } = callsEngine([pred, target], 'sub', ENGINE_LOSSES, () => mseLoss(pred, target));
      if (engine)
        fail(
          text(
            "mseLoss calls the engine's own MSE (functional.mseLoss or nn.MSELoss): write it by hand, from sub, pow and mean",
            'mseLoss 가 엔진의 MSE (functional.mseLoss 나 nn.MSELoss) 를 부릅니다: sub, pow, mean 으로 직접 쓰세요',
          ),
        );
      const want = torch.nn.functional.mseLoss(ref, make(targetData, false));
      if (!isTensor(got))
        fail(
          text(`mseLoss returned ${typeof got}, not a tensor`, `mseLoss 가 텐서가 아니라 ${typeof got} 를 돌려줍니다`),
        );
      const what = `mseLoss(pred ${JSON.stringify(shape)}, target)`;
      await expectClose(got, want, {
        what,
        atol: 1e-6,
        rtol: 1e-5,
        diagnose: ([g], [w]) => {
          if (g === undefined || w === undefined || w === 0) return undefined;
          if (Math.abs(g / w - n) < 1e-3 * n)
            return text(
              `got is ${n}× expected: the sum, not the mean`,
              `결과가 기대값의 ${n}배입니다: 평균이 아니라 합입니다`,
            );
          if (Math.abs(g - Math.sqrt(w)) < 1e-5)
            return text(
              'got is the square root of expected: that is the RMSE',
              '결과가 기대값의 제곱근입니다: RMSE 입니다',
            );
          if (Math.abs(g * 2 - w) < 1e-5)
            return text('got is half of expected: a factor ½ too many', '결과가 기대값의 절반입니다: ½ 을 곱했습니다');
          return undefined;
        },
      });
      got.backward();
      want.backward();
      await expectClose(pred.grad ?? 'no gradient', ref.grad!, {
        what: `pred.grad (${JSON.stringify(shape)})`,
        atol: 1e-6,
        rtol: 1e-5,
      });
    }
  }),
);

check(
  {
    id: 'sgd-step',
    points: 2,
    title: text('sgdStep moves each parameter as optim.SGD does', 'sgdStep 이 파라미터를 optim.SGD 와 똑같이 옮긴다'),
    hint: text(
      'Inside torch.noGrad(() => …): p.sub_(p.grad, { alpha: lr }) for every p whose grad is not null.',
      'torch.noGrad(() => …) 안에서, grad 가 null 이 아닌 p 마다 p.sub_(p.grad, { alpha: lr }).',
    ),
    guide: '§4.3',
  },
  graded('sgdStep', async ({ rng }) => {
    const { sgdStep } = await target();
    const shapes = [[3, 2], [3], [2]];
    const lr = 0.05 + rng.uniform(0, 0.2);
    const init = shapes.map((s) =>
      rng.array(
        s.reduce((a, b) => a * b, 1),
        -1,
        1,
      ),
    );
    const grads = shapes.map((s, i) =>
      i === 2
        ? null
        : rng.array(
            s.reduce((a, b) => a * b, 1),
            -3,
            3,
          ),
    );
    // Two identical sets of leaf parameters: the learner's step on one, torch.optim.SGD on the other.
    const make = () =>
      shapes.map((s, i) => {
        const p = torch.tensor(init[i]!).reshape(s).requiresGrad_();
        p.grad = grads[i] ? torch.tensor(grads[i]!).reshape(s) : null; // the last one was not used by the loss
        return p;
      });
    const mine = make();
    const ref = make();
    const before = [...mine];
    const gradsBefore = mine.map((p) => p.grad);
    const { engine } = callsEngine(mine, 'add_', ENGINE_OPTIMIZERS, () => sgdStep(mine, lr));
    if (engine)
      fail(
        text(
          'sgdStep calls torch.optim.SGD: write the step by hand, p.sub_(p.grad, { alpha: lr }) under torch.noGrad',
          'sgdStep 이 torch.optim.SGD 를 부릅니다: torch.noGrad 안에서 p.sub_(p.grad, { alpha: lr }) 로 직접 쓰세요',
        ),
      );
    new torch.optim.SGD(ref, { lr }).step();

    for (let i = 0; i < shapes.length; i++) {
      if (mine[i] !== before[i])
        fail(
          text(
            'sgdStep replaced a tensor in the list: update each parameter in place (sub_)',
            'sgdStep 이 목록의 텐서를 바꿔 넣었습니다: 파라미터를 제자리에서(sub_) 갱신하세요',
          ),
        );
      const p = mine[i]!;
      // The step reads the gradients; clearing them is zeroGrad's job, at the start of the next step.
      if (
        p.grad !== gradsBefore[i] ||
        (grads[i] && (await values(p.grad!)).some((v, j) => v !== Math.fround(grads[i]![j]!)))
      )
        fail(
          text(
            `sgdStep changed params[${i}].grad (${p.grad === null ? 'set to null' : 'new values'}): it must leave the gradients as they are`,
            `sgdStep 이 params[${i}].grad 를 바꿨습니다 (${p.grad === null ? 'null 로' : '다른 값으로'}): 기울기는 그대로 두어야 합니다`,
          ),
        );
      if (!p.isLeaf || !p.requiresGrad) {
        fail(
          text(
            `parameter ${i} is no longer a leaf that requires grad: the update was recorded in the graph`,
            `파라미터 ${i} 가 더 이상 기울기가 필요한 잎 텐서가 아닙니다: 갱신이 그래프에 기록되었습니다`,
          ),
          text('wrap the update in torch.noGrad(() => …)', '갱신을 torch.noGrad(() => …) 로 감싸세요'),
        );
      }
      const what = grads[i] ? `params[${i}]` : `params[${i}] (grad null)`;
      const g = grads[i];
      await expectClose(p, ref[i]!, {
        what,
        atol: 1e-6,
        rtol: 1e-5,
        diagnose: (got) => {
          if (!g)
            return text(
              'a parameter without a gradient must stay as it is',
              '기울기가 없는 파라미터는 그대로 두어야 합니다',
            );
          if (got.every((v, j) => Math.abs(v - (init[i]![j]! + lr * g[j]!)) < 1e-5))
            return text(
              'the step went uphill, θ + lr·∇θ: subtract the gradient',
              '위쪽으로 움직였습니다 (θ + lr·∇θ): 기울기를 빼세요',
            );
          if (got.every((v, j) => Math.abs(v - (init[i]![j]! - g[j]!)) < 1e-5))
            return text(
              'the step is θ − ∇θ: the learning rate is missing',
              'θ − ∇θ 로 움직였습니다: 학습률을 곱하지 않았습니다',
            );
          return undefined;
        },
      });
    }
  }),
);

/** Runs the learner's train() on a noisy line and compares the result with least squares. */
async function trainOn(rng: Rng, w: number, b: number, epochs: number) {
  const { train } = await target();
  const n = 200;
  const xs = Array.from({ length: n }, () => rng.normal());
  const ys = xs.map((v) => w * v + b + 0.1 * rng.normal());
  const x32 = Array.from(Float32Array.from(xs));
  const y32 = Array.from(Float32Array.from(ys));
  const x = torch.tensor(x32, { dtype: 'float32' }).reshape(n, 1);
  const y = torch.tensor(y32, { dtype: 'float32' }).reshape(n, 1);
  const result = await train(x, y, { epochs, lr: 0.1 });
  if (typeof result !== 'object' || result === null)
    fail(
      text(
        'train should return { model, weight, bias, losses }',
        'train 은 { model, weight, bias, losses } 를 돌려줘야 합니다',
      ),
    );
  return { result, fit: leastSquares(x32, y32) };
}

check(
  {
    id: 'train-converges',
    points: 3,
    title: text(
      'train fits nn.Linear(1, 1) to the least-squares line',
      'train 이 nn.Linear(1, 1) 을 최소제곱 직선에 맞춘다',
    ),
    hint: text(
      'Each epoch: optimizer.zeroGrad(); loss = criterion.call(model.call(x), y); loss.backward(); optimizer.step().',
      '에포크마다: optimizer.zeroGrad(); loss = criterion.call(model.call(x), y); loss.backward(); optimizer.step().',
    ),
    guide: '§4.3',
    timeoutMs: 20_000,
  },
  graded('train', async ({ rng }) => {
    // Two lines: y = 2x + 1 as in the problem, and another one, so that only real training passes.
    for (const [w, b] of [
      [2, 1],
      [-0.5, 3],
    ] as const) {
      const { result, fit } = await trainOn(rng, w, b, 150);
      const line = `y = ${w}x + ${b} + noise`;
      const context = text(
        `trained on ${line} (150 epochs, lr 0.1), whose least-squares line is w = ${fit.w.toFixed(4)}, b = ${fit.b.toFixed(4)}`,
        `${line} 로 학습 (150 에포크, lr 0.1). 이 데이터의 최소제곱 직선은 w = ${fit.w.toFixed(4)}, b = ${fit.b.toFixed(4)}`,
      );
      const diagnose = (got: number[]) =>
        !Number.isFinite(got[0]!)
          ? text(
              'training diverged: are the gradients zeroed every step (optimizer.zeroGrad())?',
              '학습이 발산했습니다: 매 단계 기울기를 0 으로 (optimizer.zeroGrad()) 하나요?',
            )
          : text(
              `${context.en}; is every step zeroGrad → backward → step?`,
              `${context.ko}. 매 단계 zeroGrad → backward → step 인가요?`,
            );
      await expectClose(result.weight, fit.w, { what: `weight (${line})`, atol: 5e-3, rtol: 0, diagnose });
      await expectClose(result.bias, fit.b, { what: `bias (${line})`, atol: 5e-3, rtol: 0, diagnose });
      // weight and bias must be the model's own, not numbers typed in.
      const model = result.model;
      if (!(model instanceof torch.nn.Linear) || model.inFeatures !== 1 || model.outFeatures !== 1) {
        fail(
          text(
            'result.model should be the trained torch.nn.Linear(1, 1)',
            'result.model 은 학습한 torch.nn.Linear(1, 1) 이어야 합니다',
          ),
        );
      }
      await expectClose([await model.weight.item(), await model.bias!.item()], [result.weight, result.bias], {
        what: '[model.weight, model.bias]',
        atol: 1e-6,
        rtol: 0,
      });
    }
  }),
);

check(
  {
    id: 'loss-history',
    points: 1,
    title: text('the loss history has one falling value per epoch', '손실 기록이 에포크마다 하나씩, 줄어드는 값이다'),
    hint: text(
      'Push `await loss.item()` once per epoch; full-batch descent with a small lr never goes up.',
      '에포크마다 `await loss.item()` 을 한 번 넣으세요. 작은 학습률의 전체 배치 경사하강은 손실이 올라가지 않습니다.',
    ),
    guide: '§4.3',
    timeoutMs: 20_000,
  },
  graded('train', async ({ rng }) => {
    const epochs = 60;
    const { result, fit } = await trainOn(rng, 2, 1, epochs);
    const losses: unknown = result.losses;
    if (!Array.isArray(losses) || losses.some((l) => typeof l !== 'number'))
      fail(text('result.losses should be an array of numbers', 'result.losses 는 숫자 배열이어야 합니다'));
    await expectEqual(losses.length, epochs, `losses.length (epochs = ${epochs})`);
    const bad = losses.findIndex((l: number) => !Number.isFinite(l));
    if (bad >= 0) fail(text(`losses[${bad}] = ${losses[bad]}`, `losses[${bad}] = ${losses[bad]}`));
    const up = losses.findIndex((l: number, i: number) => i > 0 && l > losses[i - 1] * (1 + 1e-5) + 1e-7);
    if (up > 0) {
      const [before, after] = [losses[up - 1].toPrecision(4), losses[up].toPrecision(4)];
      fail(
        text(
          `the loss went up at epoch ${up}: ${before} → ${after}`,
          `에포크 ${up} 에서 손실이 올라갔습니다: ${before} → ${after}`,
        ),
        text(
          'with zeroGrad every step and lr 0.1, full-batch gradient descent on MSE only goes down',
          '매 단계 zeroGrad 하고 lr 0.1 이면, MSE 의 전체 배치 경사하강은 내려가기만 합니다',
        ),
      );
    }
    // After 60 steps the loss is the least-squares residual (about 0.01) give or take a little.
    await expectClose(losses[epochs - 1], fit.mse, {
      what: `losses[${epochs - 1}]`,
      atol: 2e-3,
      rtol: 0,
    });
  }),
);
