// 04 · MNIST 다층 퍼셉트론 — README.md 를 먼저 읽으세요. Read README.md first.
import { todo } from '#kit/todo';
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
 * [epoch (1, 2, …), test accuracy in percent]. Draw it with `lineChartSvg` from '#engine/io/chart'.
 */
export function comparisonChart(results: Comparison[]): string {
  return todo('comparisonChart', results);
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
