/**
 * Scatter plots and heat maps as SVG (Vega-Lite specs rendered by Vega in Node, no browser or canvas)
 * and PNG (the SVG rasterised by resvg). A library rather than more of chart.ts's hand-drawn SVG:
 * axes, legends and colour scales for these two kinds are most of the work, and Vega does them as
 * any Vega-Lite user knows them. As with line charts, the root element carries the plotted numbers
 * (`data-chart`, `data-values`: JSON) so that a grader reads them back with parsePlotSvg rather than
 * from pixel positions. Output is a pure function of the input.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface ScatterPlot {
  title: string;
  /** [x, y] per point. */
  points: [number, number][];
  /** One label per point (the colour); digits 0–9 for MNIST. */
  labels: (number | string)[];
  xLabel?: string;
  yLabel?: string;
}

export interface HeatMap {
  title: string;
  /** values[row][column]. */
  values: number[][];
  xLabel?: string;
  yLabel?: string;
  /** Colours centred on 0 (blue below, red above), for signed values such as weights. Default false. */
  diverging?: boolean;
}

export type PlotData = { kind: 'scatter'; plot: ScatterPlot } | { kind: 'heatmap'; plot: HeatMap };

const SIZE = 420;

function checkFinite(values: readonly number[], what: string): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`${what}: value ${values[bad]} at position ${bad} is not finite`);
}

async function render(spec: TopLevelSpec, data: PlotData): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const attrs = ` data-chart="${data.kind}" data-values="${escapeAttribute(JSON.stringify(data.plot))}"`;
    return svg.replace(/^<svg\b/, `<svg${attrs}`);
  } finally {
    view.finalize();
  }
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export async function scatterPlotSvg(plot: ScatterPlot): Promise<string> {
  if (plot.points.length !== plot.labels.length) {
    throw new Error(`scatterPlotSvg: ${plot.points.length} points but ${plot.labels.length} labels`);
  }
  checkFinite(plot.points.flat(), 'scatterPlotSvg');
  const values = plot.points.map(([x, y], i) => ({ x, y, label: String(plot.labels[i]) }));
  return render(
    {
      title: plot.title,
      width: SIZE,
      height: SIZE,
      background: 'white',
      data: { values },
      mark: { type: 'circle', size: 14, opacity: 0.8 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: plot.xLabel ?? 'x', scale: { zero: false } },
        y: { field: 'y', type: 'quantitative', title: plot.yLabel ?? 'y', scale: { zero: false } },
        color: { field: 'label', type: 'nominal', title: 'label', scale: { scheme: 'tableau10' } },
      },
    },
    { kind: 'scatter', plot },
  );
}

export async function heatMapSvg(map: HeatMap): Promise<string> {
  const rows = map.values.length;
  const cols = map.values[0]?.length ?? 0;
  if (rows === 0 || cols === 0 || map.values.some((r) => r.length !== cols)) {
    throw new Error(
      `heatMapSvg: values must be a non-empty rectangle, got ${rows} rows of lengths ${map.values.map((r) => r.length).join(', ')}`,
    );
  }
  checkFinite(map.values.flat(), 'heatMapSvg');
  const values = map.values.flatMap((r, i) => r.map((v, j) => ({ row: i, col: j, v })));
  const limit = Math.max(...values.map((d) => Math.abs(d.v)), 1e-12);
  return render(
    {
      title: map.title,
      width: Math.min(4 * SIZE, Math.max(SIZE, cols * 6)),
      height: Math.max(120, rows * 18),
      background: 'white',
      data: { values },
      mark: 'rect',
      encoding: {
        x: { field: 'col', type: 'ordinal', title: map.xLabel ?? 'column', axis: { labels: cols <= 32 } },
        y: { field: 'row', type: 'ordinal', title: map.yLabel ?? 'row' },
        color: {
          field: 'v',
          type: 'quantitative',
          title: 'value',
          scale: map.diverging ? { scheme: 'redblue', reverse: true, domain: [-limit, limit] } : { scheme: 'viridis' },
        },
      },
    },
    { kind: 'heatmap', plot: map },
  );
}

/**
 * The SVG as PNG, `scale` pixels per SVG unit, text in the system's fonts. resvg is a native addon,
 * loaded on first use only: the sandboxed grading child (no addons on the CPU) never needs it.
 */
export async function svgToPng(svg: string, scale = 1): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true } }).render().asPng();
}

/** Reads back what scatterPlotSvg or heatMapSvg wrote. */
export function parsePlotSvg(svg: string): PlotData {
  const root = /^<svg\b[^>]*>/.exec(svg.trimStart());
  const kind = root && /\bdata-chart="(scatter|heatmap)"/.exec(root[0])?.[1];
  const json = root && /\bdata-values="([^"]*)"/.exec(root[0])?.[1];
  if (!kind || json === undefined || json === null) {
    throw new Error(
      'parsePlotSvg: the <svg> element has no data-chart / data-values; not written by scatterPlotSvg or heatMapSvg?',
    );
  }
  const text = json
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return { kind, plot: JSON.parse(text) } as PlotData;
}
