// 01 · Tensors: the worked solution. Every answer is the line a PyTorch user would write, translated
// by the naming rules of engine/API.md; the comments say why it is that line.
import * as torch from '#engine';

// ---- Practice problem 1 (guide §2.1, §2.4) -------------------------------------------------------

/** What `practice` returns: the random matrix and three statistics of it. */
export interface Practice {
  /** A 3×4 float32 tensor of standard normal values. · 3×4 표준정규 난수 텐서 (float32) */
  x: torch.Tensor;
  /** The sum of each row, shape [3]. · 각 행의 합, 모양 [3] */
  rowSums: torch.Tensor;
  /** The mean of all 12 values, a scalar (shape []). · 전체 평균, 스칼라 */
  mean: torch.Tensor;
  /** The standard deviation of all 12 values, as torch.std (unbiased). · 전체 표준편차 (torch.std 처럼 불편) */
  std: torch.Tensor;
}

/**
 * Practice problem 1: a 3×4 random tensor drawn from `generator`, its row sums, its mean and its std.
 * 실습 문제 1: `generator` 로 3×4 난수 텐서를 만들고, 행별 합계와 전체 평균·표준편차를 구합니다.
 */
export function practice(generator: torch.Generator): Practice {
  // torch.randn(3, 4, generator=g): the private generator, not the global one, so the caller decides
  // the stream and the result does not depend on what else drew random numbers before.
  const x = torch.randn(3, 4, { generator });
  // Summing over dim 1 makes dim 1 disappear: one value per row, shape [3] (x.sum(1) in PyTorch).
  const rowSums = x.sum(1);
  // With no dim, mean and std reduce over every element to a 0-d tensor.
  const mean = x.mean();
  // torch.std divides by n − 1 (Bessel's correction, unbiased: true is the default). Writing
  // x.sub(mean).pow(2).mean().sqrt() by hand would divide by n and give a smaller value.
  const std = x.std();
  return { x, rowSums, mean, std };
}

// ---- Creating tensors (guide §2.1) ---------------------------------------------------------------

/** Six tensors made by the creation functions, each with its own shape and dtype. */
export interface Creations {
  /** [n, 3] of zeros, float32. · 0 으로 채운 [n, 3], float32 */
  zeros: torch.Tensor;
  /** [n] of ones, int32. · 1 로 채운 [n], int32 */
  ones: torch.Tensor;
  /** The even numbers 0, 2, …, 2(n − 1), int32. · 짝수 0, 2, …, 2(n − 1), int32 */
  evens: torch.Tensor;
  /** n evenly spaced values from 0 to 1, both ends included, float64. · 0 부터 1 까지 (양끝 포함) 등간격 n 개, float64 */
  grid: torch.Tensor;
  /** The n×n identity matrix, float32. · n×n 단위 행렬, float32 */
  identity: torch.Tensor;
  /** [2, n] filled with 0.5, float32. · 0.5 로 채운 [2, n], float32 */
  halves: torch.Tensor;
}

/**
 * Builds the six tensors of `Creations` for a size n ≥ 2.
 * 크기 n (n ≥ 2) 에 대해 `Creations` 의 여섯 텐서를 만듭니다.
 */
export function creations(n: number): Creations {
  return {
    zeros: torch.zeros(n, 3), // float32 is the default floating dtype, as in PyTorch
    ones: torch.ones(n, { dtype: 'int32' }), // dtype= becomes the last options object
    // arange excludes its end and takes a step; all-integer arguments give an integer tensor
    // (int32 here; PyTorch would give int64).
    evens: torch.arange(0, 2 * n, 2),
    // linspace includes both ends and takes a count, not a step.
    grid: torch.linspace(0, 1, n, { dtype: 'float64' }),
    identity: torch.eye(n),
    halves: torch.full([2, n], 0.5),
  };
}

// ---- Views (guide §2.2) --------------------------------------------------------------------------

/**
 * Flattens a batch of MNIST images [B, 1, 28, 28] to [B, 784] without copying: the result is a view
 * that shares x's storage. It must work for any batch size B (the last batch of an epoch is smaller).
 * 이미지 배치 [B, 1, 28, 28] 을 복사 없이 [B, 784] 로 펼칩니다. 결과는 x 와 저장소를 공유하는 뷰이며,
 * 어떤 배치 크기 B 에서도 동작해야 합니다.
 */
export function flattenBatch(x: torch.Tensor): torch.Tensor {
  // x.view(x.size(0), -1): view only recomputes strides over the same buffer, so nothing is copied.
  // The batch size is read from x, never written as 64; -1 lets the engine work out 1·28·28 = 784.
  return x.view(x.shape[0]!, -1);
}

// ---- Broadcasting (guide §2.3, §2.4) -------------------------------------------------------------

/**
 * The shape that broadcasting `a` with `b` gives, by the rules: align the shapes on the right, pad
 * the shorter one with 1s on the left, and in each dimension the sizes must be equal or one of them 1;
 * the result takes the size that is not 1 (a 1 stretches even to 0: [0] with [1] is [0]). Incompatible
 * shapes throw an Error that names the dimension and both sizes.
 * 브로드캐스팅 결과의 모양: 오른쪽 끝을 맞추고, 짧은 쪽 왼쪽을 1 로 채우고, 각 차원의 크기는 같거나 한쪽이
 * 1 이어야 하며 결과는 1 이 아닌 쪽입니다 (1 은 0 으로도 늘어납니다: [0] 과 [1] 은 [0]). 맞지 않으면 그 차원과
 * 두 크기를 밝힌 Error 를 던집니다.
 */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    // Position i counted from the right end: a missing dimension counts as size 1 (the padding).
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      // PyTorch's own words, so the message reads the same as the engine's.
      throw new Error(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * Standardizes each column of a matrix x [n, d]: (x − mean over rows) / std over rows, with torch.std's
 * unbiased std. Every column of the result has mean 0 and std 1.
 * 행렬 x [n, d] 의 각 열을 표준화합니다: (x − 열 평균) / 열 표준편차 (torch.std 처럼 불편). 결과의 각 열은
 * 평균 0, 표준편차 1 입니다.
 */
export function standardizeColumns(x: torch.Tensor): torch.Tensor {
  // (x - x.mean(0)) / x.std(0): reducing over dim 0 leaves one value per column, shape [d]. Aligned
  // on the right, [d] meets the columns of [n, d] and is stretched over the n rows; no loop, no copy.
  return x.sub(x.mean(0)).div(x.std(0));
}
