/** Nested JavaScript arrays ↔ flat values and a shape. */

/** Flattens nested arrays, checking that they are rectangular (not ragged) and hold numbers. */
export function flatten(data: unknown): { values: number[]; shape: number[] } {
  const shape: number[] = [];
  for (let level: unknown = data; Array.isArray(level); level = level[0]) shape.push(level.length);
  const values: number[] = [];
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node === 'number') values.push(node);
      else if (typeof node === 'boolean') values.push(node ? 1 : 0);
      else if (Array.isArray(node)) throw new RangeError(raggedMessage(path, shape, depth, node.length));
      else
        throw new TypeError(
          `tensor(): expected a number or boolean at ${path || 'the top level'}, but got ${describe(node)}`,
        );
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new RangeError(raggedMessage(path, shape, depth, Array.isArray(node) ? node.length : null));
    }
    node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(data, 0, '');
  return { values, shape };
}

function raggedMessage(path: string, shape: number[], depth: number, found: number | null): string {
  const got = found === null ? 'a scalar' : `length ${found}`;
  return `expected sequence of length ${shape[depth] ?? 0} at dim ${depth} (got ${got} at data${path}): nested arrays must be rectangular`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  return typeof v === 'object' ? (v.constructor?.name ?? 'object') : `${typeof v} ${JSON.stringify(v)}`;
}

/** Rebuilds nested arrays of `shape` from row-major values. */
export function nest<T>(values: ArrayLike<T>, shape: readonly number[]): unknown {
  if (shape.length === 0) return values[0];
  let pos = 0;
  const build = (depth: number): unknown[] => {
    const n = shape[depth]!;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = depth === shape.length - 1 ? values[pos++] : build(depth + 1);
    return out;
  };
  return build(0);
}
