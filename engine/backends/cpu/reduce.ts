/** Reductions over any set of axes of a strided view, accumulating in float64. */
import type { ArgReduceOp, ReduceOp, View } from '../../backend/types.ts';
import { storeRounding, type HostArray } from '../../dtype.ts';
import { cpuData, type CpuBuffer } from './buffer.ts';
import { contiguous, forEachRow, innermost } from './strided.ts';

interface Split {
  keptShape: number[];
  keptStrides: number[];
  redShape: number[];
  redStrides: number[];
}

function split(x: View, axes: readonly number[]): Split {
  const s: Split = { keptShape: [], keptStrides: [], redShape: [], redStrides: [] };
  x.shape.forEach((d, i) => {
    if (axes.includes(i)) {
      s.redShape.push(d);
      s.redStrides.push(x.strides[i]!);
    } else {
      s.keptShape.push(d);
      s.keptStrides.push(x.strides[i]!);
    }
  });
  return s;
}

/** Calls visit(offset) for every element of a strided block starting at base. */
function forEachOffset(
  base: number,
  shape: readonly number[],
  strides: readonly number[],
  visit: (o: number) => void,
): void {
  const nd = shape.length;
  if (nd === 0) return visit(base);
  if (shape.some((d) => d === 0)) return;
  const last = shape[nd - 1]!;
  const step = strides[nd - 1]!;
  const idx = new Array<number>(nd).fill(0);
  let p = base;
  for (;;) {
    for (let j = 0, q = p; j < last; j++, q += step) visit(q);
    let d = nd - 2;
    for (; d >= 0; d--) {
      idx[d]!++;
      p += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      p -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

function write(out: View, k: number, outOffsets: number[], value: number): void {
  const data = (out.buffer as CpuBuffer).data;
  const round = storeRounding(out.buffer.dtype);
  data[outOffsets[k]!] = round ? round(value) : value;
}

/** Offsets of out's elements in row-major order (out may be strided). */
function outOffsets(out: View): number[] {
  const offsets: number[] = [];
  forEachOffset(out.offset, out.shape, out.strides, (o) => offsets.push(o));
  return offsets;
}

const init: Readonly<Record<ReduceOp, number>> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };

export function reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void {
  if (op === 'sum' && sumOverRows(x, axes, out)) return;
  const data = cpuData(x);
  const s = split(x, axes);
  const offsets = outOffsets(out);
  if (op !== 'sum' && op !== 'prod' && s.redShape.some((d) => d === 0)) {
    throw new RangeError(`${op}(): expected a non-empty reduction, but the reduced dims have size 0`);
  }
  const red = merged(s.redShape, s.redStrides);
  const fold = foldFor(op, data);
  const [last, step] = innermost(red.shape, red.strides);
  let k = 0;
  forEachOffset(x.offset, s.keptShape, s.keptStrides, (base) => {
    let acc = init[op];
    if (red.shape.length === 1) acc = fold(data, base, last, step, acc);
    else forEachRow(red.shape, [red.strides], [base], ([p]) => (acc = fold(data, p!, last, step, acc)));
    write(out, k++, offsets, acc);
  });
}

/**
 * sum over dim 0 of a contiguous float [R, C] (Linear's bias gradient), four columns at a time in
 * float64 locals, where the general loop made a callback per column. Each column still adds rows 0,
 * 1, … to 0 in float64 and is rounded once on store, so the sums are the same. False (nothing done)
 * for any other case.
 */
function sumOverRows(x: View, axes: readonly number[], out: View): boolean {
  if (axes.length !== 1 || axes[0] !== 0 || x.shape.length !== 2 || !contiguous(x) || !contiguous(out)) return false;
  const data = cpuData(x);
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return false;
  const [rows, cols] = x.shape as [number, number];
  const o = cpuData(out);
  const round = storeRounding(out.buffer.dtype) ?? ((v: number) => v);
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let i = 0, p = x.offset + j; i < rows; i++, p += cols) {
      a0 += data[p]!;
      a1 += data[p + 1]!;
      a2 += data[p + 2]!;
      a3 += data[p + 3]!;
    }
    o[out.offset + j] = round(a0);
    o[out.offset + j + 1] = round(a1);
    o[out.offset + j + 2] = round(a2);
    o[out.offset + j + 3] = round(a3);
  }
  for (; j < cols; j++) {
    let a = 0;
    for (let i = 0, p = x.offset + j; i < rows; i++, p += cols) a += data[p]!;
    o[out.offset + j] = round(a);
  }
  return true;
}

