/**
 * The safetensors file format (https://github.com/huggingface/safetensors), byte-compatible with
 * the reference Rust implementation:
 *
 *   8 bytes   little-endian u64 N
 *   N bytes   UTF-8 JSON header {"__metadata__": {str: str}, name: {dtype, shape, data_offsets}},
 *             padded with spaces to a multiple of 8 so the data starts 8-byte aligned
 *   rest      tensor bytes, little-endian, C order; data_offsets are [begin, end) relative to here
 *             and must tile the buffer exactly: no holes, no overlaps, nothing left over.
 */
import { compareCodePoints } from './order.ts';

export { float16BitsToFloat32, float32ToFloat16Bits } from './float16.ts';

/**
 * The dtypes whose elements are whole bytes, in the reference `Dtype` enum's order. The writer
 * sorts by this order descending (a proxy for alignment), so keeping it identical is what makes
 * our files byte-identical to the reference's. The sub-byte dtypes (F4, F6_*) are bit-packed and
 * not supported.
 */
const DTYPE_SIZES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  C64: 8,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;

export type SafeDType = keyof typeof DTYPE_SIZES;

const DTYPE_RANK = new Map(Object.keys(DTYPE_SIZES).map((d, i) => [d, i]));
/** The reference rejects headers over 100 MB before parsing them. */
const MAX_HEADER_SIZE = 100_000_000;
const METADATA_KEY = '__metadata__';

export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  /** Raw little-endian element bytes, numel × itemsize long. */
  data: Uint8Array;
}

export interface DecodedSafetensors {
  tensors: Record<string, SafeTensor>;
  metadata: Record<string, string>;
}

export function isSafeDType(s: unknown): s is SafeDType {
  return typeof s === 'string' && DTYPE_RANK.has(s);
}

export function safeDTypeSize(dtype: SafeDType): number {
  return DTYPE_SIZES[dtype];
}

