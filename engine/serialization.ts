/**
 * torch.save / torch.load for state dicts, in the safetensors format (engine/io/safetensors.ts),
 * so that Python's `safetensors.torch.load_file` and other tools read what we write.
 *
 * Every tensor in the object becomes one safetensors entry named by its path, joined with dots as
 * PyTorch names state-dict entries ("0.weight", "state.0.exp_avg"). A flat record (or Map) of
 * tensors is written as nothing more. Anything else in the object (nested records, arrays,
 * numbers, strings: an optimizer's param_groups, a scheduler's counters) is kept as JSON in the
 * header's `__metadata__` under "torchlings.structure", with each tensor replaced by a reference
 * to its entry, so `load` rebuilds the same shape. Maps come back as plain records.
 *
 * Both are async: a tensor on the GPU is read back with `await`, so `await torch.save(…)`.
 */
import { checkKeys } from './args.ts';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { DType, Device, HostArray } from './dtype.ts';
import {
  decodeSafetensors,
  encodeSafetensors,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  type SafeDType,
  type SafeTensor,
} from './io/safetensors.ts';
import { fromHost } from './tensor/create.ts';
import { Tensor } from './tensor/tensor.ts';

const STRUCTURE_KEY = 'torchlings.structure';
/** Marks, inside the JSON structure, where a tensor entry or a non-JSON number goes. */
const TENSOR_REF = '$tensor';
const NUMBER_REF = '$number';

const SAFE_DTYPE: Readonly<Record<DType, SafeDType>> = {
  float32: 'F32',
  float64: 'F64',
  float16: 'F16',
  bfloat16: 'BF16',
  int32: 'I32',
  int8: 'I8',
  bool: 'BOOL',
};

export interface SaveOptions {
  /** Extra string metadata for the file's header (e.g. { format: 'pt' }, which transformers checks). */
  metadata?: Record<string, string>;
}

export interface LoadOptions {
  /** Where the tensors are made (PyTorch's map_location); default 'cpu'. */
  mapLocation?: Device;
}

function checkLittleEndian(): void {
  // safetensors is little-endian and tensors are copied as raw bytes.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
    throw new Error('torch.save/load need a little-endian host');
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return (
    typeof x === 'object' &&
    x !== null &&
    (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null)
  );
}

/** Splits `obj` into tensors by entry name and a JSON skeleton referring to them. */
function flatten(value: unknown, name: string, tensors: Map<string, Tensor>): unknown {
  const where = name === '' ? 'the object' : `'${name}'`;
  if (value instanceof Tensor) {
    if (tensors.has(name)) throw new Error(`torch.save: two tensors would be saved under the same name '${name}'`);
    tensors.set(name, value);
    return { [TENSOR_REF]: name };
  }
  const child = (key: string | number) => (name === '' ? String(key) : `${name}.${key}`);
  if (value instanceof Map) value = Object.fromEntries(value);
  if (Array.isArray(value)) return value.map((v, i) => flatten(v, child(i), tensors));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, flatten(v, child(k), tensors)]));
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : { [NUMBER_REF]: String(value) };
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  throw new TypeError(
    `torch.save: cannot save ${where}: expected tensors, numbers, strings, booleans, null, arrays, Maps or plain objects, got ${value === undefined ? 'undefined' : ((value as object).constructor?.name ?? typeof value)}`,
  );
}

async function toSafeTensor(t: Tensor): Promise<SafeTensor> {
  const values = await t.data();
  const raw =
    t.dtype === 'float16'
      ? float32ToFloat16Bits(values as Float32Array)
      : t.dtype === 'bfloat16' // the stored values are already bfloat16, so the top halves are exact
        ? Uint16Array.from(new Uint32Array((values as Float32Array).slice().buffer), (b) => b >>> 16)
        : values;
  return {
    dtype: SAFE_DTYPE[t.dtype],
    shape: [...t.shape],
    data: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength),
  };
}

/** Saves a state dict (or any nest of tensors and JSON values) to `path` as safetensors. */
export async function save(obj: unknown, path: string, options: SaveOptions = {}): Promise<void> {
  if (typeof path !== 'string' || path === '')
    throw new TypeError(
      `torch.save: path must be a file path (a non-empty string), got ${JSON.stringify(path) ?? typeof path}`,
    );
  checkKeys('torch.save', options, ['metadata']);
  checkLittleEndian();
  if (!isPlainObject(obj) && !(obj instanceof Map)) {
    throw new TypeError('torch.save: expected a state dict (a plain object or Map), e.g. model.stateDict()');
  }
  const tensors = new Map<string, Tensor>();
  const structure = flatten(obj, '', tensors);
  const flat = Object.values(structure as Record<string, unknown>).every((v) => isPlainObject(v) && TENSOR_REF in v);
  const metadata = { ...options.metadata, ...(flat ? {} : { [STRUCTURE_KEY]: JSON.stringify(structure) }) };
  const entries: Record<string, SafeTensor> = {};
  for (const [name, t] of tensors) entries[name] = await toSafeTensor(t);
  const bytes = encodeSafetensors(entries, Object.keys(metadata).length > 0 ? metadata : undefined);
  // Write then rename, so an interrupted save never leaves a half-written checkpoint at `path`.
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }); // a save that fails leaves nothing behind
    throw e;
  }
}

