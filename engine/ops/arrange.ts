/**
 * torch's functions that broadcast, stack, roll, rotate and combine tensors, composed from views,
 * cat, gather and matmul (so each has its gradient and runs on every backend): broadcastTo /
 * broadcastTensors / broadcastShapes, hstack vstack dstack columnStack, meshgrid, cartesianProd,
 * roll, fliplr flipud rot90, repeatInterleave, kron, inner, tensordot, cross, take, takeAlongDim,
 * trilIndices triuIndices.
 */
import { argTypeError, isOptions, namedArgs, tensorArg, tensorListArg } from '../args.ts';
import { hostArray, type DType, type Device } from '../dtype.ts';
import { arange, fromHost } from '../tensor/create.ts';
import { broadcastShapes as broadcastPair, formatShape, normalizeDim } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { cat, stack } from './indexing.ts';
import { flip } from './math.ts';
import { dimsOf } from './movement.ts';
import { warnOnce } from '../nn/functional/warn.ts';

/** Tensors given as separate arguments or as one array, as PyTorch's *tensors. */
function tensorsOf(call: string, args: unknown[]): readonly Tensor[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  return tensorListArg(call, 'tensors', 1, list);
}

export function isTensor(obj: unknown): obj is Tensor {
  return obj instanceof Tensor;
}

/** The shape every given shape broadcasts to (numbers count as 1-D shapes). */
export function broadcastShapes(...shapes: (number | readonly number[])[]): number[] {
  shapes.forEach((s, i) => {
    const ok = typeof s === 'number' || (Array.isArray(s) && s.every((d) => Number.isInteger(d)));
    if (!ok) throw argTypeError('torch.broadcastShapes', 'shapes', i + 1, 'a shape (an int or a list of ints)', s);
  });
  return shapes.reduce<number[]>((acc, s) => [...broadcastPair(acc, typeof s === 'number' ? [s] : s)], []);
}

export function broadcastTo(x: Tensor, ...shape: number[] | [readonly number[]]): Tensor {
  return tensorArg('torch.broadcastTo', 'input', 1, x).expand(dimsOf(shape));
}

/** Each tensor expanded (a view) to the shape they broadcast to together. */
export function broadcastTensors(...tensors: Tensor[] | [readonly Tensor[]]): Tensor[] {
  const list = tensorsOf('torch.broadcastTensors', tensors);
  const shape = broadcastShapes(...list.map((t) => t.shape));
  return list.map((t) => t.expand(shape));
}

const atLeast = (t: Tensor, n: number, place: (t: Tensor) => readonly number[]): Tensor =>
  t.ndim >= n ? t : t.reshape(place(t));

export function atleast1d(t: Tensor): Tensor {
  return atLeast(tensorArg('torch.atleast1d', 'input', 1, t), 1, () => [1]);
}
export function atleast2d(t: Tensor): Tensor {
  return atLeast(tensorArg('torch.atleast2d', 'input', 1, t), 2, (x) => (x.ndim === 0 ? [1, 1] : [1, x.shape[0]!]));
}
export function atleast3d(t: Tensor): Tensor {
  return atLeast(tensorArg('torch.atleast3d', 'input', 1, t), 3, (x) =>
    x.ndim === 0 ? [1, 1, 1] : x.ndim === 1 ? [1, x.shape[0]!, 1] : [...x.shape, 1],
  );
}

function nonEmpty(call: string, list: readonly Tensor[]): readonly Tensor[] {
  if (list.length === 0) throw new RangeError(`${call}(): expects a non-empty TensorList`);
  return list;
}

