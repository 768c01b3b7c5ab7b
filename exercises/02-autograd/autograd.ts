// 02 · Autograd · 자동 미분
// Replace each todo(...) with your code; `npm run grade -- 02` grades this file.
// 각 todo(...) 를 여러분의 코드로 바꾸세요. `npm run grade -- 02` 가 이 파일을 채점합니다.
import * as torch from '#engine';
import { todo } from '#kit/todo';

// ---- The chain rule (guide §3.1) -----------------------------------------------------------------

/** The tensors of f(x) = (x + 2)·3, after backward. */
export interface ChainRule {
  /** The input: a float64 scalar leaf with requiresGrad. · 입력: requiresGrad 인 float64 스칼라 잎 */
  x: torch.Tensor;
  /** The intermediate u = x + 2, with its gradient retained. · 중간값 u = x + 2 (기울기 보존) */
  u: torch.Tensor;
  /** The output f = u·3. · 출력 f = u·3 */
  f: torch.Tensor;
}

/**
 * Builds f(x) = (x + 2)·3 at x = x0 through u = x + 2, runs backward, and returns x, u and f, so that
 * x.grad holds df/dx = 3 and u.grad holds df/du = 3.
 * x = x0 에서 u = x + 2, f = u·3 을 만들고 backward 를 실행해 x, u, f 를 돌려줍니다. x.grad 는 df/dx = 3,
 * u.grad 는 df/du = 3 이어야 합니다.
 *
 * PyTorch: `x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)`, `u = x + 2`,
 * `u.retain_grad()`, `f = u * 3`, `f.backward()`.
 */
export function chainRule(x0: number): ChainRule {
  return todo('chainRule', x0);
}

// ---- backward and .grad (guide §3.2) -------------------------------------------------------------

/**
 * For a leaf x with requiresGrad, builds y = x.pow(2).sum(), calls y.backward() and returns x.grad,
 * which autograd fills with dy/dx = 2x.
 * requiresGrad 인 잎 x 에 대해 y = x.pow(2).sum() 을 만들고 y.backward() 를 호출한 뒤 x.grad (= 2x) 를
 * 돌려줍니다.
 *
 * Let backward() do the calculus: the grader checks that it filled x.grad.
 * 미분은 backward() 에게 맡기세요: 채점기는 backward() 가 x.grad 를 채웠는지 확인합니다.
 */
export function gradOfSquareSum(x: torch.Tensor): torch.Tensor {
  return todo('gradOfSquareSum', x);
}

// ---- A custom autograd.Function (guide §3.3, §3.3.1) ---------------------------------------------

/**
 * σ(x) = 1 / (1 + e^(−x)) as a custom Function: forward computes σ(x) and saves it in ctx;
 * backward returns grad · σ(x)·(1 − σ(x)). Use it as `Sigmoid.apply(x)`.
 * σ(x) = 1 / (1 + e^(−x)) 를 사용자 정의 Function 으로: forward 는 σ(x) 를 계산해 ctx 에 저장하고,
 * backward 는 grad · σ(x)·(1 − σ(x)) 를 돌려줍니다. `Sigmoid.apply(x)` 로 씁니다.
 *
 * PyTorch: `ctx.save_for_backward(y)` in forward, `y, = ctx.saved_tensors` in backward; here
 * `ctx.saveForBackward(y)` and `const [y] = ctx.savedTensors`. Build σ from engine ops
 * (neg, exp, add, reciprocal, …); `1 − y` is `torch.sub(1, y)`.
 */
export class Sigmoid extends torch.autograd.Function {
  static override forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor): torch.Tensor {
    return todo('Sigmoid.forward', ctx, x);
  }

  static override backward(ctx: torch.autograd.FunctionCtx, grad: torch.Tensor): torch.Tensor {
    return todo('Sigmoid.backward', ctx, grad);
  }
}

// ---- Gradient descent, three ways (guide §3.4) ---------------------------------------------------

