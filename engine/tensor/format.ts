/**
 * A tensor's repr, as PyTorch's torch/_tensor_str.py writes it with the default print options
 * (precision 4, threshold 1000, edgeitems 3, linewidth 80): one column width for every element,
 * integral floats as `1.`, scientific notation when the magnitudes call for it, long tensors
 * summarised with `...`, and the suffixes (`device=`, `dtype=`, `grad_fn=` / `requires_grad=True`).
 */
import { isFloatingPoint, type DType } from '../dtype.ts';
import type { Tensor } from './tensor.ts';

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE = 3;
const LINEWIDTH = 80;
const PREFIX = 'tensor(';

/** Node's util.inspect (console.log) calls this method, as Python's print calls __repr__. */
export const inspectCustom: unique symbol = Symbol.for('nodejs.util.inspect.custom');

/** Python's `f"{a:.{digits}f}"` for a ≥ 0: JavaScript's toFixed rounds a tie up, Python to even. */
function fixedPositive(a: number, digits: number): string {
  const up = a.toFixed(digits);
  // A tie has an exact expansion one digit longer, ending in 5: a is then k / 2^(digits+1).
  if (!Number.isInteger(a * 2 ** (digits + 1))) return up;
  const longer = a.toFixed(digits + 1);
  if (!longer.endsWith('5') || Number(up.at(-1)) % 2 === 0) return up;
  return longer.slice(0, digits === 0 ? -2 : -1);
}

/** Python's `f"{a:.{digits}e}"` for a ≥ 0 (two-digit exponent at least, ties to even). */
function expPositive(a: number, digits: number): string {
  let s = a.toExponential(digits);
  const [mantissa, exponent] = a.toExponential(digits + 1).split('e') as [string, string];
  // A tie: one more digit is a 5 and the exact expansion stops there (checked 20 digits further).
  const exact = a.toExponential(Math.min(100, digits + 21)).split('e')[0]!;
  const tie = mantissa.endsWith('5') && exact === mantissa + '0'.repeat(exact.length - mantissa.length);
  if (tie && Number(s.split('e')[0]!.at(-1)) % 2 === 1) s = `${mantissa.slice(0, -1)}e${exponent}`;
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function signed(v: number, positive: (a: number) => string): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return (v < 0 || Object.is(v, -0) ? '-' : '') + positive(Math.abs(v));
}

interface Formatter {
  width: number;
  format(v: number): string;
}

/** PyTorch's _Formatter: the style and column width, from the values that will be shown. */
function makeFormatter(values: readonly number[], dtype: DType): Formatter {
  const pad = (s: string, width: number) => s.padStart(width);
  if (!isFloatingPoint(dtype)) {
    const str = dtype === 'bool' ? (v: number) => (v ? 'True' : 'False') : (v: number) => String(v);
    const width = values.reduce((w, v) => Math.max(w, str(v).length), 1);
    return { width, format: (v) => pad(str(v), width) };
  }
  const finite = values.filter((v) => Number.isFinite(v) && v !== 0);
  const fixed = (v: number) => signed(v, (a) => fixedPositive(a, PRECISION));
  const sci = (v: number) => signed(v, (a) => expPositive(a, PRECISION));
  const integral = (v: number) => signed(v, (a) => fixedPositive(a, 0)) + (Number.isFinite(v) ? '.' : '');
  if (finite.length === 0) return { width: 1, format: (v) => pad(integral(v), 1) };
  const abs = finite.map(Math.abs);
  const max = Math.max(...abs);
  const min = Math.min(...abs);
  const intMode = finite.every(Number.isInteger);
  const sciMode = max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4);
  const style = sciMode ? sci : intMode ? integral : fixed;
  const width = finite.reduce((w, v) => Math.max(w, style(v).length), 1);
  return { width, format: (v) => pad(style(v), width) };
}

/** The indices along a dim of size n that are shown: all, or the first and last EDGE around a `...` (-1). */
function shownIndices(n: number, summarize: boolean): number[] {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: EDGE }, (_, i) => i), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)];
}

function render(values: ArrayLike<number>, shape: readonly number[], summarize: boolean, f: Formatter): string {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const str = (depth: number, base: number, indent: number): string => {
    const dim = shape.length - depth;
    if (dim === 0) return f.format(values[base]!);
    const picks = shownIndices(shape[depth]!, summarize);
    if (dim === 1) {
      const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / (f.width + 2)));
      const items = picks.map((i) => (i === -1 ? ' ...' : f.format(values[base + i]!)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return `[${lines.join(',\n' + ' '.repeat(indent + 1))}]`;
    }
    const slices = picks.map((i) => (i === -1 ? '...' : str(depth + 1, base + i * strides[depth]!, indent + 1)));
    return `[${slices.join(',' + '\n'.repeat(dim - 1) + ' '.repeat(indent + 1))}]`;
  };
  return str(0, 0, PREFIX.length);
}

/** The values the formatter sizes its columns from: those shown (get_summarized_data). */
function shownValues(values: ArrayLike<number>, shape: readonly number[], summarize: boolean): number[] {
  if (!summarize) return Array.from(values);
  const out: number[] = [];
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const walk = (depth: number, base: number) => {
    if (depth === shape.length) return void out.push(values[base]!);
    for (const i of shownIndices(shape[depth]!, true)) if (i !== -1) walk(depth + 1, base + i * strides[depth]!);
  };
  walk(0, 0);
  return out;
}

/** PyTorch's _add_suffixes: `, suffix` on the last line, or on a new line when it would pass 80 columns. */
function addSuffixes(text: string, suffixes: readonly string[]): string {
  let out = text;
  let lastLine = text.length - text.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (lastLine + s.length + 2 > LINEWIDTH) {
      out += ',\n' + ' '.repeat(PREFIX.length) + s;
      lastLine = PREFIX.length + s.length;
    } else {
      out += ', ' + s;
      lastLine += s.length + 2;
    }
  }
  return out + ')';
}

function pyShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

export function formatTensor(t: Tensor): string {
  const suffixes: string[] = [];
  if (t.device !== 'cpu') suffixes.push(`device='${t.device}'`);
  let body: string;
  if (t.numel() === 0) {
    if (t.ndim !== 1) suffixes.push(`size=${pyShape(t.shape)}`);
    if (t.dtype !== 'float32') suffixes.push(`dtype=torch.${t.dtype}`);
    body = '[]';
  } else {
    // int32 stands in for PyTorch's int64, whose dtype a repr leaves out, as it does float32's and bool's.
    if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') suffixes.push(`dtype=torch.${t.dtype}`);
    const backend = t.storage.backend;
    if (backend.readSync) {
      const values = backend.readSync(t.strided);
      const summarize = t.numel() > THRESHOLD;
      body = render(values, t.shape, summarize, makeFormatter(shownValues(values, t.shape, summarize), t.dtype));
    } else {
      // A GPU's values arrive later and a repr cannot wait: say how to see them.
      body = `<shape ${pyShape(t.shape)}: read the values with await x.toArray()>`;
    }
  }
  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(PREFIX + body, suffixes);
}