/** Joins along dim 1, or dim 0 for 1-D tensors (each 0-D one taken as 1-D). */
export function hstack(tensors: readonly Tensor[]): Tensor {
  const list = nonEmpty('hstack', tensorListArg('torch.hstack', 'tensors', 1, tensors)).map(atleast1d);
  return cat(list, list[0]!.ndim === 1 ? 0 : 1);
}
/** Stacks as rows: 1-D tensors become rows, then joins along dim 0. */
export function vstack(tensors: readonly Tensor[]): Tensor {
  return cat(nonEmpty('vstack', tensorListArg('torch.vstack', 'tensors', 1, tensors)).map(atleast2d), 0);
}
/** Joins along dim 2 (each tensor taken as at least 3-D). */
export function dstack(tensors: readonly Tensor[]): Tensor {
  return cat(nonEmpty('dstack', tensorListArg('torch.dstack', 'tensors', 1, tensors)).map(atleast3d), 2);
}
/** 0-D and 1-D tensors become columns; then joins along dim 1. */
export function columnStack(tensors: readonly Tensor[]): Tensor {
  const list = nonEmpty('column_stack', tensorListArg('torch.columnStack', 'tensors', 1, tensors));
  return cat(
    list.map((t) => (t.ndim <= 1 ? t.reshape([t.numel(), 1]) : t)),
    1,
  );
}

/**
 * Coordinate grids of 1-D tensors: with indexing 'ij' (PyTorch's default, which warns when it is
 * not given, as PyTorch 1.13 does) grid i varies along dim i; with 'xy' the first two swap.
 */
export function meshgrid(...args: unknown[]): Tensor[] {
  const call = 'torch.meshgrid';
  const last = args[args.length - 1];
  const options = isOptions(last) ? (args.pop() as { indexing?: 'ij' | 'xy' }) : {};
  const { indexing } = namedArgs<{ indexing: 'ij' | 'xy' }>(call, [], [options], ['indexing']);
  if (indexing !== undefined && indexing !== 'ij' && indexing !== 'xy')
    throw new RangeError(`torch.meshgrid: indexing must be one of "xy" or "ij", but received: ${String(indexing)}`);
  if (indexing === undefined)
    warnOnce(
      'torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument. ' +
        "(PyTorch's default, 'ij', is used.)",
    );
  const list = tensorsOf(call, args);
  for (const t of list)
    if (t.ndim > 1)
      throw new RangeError(
        `torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: ${formatShape(t.shape)}`,
      );
  const flat = list.map((t) => t.reshape([-1]));
  const order = flat.map((_, i) => i);
  if (indexing === 'xy' && flat.length >= 2) [order[0], order[1]] = [1, 0];
  const shape = order.map((i) => flat[i]!.shape[0]!);
  return flat.map((t, i) => {
    const at = order.indexOf(i);
    return t.reshape(shape.map((d, j) => (j === at ? d : 1))).expand(shape);
  });
}

/** Every combination of the 1-D tensors' elements, as rows (the first tensor varies slowest). */
export function cartesianProd(...tensors: Tensor[] | [readonly Tensor[]]): Tensor {
  const list = tensorsOf('torch.cartesianProd', tensors);
  for (const t of list)
    if (t.ndim !== 1) throw new RangeError(`Expect a 1D vector, but got shape ${formatShape(t.shape)}`);
  if (list.length === 1) return list[0]!;
  const grids = meshgrid(...list, { indexing: 'ij' });
  return stack(
    grids.map((g) => g.reshape([-1])),
    1,
  );
}

/** Rolls along dims by shifts (elements past the end come round to the start); with no dims, over the flattened tensor. */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
  const call = 'torch.roll';
  tensorArg(call, 'input', 1, x);
  const ints = (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.every((d) => Number.isInteger(d)));
  if (!ints(shifts)) throw argTypeError(call, 'shifts', 2, 'an int or a tuple of ints', shifts);
  if (dims !== undefined && dims !== null && !ints(dims))
    throw argTypeError(call, 'dims', 3, 'an int or a tuple of ints', dims);
  const s = typeof shifts === 'number' ? [shifts] : [...shifts];
  if (dims === undefined || dims === null || (Array.isArray(dims) && dims.length === 0)) {
    if (s.length !== 1) throw new RangeError(`${call}: shifts and dimensions must align. shifts: ${s.length}, dims: 0`);
    return roll(x.reshape([-1]), s[0]!, 0).reshape(x.shape);
  }
  const d = typeof dims === 'number' ? [dims] : [...dims];
  if (s.length !== d.length)
    throw new RangeError(`${call}: shifts and dimensions must align. shifts: ${s.length}, dims: ${d.length}`);
  let y = x;
  for (let i = 0; i < d.length; i++) {
    const dim = normalizeDim(d[i]!, x.ndim);
    const n = x.shape[dim]!;
    const k = n === 0 ? 0 : ((s[i]! % n) + n) % n;
    if (k !== 0) y = cat([y.narrow(dim, n - k, k), y.narrow(dim, 0, n - k)], dim);
  }
  return y === x ? x.clone() : y;
}

