// Hidden checks of 03 (instructor grading only): the loss on vectors, the step on any iterable.
import * as torch from '#engine';
import { check, expectClose, fail, loadTarget, text } from '#kit/grader';

type LinearRegression = typeof import('../../exercises/03-linear-regression/linear-regression.ts');
const target = () => loadTarget<LinearRegression>('03-linear-regression', 'linear-regression.ts');

check(
  {
    id: 'mse-vectors',
    points: 1,
    title: text('mseLoss on 1-D vectors', 'mseLoss: 1차원 벡터'),
    hint: text('The mean over every element, whatever the shape.', '모양과 상관없이 모든 원소의 평균입니다.'),
    guide: '§4.2',
  },
  async ({ rng }) => {
    const { mseLoss } = await target();
    const [p, t] = [rng.array(9, -2, 2), rng.array(9, -2, 2)];
    const want = p.reduce((s, v, i) => s + (v - t[i]!) ** 2, 0) / p.length;
    await expectClose(mseLoss(torch.tensor(p), torch.tensor(t)), want, { what: 'mseLoss(pred, target)', atol: 1e-5 });
  },
);

check(
  {
    id: 'sgd-any-iterable',
    points: 1,
    title: text(
      'sgdStep takes any iterable once and skips parameters without grad',
      'sgdStep 은 어떤 iterable 이든 한 번 돌고, grad 가 없는 매개변수는 건너뛴다',
    ),
    hint: text(
      'for (const p of params): a generator has no forEach or length.',
      'for (const p of params): 생성기에는 forEach 나 length 가 없습니다.',
    ),
    guide: '§4.3',
  },
  async ({ rng }) => {
    const { sgdStep } = await target();
    const [a0, b0, g] = [rng.array(3, -1, 1), rng.array(2, -1, 1), rng.array(3, -1, 1)];
    const a = torch.tensor(a0, { requiresGrad: true });
    const b = torch.tensor(b0, { requiresGrad: true });
    a.grad = torch.tensor(g);
    function* params(): Generator<torch.Tensor> {
      yield a;
      yield b;
    }
    const bBefore = Array.from(await b.data(), Number); // as float32 holds it
    sgdStep(params(), 0.5);
    await expectClose(
      a,
      a0.map((v, i) => v - 0.5 * g[i]!),
      { what: 'a after the step', atol: 1e-6 },
    );
    await expectClose(b, bBefore, { what: 'b (grad null) after the step', atol: 0, rtol: 0 });
    if (b.grad !== null) fail(text('b.grad was set by the step', '단계가 b.grad 를 바꿨습니다'));
  },
);
