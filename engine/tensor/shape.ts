/** Shapes, strides and dims: the bookkeeping every movement op and kernel call relies on. */

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Checks one size the way torch does: a non-negative integer. */
export function checkSize(size: unknown, what = 'size'): number {
  if (typeof size !== 'number' || !Number.isInteger(size)) {
    throw new TypeError(`${what} must be a non-negative integer, but got ${String(size)}`);
  }
  if (size < 0) throw new RangeError(`Trying to create tensor with negative dimension ${size}: ${what}`);
  return size;
}

/**
 * Shapes are accepted as separate numbers or as one array, as in PyTorch:
 * `zeros(2, 3)`, `zeros([2, 3])`.
 */
export function shapeArgs(args: readonly unknown[]): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  return list.map((s, i) => checkSize(s, `size[${i}]`));
}

/** torch's maybe_wrap_dim: negative dims count from the end; a 0-d tensor accepts dims -1 and 0. */
export function normalizeDim(dim: number, ndim: number): number {
  if (!Number.isInteger(dim)) throw new TypeError(`dim must be an integer, but got ${dim}`);
  const n = Math.max(ndim, 1);
  if (dim < -n || dim >= n) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Dims for a reduction: undefined means all; duplicates are an error, as in PyTorch. */
export function normalizeDims(dims: number | readonly number[] | undefined, ndim: number): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : [...dims];
  const out = list.map((d) => normalizeDim(d, ndim));
  const seen = new Set<number>();
  for (const d of out) {
    if (seen.has(d)) throw new RangeError(`dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
  }
  return out.filter((d) => d < ndim).sort((a, b) => a - b);
}

/** The broadcast shape of two shapes, or PyTorch's error naming the dims that disagree. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}` +
          ` (shapes ${formatShape(a)} and ${formatShape(b)})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that view `shape`/`strides` as `target` by broadcasting (stride 0 on expanded dims). */
export function expandStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const offset = target.length - shape.length;
  if (offset < 0) {
    throw new RangeError(
      `expand: the number of sizes provided (${target.length}) must be greater or equal to the number of dimensions in the tensor (${shape.length})`,
    );
  }
  return target.map((t, i) => {
    if (i < offset) return 0;
    const s = shape[i - offset]!;
    if (s === t) return strides[i - offset]!;
    if (s === 1) return 0;
    throw new RangeError(
      `The expanded size of the tensor (${t}) must match the existing size (${s}) at non-singleton dimension ${i}.  Target sizes: ${formatShape(target)}.  Tensor sizes: ${formatShape(shape)}`,
    );
  });
}

/** Resolves one -1 in a requested shape, or fails as torch.view/reshape do. */
export function inferShape(requested: readonly number[], total: number): number[] {
  let infer = -1;
  let known = 1;
  requested.forEach((d, i) => {
    if (d === -1) {
      if (infer >= 0) throw new RangeError('only one dimension can be inferred');
      infer = i;
    } else {
      checkSize(d, `shape[${i}]`);
      known *= d;
    }
  });
  const out = [...requested];
  if (infer >= 0) {
    if (known === 0 || total % known !== 0) {
      throw new RangeError(`shape '${formatShape(requested)}' is invalid for input of size ${total}`);
    }
    out[infer] = total / known;
  } else if (known !== total) {
    throw new RangeError(`shape '${formatShape(requested)}' is invalid for input of size ${total}`);
  }
  return out;
}

/**
 * Strides that let `shape`/`strides` be viewed as `target` without a copy, or null when the layout
 * does not allow it (PyTorch's computeStride): each run of target dims must map onto a run of
 * source dims that is itself contiguous in memory.
 */
export function viewStrides(shape: Shape, strides: readonly number[], target: Shape): number[] | null {
  const total = numel(shape);
  if (total === 0 || shape.length === 0) return contiguousStrides(target);
  const out = new Array<number>(target.length);
  let viewD = target.length - 1;
  let chunkBase = strides[strides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= target[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}
