/** Python's spelling of values, so that a layer prints exactly as it does in PyTorch. */

/** Python's float repr: 0.1, 1.0, 1e-05. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    return x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/** A tuple as Python prints it: (3, 3), and (10,) for one element. */
export function pyTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}
