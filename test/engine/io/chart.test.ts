import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { lineChartSvg, parseLineChartSvg, type LineChart } from '#engine/io/chart';

const chart: LineChart = {
  title: 'Test accuracy <by> "setting" & epoch',
  xLabel: 'epoch',
  yLabel: 'accuracy',
  series: [
    {
      name: 'ReLU+Adam',
      points: [
        [1, 0.91],
        [2, 0.95],
        [3, 0.9712345678901234],
      ],
    },
    {
      name: "Sigmoid+SGD 'slow'",
      points: [
        [1, 0.62],
        [2, 0.8],
        [3, 0.86],
      ],
    },
    { name: 'empty', points: [] },
  ],
};

describe('lineChartSvg', () => {
  it('writes well-formed SVG with a title, axis labels, ticks, a legend and one polyline per series', () => {
    const svg = lineChartSvg(chart);
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false }).parse(svg);
    expect(doc.svg.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(svg).toContain('<title>Test accuracy &#60;by&#62; &#34;setting&#34; &#38; epoch</title>');
    expect(doc.svg.polyline).toHaveLength(3);
    const texts: string[] = doc.svg.text.map((t: { '#text'?: unknown }) => String(t['#text'] ?? ''));
    for (const label of ['epoch', 'accuracy', 'ReLU+Adam', '1.0', '3.0', '0.6', '0.8']) expect(texts).toContain(label);
    expect(svg).not.toMatch(/<by>|"setting"/); // text is escaped
  });

  it('is deterministic', () => {
    expect(lineChartSvg(structuredClone(chart))).toBe(lineChartSvg(chart));
  });

  it('reads back exactly what it was given', () => {
    expect(parseLineChartSvg(lineChartSvg(chart))).toEqual(chart);
  });

  it('round-trips arbitrary names and finite values', () => {
    const finite = fc.double({ min: -1e15, max: 1e15, noNaN: true });
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.array(
          fc.record({
            name: fc.string({ unit: 'grapheme' }),
            points: fc.array(fc.tuple(finite, finite), { maxLength: 5 }),
          }),
          { maxLength: 4 },
        ),
        (title, series) => {
          const c: LineChart = { title, xLabel: 'x\ty', yLabel: 'y\n', series };
          const svg = lineChartSvg(c);
          expect(XMLValidator.validate(svg)).toBe(true);
          // String(-0) is "0", and C0 controls XML cannot hold become U+FFFD; all else survives exactly.
          const norm = (v: LineChart): LineChart =>
            JSON.parse(JSON.stringify(v), (_, x: unknown) =>
              typeof x === 'string' ? x.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '\ufffd') : x,
            );
          expect(norm(parseLineChartSvg(svg))).toEqual(norm(c));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects non-finite and huge points, naming the series', () => {
    expect(() => lineChartSvg({ ...chart, series: [{ name: 'diverged', points: [[1, NaN]] }] })).toThrow(
      'lineChartSvg: series "diverged" has a non-finite point (1, NaN)',
    );
    expect(() => lineChartSvg({ ...chart, series: [{ name: 'big', points: [[1, 1e300]] }] })).toThrow(
      'lineChartSvg: series "big" has a point (1, 1e+300) beyond ±1000000000000000',
    );
  });

  it('draws every coordinate as a finite number, whatever the finite data', () => {
    const finite = fc.double({ min: -1e15, max: 1e15, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(finite, finite), { minLength: 1, maxLength: 5 }), (points) => {
        const svg = lineChartSvg({ title: '', xLabel: '', yLabel: '', series: [{ name: 's', points }] });
        const drawn = /points="([^"]*)"/.exec(svg)![1]!.split(/[ ,]/).map(Number);
        expect(drawn.every(Number.isFinite)).toBe(true);
        expect(svg).not.toMatch(/NaN|Infinity/);
      }),
      { numRuns: 300 },
    );
  });

  it('handles a single point and no points at all', () => {
    const one = lineChartSvg({ ...chart, series: [{ name: 's', points: [[5, 5]] }] });
    expect(one).not.toMatch(/NaN|Infinity/);
    expect(lineChartSvg({ ...chart, series: [] })).not.toMatch(/NaN|Infinity/);
  });
});

describe('parseLineChartSvg', () => {
  it('tolerates reformatting: whitespace, quote style, attribute order, extra elements', () => {
    const svg = `<?xml version="1.0"?>
      <svg   data-y-label = 'acc'
             xmlns="http://www.w3.org/2000/svg" data-chart="line" data-title="T &amp; U" data-x-label="ep">
        <polyline points="0,0 1,1"/>
        <polyline
            stroke="red"
            data-points="  1 , 0.5
                           2,0.75   3,1e-3 "
            data-series='A&gt;B' />
        <g><polyline data-series="empty" data-points=""></polyline></g>
      </svg>`;
    expect(parseLineChartSvg(svg)).toEqual({
      title: 'T & U',
      xLabel: 'ep',
      yLabel: 'acc',
      series: [
        {
          name: 'A>B',
          points: [
            [1, 0.5],
            [2, 0.75],
            [3, 0.001],
          ],
        },
        { name: 'empty', points: [] },
      ],
    });
  });

  it('rejects SVG it did not write and malformed points', () => {
    expect(() => parseLineChartSvg('<html></html>')).toThrow('parseLineChartSvg: no <svg> element found');
    expect(() => parseLineChartSvg('<svg width="1"></svg>')).toThrow('no data-chart="line" attribute');
    expect(() =>
      parseLineChartSvg('<svg data-chart="line"><polyline data-series="s" data-points="1,2 3"/></svg>'),
    ).toThrow('parseLineChartSvg: series "s" has a malformed point "3"');
  });
});