/** A least-squares problem: find θ with X·θ ≈ y. */
export interface LeastSquares {
  /** [m, d] float64: one sample per row. · 한 행에 표본 하나 */
  X: torch.Tensor;
  /** [m] float64: the targets. · 목표값 */
  y: torch.Tensor;
}

/**
 * The mean gradient over the samples `indices` of the loss ½(xᵢ·θ − yᵢ)²:
 * (1/b) Σᵢ (xᵢ·θ − yᵢ)·xᵢ, a [d] tensor with no autograd history. θ does not require grad.
 * 표본 `indices` 에 대한 손실 ½(xᵢ·θ − yᵢ)² 의 평균 기울기 (1/b) Σᵢ (xᵢ·θ − yᵢ)·xᵢ 를 [d] 텐서로
 * (autograd 기록 없이) 돌려줍니다. θ 는 requiresGrad 가 아닙니다.
 *
 * Either by autograd (a leaf copy `theta.detach().requiresGrad_()`, the loss, backward) or by the
 * formula; pick the rows with `X.indexSelect(0, torch.tensor(indices, { dtype: 'int32' }))`.
 * autograd (잎 복사본 `theta.detach().requiresGrad_()`, 손실, backward) 로도, 공식으로도 됩니다.
 */
export function meanGradient(problem: LeastSquares, theta: torch.Tensor, indices: readonly number[]): torch.Tensor {
  return todo('meanGradient', problem, theta, indices);
}

/**
 * Batch gradient descent: `steps` updates θ ← θ − lr · (mean gradient over all m samples).
 * Returns θ after each update (not θ₀), each its own tensor. θ₀ is left unchanged.
 * 배치 경사하강법: θ ← θ − lr · (전체 m 개 표본의 평균 기울기) 를 `steps` 번. 매 갱신 후의 θ 를
 * (θ₀ 은 빼고) 각각 별개의 텐서로 돌려줍니다. θ₀ 은 바꾸지 않습니다.
 *
 * Use meanGradient, and update inside `torch.noGrad(() => …)` (PyTorch's `with torch.no_grad():`).
 * meanGradient 를 쓰고, 갱신은 `torch.noGrad(() => …)` 안에서 하세요.
 */
export function batchGD(problem: LeastSquares, theta0: torch.Tensor, lr: number, steps: number): torch.Tensor[] {
  return todo('batchGD', problem, theta0, lr, steps);
}

/**
 * Stochastic gradient descent: one update per sample, in the given `order`:
 * θ ← θ − lr · ∇ of sample i alone. Returns θ after each update.
 * 확률적 경사하강법: 주어진 `order` 순서로 표본 하나마다 한 번씩 θ ← θ − lr · (표본 i 의 기울기).
 * 매 갱신 후의 θ 를 돌려줍니다.
 */
export function stochasticGD(
  problem: LeastSquares,
  theta0: torch.Tensor,
  lr: number,
  order: readonly number[],
): torch.Tensor[] {
  return todo('stochasticGD', problem, theta0, lr, order);
}

/**
 * Mini-batch gradient descent over one pass of `order`: consecutive batches of `batchSize` indices,
 * the last one smaller when batchSize does not divide m; one update per batch with its mean gradient.
 * Returns θ after each update.
 * 미니배치 경사하강법 (`order` 한 바퀴): `batchSize` 개씩 연속으로 묶고, 나누어떨어지지 않으면 마지막
 * 배치는 더 작습니다. 배치마다 평균 기울기로 한 번 갱신하고, 매 갱신 후의 θ 를 돌려줍니다.
 */
export function miniBatchGD(
  problem: LeastSquares,
  theta0: torch.Tensor,
  lr: number,
  batchSize: number,
  order: readonly number[],
): torch.Tensor[] {
  return todo('miniBatchGD', problem, theta0, lr, batchSize, order);
}
