// Hidden checks of 02 (instructor grading only): other points, other shapes, extreme inputs.
import * as torch from '#engine';
import { check, expectClose, fail, loadTarget, text } from '#kit/grader';

type Autograd = typeof import('../../exercises/02-autograd/autograd.ts');
const target = () => loadTarget<Autograd>('02-autograd', 'autograd.ts');

check(
  {
    id: 'chain-rule-negative',
    points: 1,
    title: text('chainRule at a negative x0', 'chainRule: 음수 x0'),
    hint: text('f = 3(x0 + 2) and both gradients are 3, wherever x0 is.', 'f = 3(x0 + 2), 기울기는 어디서나 3 입니다.'),
    guide: '§3.1',
  },
  async ({ rng }) => {
    const { chainRule } = await target();
    const x0 = -rng.array(1, 1, 9)[0]!;
    const { f, x, u } = chainRule(x0);
    await expectClose(f, 3 * (x0 + 2), { what: 'f' });
    await expectClose(x.grad, 3, { what: 'x.grad' });
    await expectClose(u.grad, 3, { what: 'u.grad' });
  },
);

check(
  {
    id: 'square-sum-grad-2d',
    points: 1,
    title: text('gradOfSquareSum of a [2, 3] matrix is 2x', 'gradOfSquareSum: [2, 3] 행렬의 기울기는 2x'),
    hint: text('x.pow(2).sum() reduces every dimension.', 'x.pow(2).sum() 은 모든 차원을 줄입니다.'),
    guide: '§3.2',
  },
  async ({ rng }) => {
    const { gradOfSquareSum } = await target();
    const rows = [rng.array(3, -2, 2), rng.array(3, -2, 2)];
    const x = torch.tensor(rows, { requiresGrad: true });
    await expectClose(
      gradOfSquareSum(x),
      rows.map((r) => r.map((v) => 2 * v)),
      { what: 'x.grad', atol: 1e-5 },
    );
  },
);

check(
  {
    id: 'sigmoid-extremes',
    points: 1,
    title: text('Sigmoid at ±100: no NaN, value and gradient', 'Sigmoid 의 ±100: NaN 없이 값과 기울기'),
    hint: text('1 / (1 + e^(−x)) never divides ∞ by ∞.', '1 / (1 + e^(−x)) 는 ∞ 를 ∞ 로 나누지 않습니다.'),
    guide: '§3.3',
  },
  async () => {
    const { Sigmoid } = await target();
    const x = torch.tensor([-100, 0, 100], { dtype: 'float32', requiresGrad: true });
    const y = Sigmoid.apply(x) as torch.Tensor;
    const values = Array.from(await y.data(), Number);
    if (values.some(Number.isNaN))
      fail(
        text(`σ([-100, 0, 100]) has NaN: [${values.join(', ')}]`, `σ([-100, 0, 100]) 에 NaN: [${values.join(', ')}]`),
      );
    await expectClose(y, [0, 0.5, 1], { what: 'σ(x)', atol: 1e-6 });
    y.sum().backward();
    await expectClose(x.grad, [0, 0.25, 0], { what: 'x.grad', atol: 1e-6 });
  },
);
