/**
 * Values crossing between threads. Structured clone copies plain data but turns a Tensor into a
 * bare object, so tensors travel as { dtype, device, shape, data } records and are rebuilt on the
 * other side; their host arrays are transferred, not copied.
 */
import { fromHost } from '../../tensor/create.ts';
import { Tensor } from '../../tensor/tensor.ts';
import type { DType, Device, HostArray } from '../../dtype.ts';

const TAG = '__torchlingsTensor__';

interface EncodedTensor {
  [TAG]: true;
  dtype: DType;
  device: Device;
  shape: number[];
  data: HostArray;
}

function isEncodedTensor(x: unknown): x is EncodedTensor {
  return typeof x === 'object' && x !== null && (x as Record<string, unknown>)[TAG] === true;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype;
}

/** Replaces every tensor in a nested value by its record; `transfer` collects the buffers to move. */
export async function encode(value: unknown, transfer: ArrayBuffer[]): Promise<unknown> {
  if (value instanceof Tensor) {
    const data = await value.data(); // a fresh copy, so moving its buffer is safe
    transfer.push(data.buffer as ArrayBuffer);
    return {
      [TAG]: true,
      dtype: value.dtype,
      device: value.device,
      shape: [...value.shape],
      data,
    } satisfies EncodedTensor;
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => encode(v, transfer)));
  if (isPlainObject(value)) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await encode(v, transfer)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

export function decode(value: unknown): unknown {
  if (isEncodedTensor(value)) return fromHost(value.data, value.shape, { dtype: value.dtype, device: value.device });
  if (Array.isArray(value)) return value.map(decode);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  return value;
}