function describeDType(s: unknown): string {
  const known = Object.keys(DTYPE_SIZES).join(', ');
  return `unknown dtype ${JSON.stringify(s)} (supported: ${known})`;
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Lone UTF-16 surrogates cannot be written as UTF-8, so the reference could not read them back. */
function checkWellFormed(s: string, role: string): void {
  if (/\p{Cs}/u.test(s)) throw new Error(`safetensors: ${role} ${JSON.stringify(s)} contains a lone UTF-16 surrogate`);
}

function isDim(d: unknown): d is number {
  return typeof d === 'number' && Number.isSafeInteger(d) && d >= 0;
}

/** Serializes tensors the way the reference `safetensors.serialize` does, byte for byte. */
export function encodeSafetensors(entries: Record<string, SafeTensor>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(entries);
  for (const name of names) {
    const { dtype, shape, data } = entries[name]!;
    const where = `safetensors: tensor ${JSON.stringify(name)}`;
    checkWellFormed(name, 'tensor name');
    if (name === METADATA_KEY) throw new Error(`${where}: the name ${METADATA_KEY} is reserved for metadata`);
    if (!isSafeDType(dtype)) throw new Error(`${where}: ${describeDType(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isDim)) {
      throw new Error(`${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    const expected = numel(shape) * DTYPE_SIZES[dtype];
    if (data.length !== expected) {
      throw new Error(
        `${where}: ${dtype} shape [${shape.join(', ')}] needs ${expected} bytes, data has ${data.length}`,
      );
    }
  }
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (typeof v !== 'string')
      throw new Error(`safetensors: metadata ${JSON.stringify(k)} must be a string, got ${typeof v}`);
    checkWellFormed(k, 'metadata key');
    checkWellFormed(v, 'metadata value');
  }

  // Reference order: dtype descending (largest alignment first, so every tensor stays aligned),
  // then name by UTF-8 bytes (same as code point order).
  names.sort(
    (a, b) => DTYPE_RANK.get(entries[b]!.dtype)! - DTYPE_RANK.get(entries[a]!.dtype)! || compareCodePoints(a, b),
  );

  // JSON text is assembled by hand because key order is part of the byte format:
  // __metadata__ first, then tensors in data order, each as dtype, shape, data_offsets.
  const parts: string[] = [];
  if (metadata !== undefined) {
    // The reference keeps metadata in a HashMap (arbitrary order); sorting keeps ours deterministic.
    const keys = Object.keys(metadata).sort(compareCodePoints);
    const body = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',');
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${body}}`);
  }
  let offset = 0;
  for (const name of names) {
    const { dtype, shape, data } = entries[name]!;
    const info = `{"dtype":"${dtype}","shape":[${shape.join(',')}],"data_offsets":[${offset},${offset + data.length}]}`;
    parts.push(`${JSON.stringify(name)}:${info}`);
    offset += data.length;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerSize = Math.ceil(json.length / 8) * 8;
  if (headerSize > MAX_HEADER_SIZE) {
    throw new Error(`safetensors: header of ${headerSize} bytes exceeds the ${MAX_HEADER_SIZE}-byte limit`);
  }

  const out = new Uint8Array(8 + headerSize + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerSize), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerSize);
  let at = 8 + headerSize;
  for (const name of names) {
    out.set(entries[name]!.data, at);
    at += entries[name]!.data.length;
  }
  return out;
}

interface Located {
  name: string;
  tensor: SafeTensor;
  begin: number;
  end: number;
}

function parseInfo(name: string, info: unknown): Located {
  const where = `safetensors: tensor ${JSON.stringify(name)}`;
  if (typeof info !== 'object' || info === null || Array.isArray(info)) {
    throw new Error(`${where}: header entry must be an object, found ${JSON.stringify(info)}`);
  }
  // Extra fields are ignored, as the reference reader ignores them.
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (!isSafeDType(dtype)) throw new Error(`${where}: ${describeDType(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isDim)) {
    throw new Error(`${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isDim)) {
    throw new Error(`${where}: data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw new Error(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  const expected = numel(shape) * DTYPE_SIZES[dtype];
  if (!Number.isSafeInteger(expected)) {
    throw new Error(`${where}: ${dtype} shape [${shape.join(', ')}] is too large to address (overflow)`);
  }
  if (end - begin !== expected) {
    throw new Error(
      `${where}: ${dtype} shape [${shape.join(', ')}] needs ${expected} bytes, data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, tensor: { dtype, shape, data: new Uint8Array(0) }, begin, end };
}

function parseMetadata(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`safetensors: ${METADATA_KEY} must be an object of strings, found ${JSON.stringify(value)}`);
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new Error(
        `safetensors: ${METADATA_KEY} value for ${JSON.stringify(k)} must be a string, found ${JSON.stringify(v)}`,
      );
    }
  }
  return Object.fromEntries(Object.entries(value)) as Record<string, string>;
}

/**
 * Parses and fully validates a safetensors file. Each tensor's `data` is a copy, so it starts
 * at byte 0 of its own ArrayBuffer and can be viewed as a Float32Array etc. directly.
 */
export function decodeSafetensors(bytes: Uint8Array, what = 'safetensors'): DecodedSafetensors {
  if (bytes.length < 8) {
    throw new Error(`${what}: file is ${bytes.length} bytes, too short for the 8-byte header size`);
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) {
    throw new Error(`${what}: header size ${n} exceeds the ${bytes.length - 8} bytes after the size field`);
  }
  const headerSize = Number(n);
  if (headerSize > MAX_HEADER_SIZE) {
    throw new Error(`${what}: header size ${headerSize} exceeds the ${MAX_HEADER_SIZE}-byte limit`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerSize));
  } catch {
    throw new Error(`${what}: header is not valid UTF-8`);
  }
  if (!text.startsWith('{'))
    throw new Error(`${what}: header must start with '{', found ${JSON.stringify(text.slice(0, 16))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new Error(`${what}: header is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new Error(`${what}: header must be a JSON object`);
  }

  let metadata: Record<string, string> = {};
  const located: Located[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = parseMetadata(info);
    else located.push(parseInfo(name, info));
  }

  // Tensors must tile the data buffer in offset order, starting at 0, ending at the file's end.
  located.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const dataStart = 8 + headerSize;
  const dataLength = bytes.length - dataStart;
  let cursor = 0;
  for (const t of located) {
    if (t.begin !== cursor) {
      const kind = t.begin > cursor ? 'leaves a hole' : 'overlaps the previous tensor';
      throw new Error(
        `${what}: tensor ${JSON.stringify(t.name)} data_offsets [${t.begin}, ${t.end}] ${kind}: expected it to begin at ${cursor}`,
      );
    }
    if (t.end > dataLength) {
      throw new Error(
        `${what}: tensor ${JSON.stringify(t.name)} data_offsets [${t.begin}, ${t.end}] run past the ${dataLength}-byte data buffer`,
      );
    }
    // new Uint8Array(view) copies; Buffer#slice would not.
    t.tensor.data = new Uint8Array(bytes.subarray(dataStart + t.begin, dataStart + t.end));
    cursor = t.end;
  }
  if (cursor !== dataLength) {
    throw new Error(`${what}: tensors cover ${cursor} bytes but the data buffer holds ${dataLength}`);
  }
  return { tensors: Object.fromEntries(located.map((t) => [t.name, t.tensor])), metadata };
}