/**
 * The reduced dims with each run that walks memory evenly (a dim's stride is the next one's stride
 * times its size) made one dim: a whole contiguous tensor is one row, which the fold runs through
 * in a single call. The elements are visited in the same order, so the result is the same.
 */
function merged(shape: readonly number[], strides: readonly number[]): { shape: number[]; strides: number[] } {
  const out = { shape: [] as number[], strides: [] as number[] };
  shape.forEach((d, i) => {
    const at = out.shape.length - 1;
    if (at >= 0 && out.strides[at] === strides[i]! * d) {
      out.shape[at]! *= d;
      out.strides[at] = strides[i]!;
    } else {
      out.shape.push(d);
      out.strides.push(strides[i]!);
    }
  });
  return out;
}

type Fold = (data: HostArray, p: number, n: number, step: number, acc: number) => number;

/**
 * Each op folds one strided row into its accumulator, in order; max and min let NaN win. Each
 * (op, array type) gets a function of its own, compiled from this text: a loop that only ever reads
 * one kind of typed array stays monomorphic, several times faster in V8 than one shared by the
 * float32 sums, the int32 counts and the bool masks of a program.
 */
const foldBodies: Readonly<Record<ReduceOp, string>> = {
  sum: 'acc += data[p];',
  prod: 'acc *= data[p];',
  max: 'const v = data[p]; if (v > acc || v !== v) acc = acc !== acc ? acc : v;',
  min: 'const v = data[p]; if (v < acc || v !== v) acc = acc !== acc ? acc : v;',
};

const folds = new Map<string, Fold>();

function foldFor(op: ReduceOp, data: HostArray): Fold {
  const key = `${op}|${data.constructor.name}`;
  let fold = folds.get(key);
  if (!fold) {
    const body = `for (let j = 0; j < n; j++, p += step) { ${foldBodies[op]} } return acc;`;
    fold = new Function('data', 'p', 'n', 'step', 'acc', body) as Fold;
    folds.set(key, fold);
  }
  return fold;
}

/** First index of the max (min) along axis; NaN counts as the max, as in torch. */
export function argReduce(op: ArgReduceOp, x: View, axis: number, out: View): void {
  const data = cpuData(x);
  const s = split(x, [axis]);
  const n = s.redShape[0]!;
  if (n === 0) throw new RangeError(`${op}(): expected a non-empty dimension ${axis}`);
  const step = s.redStrides[0]!;
  const offsets = outOffsets(out);
  const better = op === 'argmax' ? (v: number, b: number) => v > b : (v: number, b: number) => v < b;
  let k = 0;
  forEachOffset(x.offset, s.keptShape, s.keptStrides, (base) => {
    let best = data[base]!;
    let at = 0;
    for (let j = 1; j < n && best === best; j++) {
      const v = data[base + j * step]!;
      if (better(v, best) || v !== v) {
        best = v;
        at = j;
      }
    }
    write(out, k++, offsets, at);
  });
}

export function softmax(x: View, axis: number, log: boolean, out: View): void {
  const data = cpuData(x);
  const o = (out.buffer as CpuBuffer).data;
  const round = storeRounding(out.buffer.dtype);
  const sx = split(x, [axis]);
  const so = split(out, [axis]);
  const n = sx.redShape[0]!;
  const xs = sx.redStrides[0]!;
  const os = so.redStrides[0]!;
  const outBases: number[] = [];
  forEachOffset(out.offset, so.keptShape, so.keptStrides, (b) => outBases.push(b));
  let k = 0;
  forEachOffset(x.offset, sx.keptShape, sx.keptStrides, (base) => {
    const ob = outBases[k++]!;
    // Subtracting the max keeps exp() from overflowing on large logits.
    let m = -Infinity;
    for (let j = 0; j < n; j++) m = Math.max(m, data[base + j * xs]!);
    if (m === -Infinity) m = 0;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp(data[base + j * xs]! - m);
    const logSum = Math.log(sum);
    for (let j = 0; j < n; j++) {
      const z = data[base + j * xs]! - m;
      const v = log ? z - logSum : Math.exp(z) / sum;
      o[ob + j * os] = round ? round(v) : v;
    }
  });
}
