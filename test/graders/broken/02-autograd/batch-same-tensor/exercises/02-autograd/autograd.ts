// Broken on purpose (batch GD stores one tensor updated in place): test/graders/exercises-01-02.test.ts checks the grader catches it.
// 02 · Autograd: the worked solution. Each answer is what the guide's PyTorch snippet becomes in this
// API; the comments give the math behind it.
import * as torch from '#engine';

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
 */
export function chainRule(x0: number): ChainRule {
  // x = torch.tensor(x0, dtype=torch.float64, requires_grad=True): a leaf that autograd tracks.
  const x = torch.tensor(x0, { dtype: 'float64', requiresGrad: true });
  const u = x.add(2);
  // u is not a leaf, so backward would drop its gradient; retain_grad() keeps it, to see the middle
  // of the chain: df/du = 3, and df/dx = df/du · du/dx = 3 · 1.
  u.retainGrad();
  const f = u.mul(3);
  // f is a scalar, so backward() needs no gradient argument: it starts from df/df = 1.
  f.backward();
  return { x, u, f };
}

// ---- backward and .grad (guide §3.2) -------------------------------------------------------------

/**
 * For a leaf x with requiresGrad, builds y = x.pow(2).sum(), calls y.backward() and returns x.grad,
 * which autograd fills with dy/dx = 2x.
 * requiresGrad 인 잎 x 에 대해 y = x.pow(2).sum() 을 만들고 y.backward() 를 호출한 뒤 x.grad (= 2x) 를
 * 돌려줍니다.
 */
export function gradOfSquareSum(x: torch.Tensor): torch.Tensor {
  const y = x.pow(2).sum(); // a scalar: backward() may start from 1
  y.backward();
  // backward() fills .grad of every leaf that requires grad; it returns nothing itself.
  return x.grad!;
}

// ---- A custom autograd.Function (guide §3.3, §3.3.1) ---------------------------------------------

/**
 * σ(x) = 1 / (1 + e^(−x)) as a custom Function: forward computes σ(x) and saves it in ctx;
 * backward returns grad · σ(x)·(1 − σ(x)). Use it as `Sigmoid.apply(x)`.
 * σ(x) = 1 / (1 + e^(−x)) 를 사용자 정의 Function 으로: forward 는 σ(x) 를 계산해 ctx 에 저장하고,
 * backward 는 grad · σ(x)·(1 − σ(x)) 를 돌려줍니다. `Sigmoid.apply(x)` 로 씁니다.
 */
export class Sigmoid extends torch.autograd.Function {
  static override forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor): torch.Tensor {
    // forward runs with recording off, so these ops build no graph of their own.
    const y = x.neg().exp().add(1).reciprocal();
    // Save the output, not the input: σ'(x) = σ(x)·(1 − σ(x)) is written in σ(x) alone, so backward
    // needs no exp. ctx.save_for_backward(y) in PyTorch; the ctx belongs to this one call, so two
    // Sigmoids in one graph each keep their own σ.
    ctx.saveForBackward(y);
    return y;
  }

  static override backward(ctx: torch.autograd.FunctionCtx, grad: torch.Tensor): torch.Tensor {
    const [y] = ctx.savedTensors;
    // The chain rule: the gradient arriving from above (dL/dσ) times the local derivative dσ/dx.
    return grad.mul(y!.mul(torch.sub(1, y!)));
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
 */
export function meanGradient(problem: LeastSquares, theta: torch.Tensor, indices: readonly number[]): torch.Tensor {
  const rows = torch.tensor([...indices], { dtype: 'int32' });
  const Xb = problem.X.indexSelect(0, rows); // [b, d]: the batch's samples
  const yb = problem.y.indexSelect(0, rows); // [b]
  // Let autograd do the calculus: a fresh leaf copy of θ, the batch loss (mean of ½·residual²), then
  // backward. The analytic form Xbᵀ(Xb·θ − yb)/b gives the same numbers.
  const th = theta.detach().requiresGrad_();
  const residual = Xb.matmul(th).sub(yb); // [b]
  const loss = residual.pow(2).mul(0.5).mean();
  loss.backward();
  return th.grad!;
}

/**
 * Batch gradient descent: `steps` updates θ ← θ − lr · (mean gradient over all m samples).
 * Returns θ after each update (not θ₀), each its own tensor. θ₀ is left unchanged.
 * 배치 경사하강법: θ ← θ − lr · (전체 m 개 표본의 평균 기울기) 를 `steps` 번. 매 갱신 후의 θ 를
 * (θ₀ 은 빼고) 각각 별개의 텐서로 돌려줍니다. θ₀ 은 바꾸지 않습니다.
 */
export function batchGD(problem: LeastSquares, theta0: torch.Tensor, lr: number, steps: number): torch.Tensor[] {
  const all = Array.from({ length: problem.X.shape[0]! }, (_, i) => i);
  const trajectory: torch.Tensor[] = [];
  const theta = theta0.clone();
  for (let t = 0; t < steps; t++) {
    const g = meanGradient(problem, theta, all);
    torch.noGrad(() => theta.sub_(g.mul(lr))); // in place…
    trajectory.push(theta); // …so every entry is the same tensor
  }
  return trajectory;
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
  const trajectory: torch.Tensor[] = [];
  let theta = theta0;
  for (const i of order) {
    const g = meanGradient(problem, theta, [i]); // a batch of one
    theta = torch.noGrad(() => theta.sub(g.mul(lr)));
    trajectory.push(theta);
  }
  return trajectory;
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
  const trajectory: torch.Tensor[] = [];
  let theta = theta0;
  // DataLoader(…, batch_size=b, drop_last=False): the remainder is a batch of its own, so every
  // sample is seen once per epoch. Its gradient is still a mean, over fewer samples.
  for (let start = 0; start < order.length; start += batchSize) {
    const g = meanGradient(problem, theta, order.slice(start, start + batchSize));
    theta = torch.noGrad(() => theta.sub(g.mul(lr)));
    trajectory.push(theta);
  }
  return trajectory;
}
