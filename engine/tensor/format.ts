/** A readable repr like PyTorch's: tensor([[1., 2.], [3., 4.]], requires_grad=True). */
import { isFloatingPoint } from '../dtype.ts';
import type { Tensor } from './tensor.ts';

const MAX_SHOWN = 1000;
const EDGE = 3;

function formatNumber(v: number, float: boolean, fixed: number | null): string {
  if (!float) return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (fixed !== null) return v.toFixed(fixed);
  return Number.isInteger(v) ? `${v}.` : String(v);
}

/** PyTorch prints integral floats as "1." and others with 4 decimals, or scientific when needed. */
function numberStyle(values: ArrayLike<number>): (v: number) => string {
  const finite = Array.from(values).filter(Number.isFinite);
  const allInt = finite.every(Number.isInteger);
  const maxAbs = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const minAbs = finite.filter((v) => v !== 0).reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
  const sci = !allInt && (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity));
  if (sci)
    return (v) =>
      Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : formatNumber(v, true, null);
  return (v) => formatNumber(v, true, allInt ? null : 4);
}

function render(
  values: ArrayLike<number>,
  shape: readonly number[],
  fmt: (v: number) => string,
  summarize: boolean,
): string {
  if (shape.length === 0) return fmt(values[0]!);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const build = (depth: number, base: number, indent: string): string => {
    const n = shape[depth]!;
    const items: string[] = [];
    const pick =
      summarize && n > 2 * EDGE
        ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)]
        : [...Array(n).keys()];
    for (const i of pick) {
      if (i === -1) items.push('...');
      else
        items.push(
          depth === shape.length - 1
            ? fmt(values[base + i]!)
            : build(depth + 1, base + i * strides[depth]!, indent + ' '),
        );
    }
    const sep = depth === shape.length - 1 ? ', ' : ',' + '\n'.repeat(shape.length - depth - 1) + indent + ' ';
    return `[${items.join(sep)}]`;
  };
  return build(0, 0, '       ');
}

export function formatTensor(t: Tensor): string {
  const suffix: string[] = [];
  if (t.device !== 'cpu') suffix.push(`device='${t.device}'`);
  if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') suffix.push(`dtype=torch.${t.dtype}`);
  if (t.gradFn) suffix.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffix.push('requires_grad=True');
  const tail = suffix.length ? `, ${suffix.join(', ')}` : '';
  const backend = t.storage.backend;
  if (!backend.readSync) return `tensor(<${t.numel()} values of shape [${t.shape.join(', ')}]>${tail})`;
  const values = backend.readSync(t.strided);
  const fmt =
    t.dtype === 'bool'
      ? (v: number) => (v ? 'True' : 'False')
      : isFloatingPoint(t.dtype)
        ? numberStyle(values)
        : (v: number) => String(v);
  const body = t.numel() === 0 ? '[]' : render(values, t.shape, fmt, t.numel() > MAX_SHOWN);
  return `tensor(${body}${tail})`;
}
