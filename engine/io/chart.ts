/**
 * Line charts as standalone SVG. Besides the drawing, every series carries its exact data in
 * attributes (`data-series`, `data-points` with numbers written by String(), which round-trips
 * a double exactly) so a grader can read the numbers back with parseLineChartSvg instead of
 * reverse-engineering pixel coordinates. Output is a pure function of the input.
 */

export type Point = [x: number, y: number];

export interface LineSeries {
  name: string;
  points: Point[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
}

const WIDTH = 720;
const HEIGHT = 440;
const PLOT = { left: 72, right: 540, top: 48, bottom: 380 };
const LEGEND_X = PLOT.right + 20;
const MAX_ABS = 1e15;
// Tableau 10: distinguishable, and the same colour for the same series position every time.
const COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/**
 * Escapes text for both element content and attribute values. Tab/newline/CR become character
 * references so XML attribute normalization cannot turn them into spaces; the other C0 controls
 * are not allowed in XML 1.0 at all, so they become U+FFFD.
 */
function escapeXml(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- these are exactly the characters XML forbids
      .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '\ufffd')
      .replace(/[&<>"'\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`)
  );
}

interface Axis {
  min: number;
  max: number;
  ticks: number[];
  decimals: number;
}

/** About five ticks at 1/2/5 × 10^k steps, with the axis widened to whole steps. */
function niceAxis(lo: number, hi: number): Axis {
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) / 2;
    lo -= pad;
    hi += pad;
  }
  // Spans far below the values' magnitude cannot be drawn (or labelled) meaningfully; widening
  // them also keeps 10^-k finite for subnormal inputs.
  const minSpan = 1e-9 * Math.max(1, Math.abs(lo), Math.abs(hi));
  if (hi - lo < minSpan) {
    const mid = lo / 2 + hi / 2;
    lo = mid - minSpan / 2;
    hi = mid + minSpan / 2;
  }
  const rough = (hi - lo) / 5;
  const k = Math.floor(Math.log10(rough));
  const base = 10 ** k;
  const m = [1, 2, 5, 10].find((c) => c * base >= rough)!;
  // Work in integer multiples of the step so tick values carry no accumulated float error.
  const first = Math.floor(lo / (m * base));
  const last = Math.ceil(hi / (m * base));
  const step = (i: number): number => (k >= 0 ? i * m * 10 ** k : (i * m) / 10 ** -k);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(step(i));
  return { min: step(first), max: step(last), ticks, decimals: Math.max(0, -k - (m === 10 ? 1 : 0)) };
}

function px(v: number): string {
  return v.toFixed(2);
}