export function fliplr(x: Tensor): Tensor {
  tensorArg('torch.fliplr', 'input', 1, x);
  if (x.ndim < 2) throw new RangeError('Input must be >= 2-d.');
  return flip(x, 1);
}
export function flipud(x: Tensor): Tensor {
  tensorArg('torch.flipud', 'input', 1, x);
  if (x.ndim < 1) throw new RangeError('Input must be >= 1-d.');
  return flip(x, 0);
}

/** Rotates by 90°·k in the plane of dims (from the first dim towards the second), as PyTorch's rot90. */
export function rot90(
  x: Tensor,
  k: number | { k?: number; dims?: readonly number[] } = 1,
  dims?: readonly number[],
): Tensor {
  const call = 'torch.rot90';
  tensorArg(call, 'input', 1, x);
  const o = namedArgs<{ k: number; dims: readonly number[] }>(call, ['k', 'dims'], [k, dims]);
  if (o.k !== undefined && !Number.isInteger(o.k)) throw argTypeError(call, 'k', 2, 'an int', o.k);
  if (o.dims !== undefined && !Array.isArray(o.dims)) throw argTypeError(call, 'dims', 3, 'a list of ints', o.dims);
  const [d0, d1] = (o.dims ?? [0, 1]).map((d) => normalizeDim(d, x.ndim)) as [number, number];
  if ((o.dims ?? [0, 1]).length !== 2)
    throw new RangeError(`expected total rotation dims == 2, but got dims = ${(o.dims ?? []).length}`);
  if (x.ndim < 2) throw new RangeError(`expected total dims >= 2, but got total dims = ${x.ndim}`);
  if (d0 === d1) throw new RangeError(`expected rotation dims to be different, but got dim0 = ${d0} and dim1 = ${d1}`);
  const turns = (((o.k ?? 1) % 4) + 4) % 4;
  if (turns === 1) return flip(x, d1).transpose(d0, d1);
  if (turns === 2) return flip(x, d0, d1);
  if (turns === 3) return flip(x, d0).transpose(d0, d1);
  return x.clone();
}

export interface RepeatInterleaveOptions {
  dim?: number | null;
  /** The output's length along dim, when the repeats are a tensor: needed on a device that cannot read them at once (WebGPU). */
  outputSize?: number | null;
}

/**
 * Each element (or slice along dim) repeated `repeats` times: an int, or a tensor of one count per
 * element (0-d or of size 1: the same count for all). A tensor's counts size the output, so they
 * are read at once where the device can (the CPU); elsewhere pass `outputSize`. With only a tensor
 * of counts, `torch.repeatInterleave(repeats)` repeats each index i repeats[i] times.
 */