/** Integers wider or narrower than int32 are loaded as int32 when every value fits. */
function toInt32(values: ArrayLike<number | bigint>, name: string, dtype: SafeDType): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]!);
    if (v < -(2 ** 31) || v >= 2 ** 31)
      throw new RangeError(`torch.load: tensor '${name}' (${dtype}) holds ${v} at element ${i}, outside int32's range`);
    out[i] = v;
  }
  return out;
}

function hostValues(t: SafeTensor, name: string): [HostArray, DType] {
  const { buffer, byteLength } = t.data;
  switch (t.dtype) {
    case 'F32':
      return [new Float32Array(buffer, 0, byteLength / 4), 'float32'];
    case 'F64':
      return [new Float64Array(buffer, 0, byteLength / 8), 'float64'];
    case 'F16':
      return [float16BitsToFloat32(new Uint16Array(buffer, 0, byteLength / 2)), 'float16'];
    case 'BF16': // bfloat16 is the top half of a float32, so widening is exact
      return [
        new Float32Array(Uint32Array.from(new Uint16Array(buffer, 0, byteLength / 2), (h) => h << 16).buffer),
        'bfloat16',
      ];
    case 'I32':
      return [new Int32Array(buffer, 0, byteLength / 4), 'int32'];
    case 'BOOL':
      return [t.data, 'bool'];
    case 'U8':
      return [toInt32(t.data, name, t.dtype), 'int32'];
    case 'I8':
      return [new Int8Array(buffer, 0, byteLength), 'int8'];
    case 'I16':
      return [toInt32(new Int16Array(buffer, 0, byteLength / 2), name, t.dtype), 'int32'];
    case 'U16':
      return [toInt32(new Uint16Array(buffer, 0, byteLength / 2), name, t.dtype), 'int32'];
    case 'U32':
      return [toInt32(new Uint32Array(buffer, 0, byteLength / 4), name, t.dtype), 'int32'];
    case 'I64': // PyTorch's default integer type, e.g. BatchNorm's num_batches_tracked
      return [toInt32(new BigInt64Array(buffer, 0, byteLength / 8), name, t.dtype), 'int32'];
    case 'U64':
      return [toInt32(new BigUint64Array(buffer, 0, byteLength / 8), name, t.dtype), 'int32'];
    default:
      throw new TypeError(`torch.load: tensor '${name}' has dtype ${t.dtype}, which the engine has no type for`);
  }
}

function rebuild(value: unknown, tensors: Map<string, Tensor>, path: string): unknown {
  if (Array.isArray(value)) return value.map((v) => rebuild(v, tensors, path));
  if (!isPlainObject(value)) return value;
  if (typeof value[TENSOR_REF] === 'string') {
    const t = tensors.get(value[TENSOR_REF]);
    if (!t)
      throw new Error(`torch.load: ${path} refers to tensor '${value[TENSOR_REF]}', which the file does not hold`);
    return t;
  }
  if (typeof value[NUMBER_REF] === 'string') return Number(value[NUMBER_REF]);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebuild(v, tensors, path)]));
}

/** Loads what `save` wrote, or any safetensors file (as a record of entry name → tensor). */
export async function load(path: string, options: LoadOptions = {}): Promise<Record<string, unknown>> {
  checkKeys('torch.load', options, ['mapLocation']);
  checkLittleEndian();
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`torch.load: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  const { tensors: entries, metadata } = decodeSafetensors(bytes, path);
  const tensors = new Map<string, Tensor>();
  for (const [name, entry] of Object.entries(entries)) {
    const [values, dtype] = hostValues(entry, name);
    tensors.set(name, fromHost(values, entry.shape, { dtype, device: options.mapLocation ?? 'cpu' }));
  }
  const structure = metadata[STRUCTURE_KEY];
  if (structure === undefined) return Object.fromEntries(tensors);
  let parsed: unknown;
  try {
    parsed = JSON.parse(structure);
  } catch (e) {
    throw new Error(`torch.load: ${path}: metadata '${STRUCTURE_KEY}' is not valid JSON: ${(e as Error).message}`);
  }
  return rebuild(parsed, tensors, path) as Record<string, unknown>;
}