export function lineChartSvg(chart: LineChart): string {
  const all: Point[] = [];
  for (const s of chart.series) {
    for (const p of s.points) {
      if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
        throw new Error(`lineChartSvg: series ${JSON.stringify(s.name)} has a non-finite point (${p[0]}, ${p[1]})`);
      }
      // Beyond this the axis arithmetic would overflow; no training metric gets near it.
      if (Math.abs(p[0]) > MAX_ABS || Math.abs(p[1]) > MAX_ABS) {
        throw new Error(
          `lineChartSvg: series ${JSON.stringify(s.name)} has a point (${p[0]}, ${p[1]}) beyond ±${MAX_ABS}`,
        );
      }
      all.push(p);
    }
  }
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xAxis = all.length ? niceAxis(Math.min(...xs), Math.max(...xs)) : niceAxis(0, 1);
  const yAxis = all.length ? niceAxis(Math.min(...ys), Math.max(...ys)) : niceAxis(0, 1);
  const sx = (x: number): number => PLOT.left + ((x - xAxis.min) / (xAxis.max - xAxis.min)) * (PLOT.right - PLOT.left);
  const sy = (y: number): number =>
    PLOT.bottom - ((y - yAxis.min) / (yAxis.max - yAxis.min)) * (PLOT.bottom - PLOT.top);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}"` +
      ` data-chart="line" data-title="${escapeXml(chart.title)}" data-x-label="${escapeXml(chart.xLabel)}" data-y-label="${escapeXml(chart.yLabel)}"` +
      ` font-family="sans-serif" font-size="12">`,
  );
  out.push(`<title>${escapeXml(chart.title)}</title>`);
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  out.push(
    `<text x="${px((PLOT.left + PLOT.right) / 2)}" y="28" text-anchor="middle" font-size="16">${escapeXml(chart.title)}</text>`,
  );

  for (const t of xAxis.ticks) {
    const x = px(sx(t));
    out.push(`<line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.bottom}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${x}" y1="${PLOT.bottom}" x2="${x}" y2="${PLOT.bottom + 5}" stroke="#000000"/>`);
    out.push(`<text x="${x}" y="${PLOT.bottom + 18}" text-anchor="middle">${t.toFixed(xAxis.decimals)}</text>`);
  }
  for (const t of yAxis.ticks) {
    const y = px(sy(t));
    out.push(`<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.right}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${PLOT.left - 5}" y1="${y}" x2="${PLOT.left}" y2="${y}" stroke="#000000"/>`);
    out.push(
      `<text x="${PLOT.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${t.toFixed(yAxis.decimals)}</text>`,
    );
  }
  out.push(
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#000000"/>`,
  );
  out.push(
    `<text x="${px((PLOT.left + PLOT.right) / 2)}" y="${HEIGHT - 20}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
  );
  const yMid = px((PLOT.top + PLOT.bottom) / 2);
  out.push(
    `<text x="20" y="${yMid}" text-anchor="middle" transform="rotate(-90 20 ${yMid})">${escapeXml(chart.yLabel)}</text>`,
  );

  chart.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const drawn = s.points.map(([x, y]) => `${px(sx(x))},${px(sy(y))}`).join(' ');
    const data = s.points.map(([x, y]) => `${x},${y}`).join(' ');
    out.push(
      `<polyline data-series="${escapeXml(s.name)}" data-points="${data}" points="${drawn}" fill="none" stroke="${color}" stroke-width="2"/>`,
    );
    const ly = PLOT.top + 10 + 20 * i;
    out.push(`<line x1="${LEGEND_X}" y1="${ly}" x2="${LEGEND_X + 24}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${LEGEND_X + 30}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function unescapeXml(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] !== '#') return named[body] ?? whole;
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

/** A start tag, allowing '>' inside quoted attribute values. */
const tagPattern = (name: string): RegExp => new RegExp(`<${name}\\b(?:[^>"']|"[^"]*"|'[^']*')*>`, 'g');

/** Attributes of the start tag `tag`, values unescaped. */
function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attrs[m[1]!] = unescapeXml(m[2] ?? m[3] ?? '');
  }
  return attrs;
}

function parsePoints(text: string, series: string): Point[] {
  const trimmed = text.trim().replace(/\s*,\s*/g, ',');
  if (trimmed === '') return [];
  return trimmed.split(/\s+/).map((pair) => {
    const parts = pair.split(',');
    const nums = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
    if (nums.length !== 2 || !nums.every(Number.isFinite)) {
      throw new Error(
        `parseLineChartSvg: series ${JSON.stringify(series)} has a malformed point ${JSON.stringify(pair)}`,
      );
    }
    return [nums[0]!, nums[1]!];
  });
}

/** Reads back what lineChartSvg wrote: title, axis labels and every series' exact points. */
export function parseLineChartSvg(svg: string): LineChart {
  const root = tagPattern('svg').exec(svg);
  if (!root) throw new Error('parseLineChartSvg: no <svg> element found');
  const rootAttrs = attributes(root[0]);
  if (rootAttrs['data-chart'] !== 'line') {
    throw new Error(
      'parseLineChartSvg: the <svg> element has no data-chart="line" attribute; not written by lineChartSvg?',
    );
  }
  const series: LineSeries[] = [];
  for (const m of svg.matchAll(tagPattern('polyline'))) {
    const attrs = attributes(m[0]);
    const name = attrs['data-series'];
    if (name === undefined) continue; // a decorative polyline, not a data series
    series.push({ name, points: parsePoints(attrs['data-points'] ?? '', name) });
  }
  return {
    title: rootAttrs['data-title'] ?? '',
    xLabel: rootAttrs['data-x-label'] ?? '',
    yLabel: rootAttrs['data-y-label'] ?? '',
    series,
  };
}