export function repeatInterleave(
  x: Tensor,
  repeats?: number | Tensor | null,
  dim?: number | RepeatInterleaveOptions | null,
  options?: RepeatInterleaveOptions,
): Tensor {
  const call = 'torch.repeatInterleave';
  tensorArg(call, 'input', 1, x);
  if (repeats === undefined || repeats === null) {
    if (x.ndim > 1) throw new RangeError('repeats must be 0-dim or 1-dim tensor');
    const counts = x.reshape([-1]);
    return repeatInterleave(arange(counts.numel(), { dtype: 'int32', device: x.device }), counts, 0, options);
  }
  if (typeof repeats !== 'number' && !(repeats instanceof Tensor))
    throw argTypeError(call, 'repeats', 2, 'an int or a tensor of ints', repeats);
  const o = namedArgs<RepeatInterleaveOptions>(call, ['dim'], [dim, options], ['dim', 'outputSize']);
  const d = o.dim ?? null;
  const input = d === null ? x.reshape([-1]) : x;
  const axis = d === null ? 0 : normalizeDim(d, x.ndim);
  const size = input.shape[axis]!;
  if (typeof repeats === 'number') {
    if (!Number.isInteger(repeats) || repeats < 0) throw new RangeError('repeats can not be negative');
    const expanded = input.unsqueeze(axis + 1).expand(input.shape.flatMap((n, i) => (i === axis ? [n, repeats] : [n])));
    return expanded.reshape(input.shape.map((n, i) => (i === axis ? n * repeats : n)));
  }
  if (repeats.dtype !== 'int32')
    throw new TypeError(`"repeat_interleave_${x.device}" not implemented for '${repeats.dtype}'`);
  if (repeats.ndim > 1) throw new RangeError('repeats must be 0-dim or 1-dim tensor');
  if (repeats.numel() !== 1 && repeats.numel() !== size)
    throw new RangeError('repeats must have the same size as input along dim');
  const counts = repeats.reshape([-1]).expand([size]);
  return input.indexSelect(axis, repeatedIndex(counts, o.outputSize ?? null));
}

/** For each output position, the index it repeats: i repeated counts[i] times. */
function repeatedIndex(counts: Tensor, outputSize: number | null): Tensor {
  const device = counts.device;
  const backend = counts.storage.backend;
  if (backend.readSync) {
    const values = Array.from(backend.readSync(counts.strided));
    if (values.some((v) => v < 0)) throw new RangeError('repeats can not be negative');
    const total = values.reduce((a, b) => a + b, 0);
    if (outputSize !== null && outputSize !== total)
      throw new RangeError('allocated size does not match required size');
    const index = new Int32Array(total);
    let at = 0;
    values.forEach((v, i) => index.fill(i, at, (at += v)));
    return fromHost(index, [total], { dtype: 'int32', device });
  }
  if (outputSize === null)
    throw new Error(
      `repeatInterleave on ${device} needs outputSize: the output's length is the sum of the repeats, and reading them would wait for the device`,
    );
  // Output position j repeats the number of cumulative counts ≤ j.
  const ends = counts.cumsum(0);
  return arange(outputSize, { dtype: 'int32', device }).unsqueeze(1).ge(ends.unsqueeze(0)).sum(1).to('int32');
}

/** The Kronecker product: block (i, j, …) is a[i, j, …]·b. */
export function kron(a: Tensor, b: Tensor): Tensor {
  tensorArg('torch.kron', 'input', 1, a);
  tensorArg('torch.kron', 'other', 2, b);
  const n = Math.max(a.ndim, b.ndim);
  const pad = (t: Tensor) => [...Array<number>(n - t.ndim).fill(1), ...t.shape];
  const [sa, sb] = [pad(a), pad(b)];
  const product = a.reshape(sa.flatMap((d) => [d, 1])).mul(b.reshape(sb.flatMap((d) => [1, d])));
  return product.reshape(sa.map((d, i) => d * sb[i]!));
}

