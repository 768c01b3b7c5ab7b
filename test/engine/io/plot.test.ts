import { describe, expect, it } from 'vitest';
import { decodePng } from '#engine/io/png';
import { heatMapSvg, parsePlotSvg, scatterPlotSvg, svgToPng } from '#engine/io/plot';

// Scatter plots and heat maps through Vega-Lite: the SVG draws every point or cell and carries the
// plotted numbers back; the PNG is that SVG rasterised.
describe('plots', () => {
  it('a scatter plot draws one mark per point and reads back its data', async () => {
    const plot = {
      title: 't-SNE',
      points: [
        [0, 1],
        [2.5, -1],
        [1, 1],
      ] as [number, number][],
      labels: [3, 7, 3],
    };
    const svg = await scatterPlotSvg(plot);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('t-SNE');
    const symbols = svg.slice(svg.indexOf('class="mark-symbol role-mark'));
    expect(symbols.slice(0, symbols.indexOf('</g>')).match(/<path /g)).toHaveLength(3);
    expect(parsePlotSvg(svg)).toEqual({ kind: 'scatter', plot });
    const png = decodePng(await svgToPng(svg), 'scatter.png');
    expect(png.width).toBeGreaterThan(400);
    await expect(scatterPlotSvg({ ...plot, labels: [1] })).rejects.toThrow(/3 points but 1 labels/);
    await expect(
      scatterPlotSvg({
        ...plot,
        points: [
          [0, NaN],
          [0, 0],
          [1, 1],
        ],
      }),
    ).rejects.toThrow(/not finite/);
  });

  it('a heat map reads back its values; ragged rows are refused', async () => {
    const map = {
      title: 'fc2 "weights" <&>',
      values: [
        [-1, 0.5],
        [2, 0],
      ],
      diverging: true,
    };
    const svg = await heatMapSvg(map);
    expect(parsePlotSvg(svg)).toEqual({ kind: 'heatmap', plot: map });
    await expect(heatMapSvg({ title: 'x', values: [[1, 2], [3]] })).rejects.toThrow(/non-empty rectangle/);
    expect(() => parsePlotSvg('<svg></svg>')).toThrow(/not written by scatterPlotSvg/);
  });
});
