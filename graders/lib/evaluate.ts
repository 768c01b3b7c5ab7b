/**
 * The check of an `evaluate(model, batches)` that returns a classifier's accuracy, shared by the
 * graders of 04 and 05: eval mode, no graph, every sample counted once (the last, smaller batch too),
 * correct / samples rather than a mean of per-batch accuracies.
 */
import * as torch from '#engine';
import { expectClose } from './expect.ts';
import { fail } from './failure.ts';
import type { Rng } from './rng.ts';
import { text } from './text.ts';

/** Passes its input on, noting how evaluate ran the model: in training mode, or recording a graph. */
class Probe extends torch.nn.Module {
  trainingSeen = false;
  gradSeen = false;
  override forward(x: torch.Tensor): torch.Tensor {
    this.trainingSeen ||= this.training;
    this.gradSeen ||= torch.isGradEnabled();
    return x;
  }
}

export async function checkAccuracy(
  evaluate: (model: torch.nn.Module, batches: AsyncIterable<torch.Tensor[]>) => Promise<number>,
  rng: Rng,
): Promise<void> {
  // The "model" reads three scores per sample as they are (a Linear with identity weights), so the
  // grader knows every prediction. The last, smaller batch is mostly wrong on purpose: dropping it,
  // counting it as full, or averaging per-batch accuracies each give a different, wrong answer.
  // Dropout and a fresh BatchNorm change nothing in eval mode and every answer in training mode.
  const linear = new torch.nn.Linear(3, 3);
  torch.noGrad(() => {
    linear.weight.copy_(torch.eye(3));
    linear.bias!.zero_();
  });
  const probe = new Probe();
  const model = new torch.nn.Sequential(linear, probe, new torch.nn.Dropout(0.5), new torch.nn.BatchNorm1d(3));
  model.train(); // as a training loop leaves it
  for (const [n, batchSize] of [
    [1000, 64],
    [250, 100],
  ] as const) {
    const full = Math.floor(n / batchSize) * batchSize;
    const scores: number[] = [];
    const labels: number[] = [];
    const right: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const s = rng.array(3, 0, 1);
      const best = s.indexOf(Math.max(...s));
      const ok = rng.next() < (i < full ? 0.8 : 0.3);
      scores.push(...s);
      labels.push(ok ? best : (best + 1 + rng.int(0, 2)) % 3);
      right.push(ok);
    }
    const count = (from: number, to: number) => right.slice(from, to).filter(Boolean).length;
    const correct = count(0, n);
    const batchCount = Math.ceil(n / batchSize);
    const batchMean =
      Array.from(
        { length: batchCount },
        (_, b) => count(b * batchSize, Math.min(n, (b + 1) * batchSize)) / Math.min(batchSize, n - b * batchSize),
      ).reduce((a, v) => a + v, 0) / batchCount;
    const ds = new torch.utils.data.TensorDataset(
      torch.tensor(scores).reshape(n, 3),
      torch.tensor(labels, { dtype: 'int32' }),
    );
    const loader = new torch.utils.data.DataLoader(ds, { batchSize });
    const got = await evaluate(model, loader);
    if (probe.trainingSeen)
      fail(
        text(
          'evaluate ran the model in training mode: call model.eval() first, so that Dropout keeps every unit and BatchNorm uses its running statistics',
          'evaluate 가 모델을 학습 모드로 실행했습니다: 먼저 model.eval() 을 부르세요. 그래야 Dropout 이 모든 유닛을 남기고 BatchNorm 이 누적 통계를 씁니다',
        ),
      );
    if (probe.gradSeen)
      fail(
        text(
          'evaluate recorded the autograd graph: run it inside torch.noGrad(async () => …), nothing there is differentiated',
          'evaluate 가 자동 미분 그래프를 기록했습니다: torch.noGrad(async () => …) 안에서 실행하세요. 미분할 것이 없습니다',
        ),
      );
    const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;
    await expectClose(got, correct / n, {
      what: `evaluate(…), n = ${n}, batchSize = ${batchSize}`,
      atol: 1e-9,
      rtol: 0,
      diagnose: ([g]) => {
        if (near(g!, count(0, full) / full))
          return text(
            `that is ${count(0, full)}/${full}: the last, smaller batch was left out`,
            `${count(0, full)}/${full} 입니다: 마지막의 작은 배치를 빠뜨렸습니다`,
          );
        if (near(g!, correct / (batchCount * batchSize)))
          return text(
            `that is ${correct}/${batchCount * batchSize}: every batch was counted as full; add y.shape[0], not batchSize`,
            `${correct}/${batchCount * batchSize} 입니다: 모든 배치를 꽉 찬 것으로 셌습니다. batchSize 가 아니라 y.shape[0] 를 더하세요`,
          );
        if (near(g!, batchMean))
          return text(
            'that is the mean of per-batch accuracies, where the short last batch weighs as much as a full one: divide all correct by all samples',
            '배치별 정확도의 평균입니다. 짧은 마지막 배치가 꽉 찬 배치만큼 무게를 가집니다: 전체 맞힌 개수를 전체 샘플 수로 나누세요',
          );
        return text(
          `expected ${correct} correct of ${n}: correct predictions / samples, over all batches`,
          `${n} 개 중 ${correct} 개를 맞혀야 합니다: 모든 배치에 걸쳐 맞힌 개수 / 샘플 수`,
        );
      },
    });
  }
}