/** Sums a's and b's products over their last dims (a number for 1-D tensors; a·b when either is 0-D). */
export function inner(a: Tensor, b: Tensor): Tensor {
  tensorArg('torch.inner', 'input', 1, a);
  tensorArg('torch.inner', 'other', 2, b);
  if (a.ndim === 0 || b.ndim === 0) return a.mul(b);
  const [ka, kb] = [a.shape[a.ndim - 1]!, b.shape[b.ndim - 1]!];
  if (ka !== kb)
    throw new RangeError(
      `inner() the last dimension must match on both input tensors but got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  return tensordot(a, b, [[a.ndim - 1], [b.ndim - 1]]);
}

/** Sums products over a's last `dims` dims and b's first ones, or over the given pairs of dims. */
export function tensordot(
  a: Tensor,
  b: Tensor,
  dims:
    | number
    | readonly [readonly number[], readonly number[]]
    | { dims?: number | readonly [readonly number[], readonly number[]] } = 2,
): Tensor {
  const call = 'torch.tensordot';
  tensorArg(call, 'a', 1, a);
  tensorArg(call, 'b', 2, b);
  const given =
    namedArgs<{ dims: number | readonly [readonly number[], readonly number[]] }>(call, ['dims'], [dims]).dims ?? 2;
  let [da, db]: [number[], number[]] =
    typeof given === 'number'
      ? [Array.from({ length: given }, (_, i) => a.ndim - given + i), Array.from({ length: given }, (_, i) => i)]
      : [[...given[0]], [...given[1]]];
  if (typeof given === 'number' && (given < 0 || given > Math.min(a.ndim, b.ndim)))
    throw new RangeError(`tensordot expects dims < ndim_a or ndim_b, but got dims=${given}`);
  da = da.map((d) => normalizeDim(d, a.ndim));
  db = db.map((d) => normalizeDim(d, b.ndim));
  if (da.length !== db.length) throw new RangeError('both dimension lists should have same length');
  for (let i = 0; i < da.length; i++)
    if (a.shape[da[i]!] !== b.shape[db[i]!])
      throw new RangeError(
        `contracted dimensions need to match, but first has size ${a.shape[da[i]!]} in dim ${da[i]} and second has size ${b.shape[db[i]!]} in dim ${db[i]}`,
      );
  const freeA = a.shape.map((_, i) => i).filter((i) => !da.includes(i));
  const freeB = b.shape.map((_, i) => i).filter((i) => !db.includes(i));
  const k = da.reduce((p, d) => p * a.shape[d]!, 1);
  const left = a.permute([...freeA, ...da]).reshape([-1, k]);
  const right = b.permute([...db, ...freeB]).reshape([k, -1]);
  return left.matmul(right).reshape([...freeA.map((i) => a.shape[i]!), ...freeB.map((i) => b.shape[i]!)]);
}

/** The cross product of 3-vectors along dim (by default the first dim of size 3); the inputs broadcast. */
export function cross(a: Tensor, b: Tensor, dim?: number | { dim?: number | null } | null): Tensor {
  const call = 'torch.cross';
  tensorArg(call, 'input', 1, a);
  tensorArg(call, 'other', 2, b);
  const shape = broadcastShapes(a.shape, b.shape);
  const given = namedArgs<{ dim: number | null }>(call, ['dim'], [dim]).dim;
  const d = given === undefined || given === null ? shape.indexOf(3) : normalizeDim(given, shape.length);
  if (d < 0) throw new RangeError(`no dimension of size 3 in input`);
  if (shape[d] !== 3)
    throw new RangeError(`linalg.cross: inputs dimension ${d} must have length 3. Got ${shape[d]} and ${shape[d]}`);
  const [x, y] = [a.expand(shape), b.expand(shape)];
  const c = (t: Tensor, i: number) => t.narrow(d, i, 1);
  return cat(
    [
      c(x, 1)
        .mul(c(y, 2))
        .sub(c(x, 2).mul(c(y, 1))),
      c(x, 2)
        .mul(c(y, 0))
        .sub(c(x, 0).mul(c(y, 2))),
      c(x, 0)
        .mul(c(y, 1))
        .sub(c(x, 1).mul(c(y, 0))),
    ],
    d,
  );
}

/** The elements of the flattened input at `index` (any shape; negative counts from the end). */
export function take(x: Tensor, index: Tensor): Tensor {
  tensorArg('torch.take', 'input', 1, x);
  tensorArg('torch.take', 'index', 2, index);
  return x
    .reshape([-1])
    .indexSelect(0, index.reshape([-1]))
    .reshape(index.shape);
}

/** gather with the index broadcast against the input (all dims but dim); over the flattened input when dim is not given. */
export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number | { dim?: number | null } | null): Tensor {
  const call = 'torch.takeAlongDim';
  tensorArg(call, 'input', 1, x);
  tensorArg(call, 'indices', 2, indices);
  const d = namedArgs<{ dim: number | null }>(call, ['dim'], [dim]).dim;
  if (d === undefined || d === null) return x.reshape([-1]).gather(0, indices.reshape([-1]));
  const axis = normalizeDim(d, x.ndim);
  if (x.ndim !== indices.ndim)
    throw new RangeError(
      `torch.take_along_dim(): input and indices should have the same number of dimensions, but got ${x.ndim} dimensions for input, and ${indices.ndim} dimensions for indices`,
    );
  const withDim = (s: readonly number[], n: number) => s.map((v, i) => (i === axis ? n : v));
  const common = broadcastShapes(withDim(x.shape, 1), withDim(indices.shape, 1));
  return x.expand(withDim(common, x.shape[axis]!)).gather(axis, indices.expand(withDim(common, indices.shape[axis]!)));
}

interface IndicesOptions {
  offset?: number;
  dtype?: DType;
  device?: Device;
}

/** The [2, N] row and column indices of a row × col matrix's lower (tril) or upper (triu) triangle, row by row. */
function triangleIndices(call: string, lower: boolean) {
  return (row: number, col: number, ...rest: unknown[]): Tensor => {
    const {
      offset = 0,
      dtype = 'int32',
      device,
    } = namedArgs<IndicesOptions>(call, ['offset'], rest, ['offset', 'dtype', 'device']);
    for (const [name, v] of [
      ['row', row],
      ['col', col],
    ] as const)
      if (!Number.isInteger(v) || v < 0)
        throw argTypeError(call, name, name === 'row' ? 1 : 2, 'a non-negative int', v);
    const rows: number[] = [];
    const cols: number[] = [];
    for (let i = 0; i < row; i++)
      for (let j = 0; j < col; j++)
        if (lower ? j - i <= offset : j - i >= offset) {
          rows.push(i);
          cols.push(j);
        }
    const host = hostArray(dtype, rows.length * 2);
    host.set([...rows, ...cols]);
    return fromHost(host, [2, rows.length], { dtype, device });
  };
}

export const trilIndices = triangleIndices('torch.trilIndices', true);
export const triuIndices = triangleIndices('torch.triuIndices', false);

/**
 * vsplit, hsplit, dsplit: tensor_split along dim 0, 1 (0 for a 1-D tensor) or 2 into `sections`
 * equal parts (which must divide the size) or at the given indices (views).
 */
function splitAlong(call: string, minDims: number, dimOf: (x: Tensor) => number) {
  return (x: Tensor, indicesOrSections: number | readonly number[]): Tensor[] => {
    tensorArg(call, 'input', 1, x);
    if (x.ndim < minDims)
      throw new RangeError(
        `${call} requires a tensor with at least ${minDims} dimension, but got a tensor with ${x.ndim} dimensions!`,
      );
    const dim = dimOf(x);
    const size = x.shape[dim]!;
    if (typeof indicesOrSections === 'number') {
      const sections = indicesOrSections;
      if (!Number.isInteger(sections) || sections === 0 || size % sections !== 0)
        throw new RangeError(
          `${call} attempted to split along dimension ${dim}, but the size of the dimension ${size} is not divisible by the split_size ${sections}!`,
        );
      const k = size / sections;
      return Array.from({ length: sections }, (_, i) => x.narrow(dim, i * k, k));
    }
    if (!Array.isArray(indicesOrSections) || !indicesOrSections.every(Number.isInteger))
      throw argTypeError(call, 'indices_or_sections', 2, 'an int or a list of ints', indicesOrSections);
    const at = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
    const bounds = [0, ...indicesOrSections.map(at), size];
    return bounds.slice(1).map((end, i) => {
      const start = bounds[i]!;
      return x.narrow(dim, start, Math.max(end - start, 0));
    });
  };
}

export const vsplit = splitAlong('torch.vsplit', 2, () => 0);
export const hsplit = splitAlong('torch.hsplit', 1, (x) => (x.ndim === 1 ? 0 : 1));
export const dsplit = splitAlong('torch.dsplit', 3, () => 2);
