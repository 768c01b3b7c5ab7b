// Broken on purpose (test/graders/exercises-03-04.test.ts): the chart plots accuracies as fractions from epoch 0.
import { todo } from '#kit/todo';
import { lineChartSvg } from '#engine/io/chart';
import type { Activation } from './mlp.ts';
import type { MnistData, OptimizerName, TrainConfig } from './train.ts';

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
      points: r.accuracies.map((a, i): [number, number] => [i, a]) /* BUG: from epoch 0, as fractions */,
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
  return todo('compare', settings, base, data, chartPath);
}
