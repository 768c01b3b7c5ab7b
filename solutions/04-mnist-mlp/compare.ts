// 04 · MNIST 다층 퍼셉트론: comparing activations and optimizers, with a chart (practice problem 3). Solved.
import { writeFile } from 'node:fs/promises';
import { lineChartSvg } from '#engine/io/chart';
import type { Activation } from './mlp.ts';
import { fit, type MnistData, type OptimizerName, type TrainConfig } from './train.ts';

/** One setting to compare: a name for the chart's legend, the activation, the optimizer and its lr. */
export interface Setting {
  name: string;
  activation: Activation;
  optimizer: OptimizerName;
  lr: number;
}

/** What every setting shares: batch size, epochs, scheduler, seed, device. */
export type BaseConfig = Omit<TrainConfig, 'activation' | 'optimizer' | 'lr'>;

/** One setting's test accuracy (0…1) after each epoch. */
export interface Comparison {
  name: string;
  accuracies: number[];
}

/**
 * The comparison chart: one series per setting, named as the setting, with one point per epoch,
 * [epoch (1, 2, …), test accuracy in percent].
 */
export function comparisonChart(results: Comparison[]): string {
  return lineChartSvg({
    title: 'MNIST MLP: test accuracy by setting',
    xLabel: 'epoch',
    yLabel: 'test accuracy (%)',
    series: results.map((r) => ({
      name: r.name,
      points: r.accuracies.map((a, i): [number, number] => [i + 1, 100 * a]),
    })),
  });
}

/**
 * Trains one fresh model per setting with `base` for the rest, in order, and writes
 * comparisonChart(results) as an SVG file to `chartPath`. Returns the results in the settings' order.
 */
export async function compare(
  settings: Setting[],
  base: BaseConfig,
  data: MnistData,
  chartPath: string,
): Promise<Comparison[]> {
  const results: Comparison[] = [];
  for (const s of settings) {
    // The same seed for every setting: each starts from the same shuffles, so the differences on the
    // chart come from the activation and the optimizer, not from luck.
    const { accuracies } = await fit({ ...base, activation: s.activation, optimizer: s.optimizer, lr: s.lr }, data);
    results.push({ name: s.name, accuracies });
  }
  await writeFile(chartPath, comparisonChart(results));
  return results;
}
