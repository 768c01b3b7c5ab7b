// 01 · Tensors · 텐서
// Replace each todo(...) with your code; `npm run grade -- 01` grades this file.
// 각 todo(...) 를 여러분의 코드로 바꾸세요. `npm run grade -- 01` 이 이 파일을 채점합니다.
import * as torch from '#engine';
import { todo } from '#kit/todo';

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
 *
 * PyTorch: `x = torch.randn(3, 4, generator=g)`, then `x.sum(1)`, `x.mean()`, `x.std()`.
 */
export function practice(generator: torch.Generator): Practice {
  return todo('practice', generator);
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
 * Builds the six tensors of `Creations` for a size n ≥ 2, with zeros, ones, arange, linspace, eye, full.
 * 크기 n (n ≥ 2) 에 대해 `Creations` 의 여섯 텐서를 zeros, ones, arange, linspace, eye, full 로 만듭니다.
 */
export function creations(n: number): Creations {
  return todo('creations', n);
}

// ---- Views (guide §2.2) --------------------------------------------------------------------------

/**
 * Flattens a batch of MNIST images [B, 1, 28, 28] to [B, 784] without copying: the result is a view
 * that shares x's storage. It must work for any batch size B (the last batch of an epoch is smaller).
 * 이미지 배치 [B, 1, 28, 28] 을 복사 없이 [B, 784] 로 펼칩니다. 결과는 x 와 저장소를 공유하는 뷰이며,
 * 어떤 배치 크기 B 에서도 동작해야 합니다.
 */
export function flattenBatch(x: torch.Tensor): torch.Tensor {
  return todo('flattenBatch', x);
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
 *
 * Plain arrays in, plain array out: write the rules yourself, without tensors.
 * 배열을 받아 배열을 돌려줍니다: 텐서 없이 규칙을 직접 구현하세요.
 */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  return todo('broadcastShape', a, b);
}

/**
 * Standardizes each column of a matrix x [n, d]: (x − mean over rows) / std over rows, with torch.std's
 * unbiased std. Every column of the result has mean 0 and std 1. Use broadcasting, not loops.
 * 행렬 x [n, d] 의 각 열을 표준화합니다: (x − 열 평균) / 열 표준편차 (torch.std 처럼 불편). 결과의 각 열은
 * 평균 0, 표준편차 1 입니다. 반복문 대신 브로드캐스팅을 쓰세요.
 */
export function standardizeColumns(x: torch.Tensor): torch.Tensor {
  return todo('standardizeColumns', x);
}
