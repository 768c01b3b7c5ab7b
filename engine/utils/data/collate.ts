/**
 * torch.utils.data.default_collate: turns a list of samples into a batch. Tensors are stacked along
 * a new dim 0; numbers become a 1-D tensor (int32 when every value is an integer, as JavaScript
 * cannot tell 1 from 1.0, else float32); booleans a bool tensor; strings stay a list; arrays
 * (tuples) and plain objects are collated position by position / key by key, recursively.
 */
import { argTypeError } from '../../args.ts';
import { tensor } from '../../tensor/create.ts';
import { stack } from '../../ops/indexing.ts';
import { formatShape } from '../../tensor/shape.ts';
import { Tensor } from '../../tensor/tensor.ts';

/** What default collation makes of a sample type. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean | Float32Array | Float64Array | Int32Array
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : never;

/** A collation failure at one sample of the batch; the DataLoader adds that sample's dataset index. */
export class CollateError extends Error {
  constructor(
    message: string,
    /** Position in the batch of the sample that did not fit. */
    readonly entry: number,
  ) {
    super(message);
    this.name = 'CollateError';
  }
}

function where(path: string): string {
  return path ? ` in ${path}` : '';
}

function kindOf(x: unknown): string {
  if (x === null) return 'null';
  if (x instanceof Tensor) return 'Tensor';
  if (Array.isArray(x)) return 'array';
  if (ArrayBuffer.isView(x)) return x.constructor.name;
  return typeof x;
}

function collateTensors(batch: Tensor[], path: string): Tensor {
  const ref = batch[0]!;
  batch.forEach((t, i) => {
    if (t.ndim !== ref.ndim || t.shape.some((s, j) => s !== ref.shape[j])) {
      throw new CollateError(
        `stack expects each tensor to be equal size, but got ${formatShape(ref.shape)} at entry 0 and ${formatShape(t.shape)} at entry ${i}${where(path)}`,
        i,
      );
    }
  });
  return stack(batch);
}

function collateAt(batch: unknown[], path: string): unknown {
  const first = batch[0];
  const kind = kindOf(first);
  const mismatch = batch.findIndex((x) => kindOf(x) !== kind);
  if (mismatch >= 0) {
    throw new CollateError(
      `default_collate: entry 0 is ${kind} but entry ${mismatch} is ${kindOf(batch[mismatch])}${where(path)}`,
      mismatch,
    );
  }
  if (first instanceof Tensor) return collateTensors(batch as Tensor[], path);
  if (typeof first === 'number')
    return tensor(batch as number[], { dtype: (batch as number[]).every(Number.isInteger) ? 'int32' : 'float32' });
  if (typeof first === 'boolean') return tensor(batch as boolean[]);
  if (typeof first === 'string') return batch;
  if (first instanceof Float32Array || first instanceof Float64Array || first instanceof Int32Array) {
    return collateTensors(
      batch.map((a) => tensor(a)),
      path,
    );
  }
  if (Array.isArray(first)) {
    const bad = batch.findIndex((x) => (x as unknown[]).length !== first.length);
    if (bad >= 0) {
      throw new CollateError(
        `each element in list of batch should be of equal size: entry 0 has ${first.length} elements, entry ${bad} has ${(batch[bad] as unknown[]).length}${where(path)}`,
        bad,
      );
    }
    return first.map((_, k) =>
      collateAt(
        batch.map((x) => (x as unknown[])[k]),
        `${path}[${k}]`,
      ),
    );
  }
  if (typeof first === 'object' && first !== null && Object.getPrototypeOf(first) === Object.prototype) {
    const keys = Object.keys(first);
    return Object.fromEntries(
      keys.map((k) => {
        const missing = batch.findIndex((x) => !Object.hasOwn(x as object, k));
        if (missing >= 0)
          throw new CollateError(
            `default_collate: entry ${missing} has no key '${k}' that entry 0 has${where(path)}`,
            missing,
          );
        return [
          k,
          collateAt(
            batch.map((x) => (x as Record<string, unknown>)[k]),
            path ? `${path}.${k}` : k,
          ),
        ];
      }),
    );
  }
  throw new CollateError(
    `default_collate: batch must contain tensors, numbers, booleans, strings, typed arrays, arrays or plain objects; found ${kind}${where(path)}`,
    0,
  );
}

export function defaultCollate<T>(batch: readonly T[]): Collated<T> {
  if (!Array.isArray(batch))
    throw argTypeError('torch.utils.data.defaultCollate', 'batch', 1, 'an array of samples', batch);
  if (batch.length === 0) throw new RangeError('default_collate: cannot collate an empty batch');
  return collateAt([...batch], '') as Collated<T>;
}
