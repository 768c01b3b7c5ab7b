import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  safeDTypeSize,
  type SafeDType,
  type SafeTensor,
} from '#engine/io/safetensors';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Assembles a file by the spec's rules, from header text and data bytes, with no padding added. */
function file(header: string, data: ArrayLike<number> = []): Uint8Array {
  const h = utf8(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(Array.from(data), 8 + h.length);
  return out;
}

const f32le = (...xs: number[]): number[] => Array.from(new Uint8Array(new Float32Array(xs).buffer));

describe('decodeSafetensors', () => {
  it('decodes a file built by hand from the spec', () => {
    const data = new Uint8Array(16);
    const view = new DataView(data.buffer);
    view.setFloat64(0, -2.5, true); // "w": F64 [1] at [0, 8)
    view.setInt32(8, -7, true); // "idx": I32 [1] at [8, 12)
    view.setUint16(12, 0x3c00, true); // "h": F16 [1] at [12, 14)
    data[14] = 1; // "mask": BOOL [2] at [14, 16)
    const header =
      '{"mask": {"dtype": "BOOL", "shape": [2], "data_offsets": [14, 16]},\n' +
      ' "w": {"dtype": "F64", "shape": [1, 1], "data_offsets": [0, 8]},\n' +
      ' "__metadata__": {"format": "pt", "note": "\u00e9"},\n' +
      ' "idx": {"dtype": "I32", "shape": [], "data_offsets": [8, 12]},\n' +
      ' "h": {"dtype": "F16", "shape": [1], "data_offsets": [12, 14]}}   ';
    const { tensors, metadata } = decodeSafetensors(file(header, data));
    expect(metadata).toEqual({ format: 'pt', note: 'é' });
    expect(Object.keys(tensors)).toEqual(['w', 'idx', 'h', 'mask']); // in data order
    expect(tensors.w).toMatchObject({ dtype: 'F64', shape: [1, 1] });
    expect(new Float64Array(tensors.w!.data.buffer)[0]).toBe(-2.5);
    expect(new Int32Array(tensors.idx!.data.buffer)[0]).toBe(-7);
    expect(tensors.idx!.shape).toEqual([]);
    expect(Array.from(tensors.h!.data)).toEqual([0x00, 0x3c]);
    expect(Array.from(tensors.mask!.data)).toEqual([1, 0]);
  });

  it('gives each tensor its own buffer even when reading a Buffer', () => {
    const bytes = Buffer.from(file('{"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}}', [1, 2, 3]));
    const a = decodeSafetensors(bytes).tensors.a!.data;
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(3);
    bytes[bytes.length - 1] = 99;
    expect(Array.from(a)).toEqual([1, 2, 3]);
  });

  it('accepts empty tensors and an empty file body', () => {
    expect(decodeSafetensors(file('{}'))).toEqual({ tensors: {}, metadata: {} });
    const t = decodeSafetensors(file('{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]}}')).tensors.e!;
    expect(t.shape).toEqual([0, 3]);
    expect(t.data.length).toBe(0);
  });

  it('treats names like __proto__ as ordinary names', () => {
    const { tensors } = decodeSafetensors(file('{"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', [5]));
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
  });

  const entry = (dtype: string, shape: number[], offsets: number[]): string =>
    JSON.stringify({ dtype, shape, data_offsets: offsets });

  it.each([
    ['a too-short file', new Uint8Array(5), 'st: file is 5 bytes, too short for the 8-byte header size'],
    [
      'a header size beyond the file',
      (() => {
        const b = file('{}');
        b[0] = 200;
        return b;
      })(),
      'st: header size 200 exceeds the 2 bytes after the size field',
    ],
    [
      'a header size near 2^64',
      (() => {
        const b = file('{}');
        b.fill(0xff, 0, 8);
        return b;
      })(),
      'st: header size 18446744073709551615 exceeds',
    ],
    ['invalid UTF-8', file('{"\xff":1}').map((b) => (b === 0xc3 ? 0xff : b)), 'st: header is not valid UTF-8'],
    ['a header not starting with {', file(' {}'), `st: header must start with '{', found " {}"`],
    ['bad JSON', file('{"a":'), 'st: header is not valid JSON'],
    ['an entry that is not an object', file('{"a":[1]}'), 'tensor "a": header entry must be an object, found [1]'],
    [
      'an unknown dtype',
      file(`{"a":${entry('F128', [1], [0, 16])}}`, new Uint8Array(16)),
      'tensor "a": unknown dtype "F128" (supported: BOOL, U8',
    ],
    ['a sub-byte dtype', file(`{"a":${entry('F4', [2], [0, 1])}}`, [0]), 'tensor "a": unknown dtype "F4"'],
    [
      'a bad shape',
      file(`{"a":${entry('U8', [-1], [0, 0])}}`),
      'tensor "a": shape [-1] is not a list of non-negative integers',
    ],
    [
      'fractional offsets',
      file(`{"a":${entry('U8', [1], [0, 0.5])}}`),
      'tensor "a": data_offsets [0,0.5] is not a pair of non-negative integers',
    ],
    ['three offsets', file(`{"a":${entry('U8', [1], [0, 1, 2])}}`, [0]), 'data_offsets [0,1,2] is not a pair'],
    [
      'reversed offsets',
      file(`{"a":${entry('U8', [0], [1, 0])}}`, [0]),
      'tensor "a": data_offsets [1, 0] end before they begin',
    ],
    [
      'a byte length that is not numel × itemsize',
      file(`{"a":${entry('F32', [2], [0, 4])}}`, [0, 0, 0, 0]),
      'tensor "a": F32 shape [2] needs 8 bytes, data_offsets [0, 4] span 4',
    ],
    [
      'a shape that overflows',
      file(`{"a":${entry('U8', [2 ** 40, 2 ** 40], [0, 0])}}`),
      'tensor "a": U8 shape [1099511627776, 1099511627776] is too large to address (overflow)',
    ],
    [
      'a hole at the start',
      file(`{"a":${entry('U8', [1], [1, 2])}}`, [0, 0]),
      'st: tensor "a" data_offsets [1, 2] leaves a hole: expected it to begin at 0',
    ],
    [
      'a hole between tensors',
      file(`{"a":${entry('U8', [1], [0, 1])},"b":${entry('U8', [1], [2, 3])}}`, [0, 0, 0]),
      'tensor "b" data_offsets [2, 3] leaves a hole: expected it to begin at 1',
    ],
    [
      'overlapping tensors',
      file(`{"a":${entry('U8', [2], [0, 2])},"b":${entry('U8', [2], [1, 3])}}`, [0, 0, 0]),
      'tensor "b" data_offsets [1, 3] overlaps the previous tensor: expected it to begin at 2',
    ],
    [
      'offsets past the end',
      file(`{"a":${entry('U8', [4], [0, 4])}}`, [0, 0]),
      'tensor "a" data_offsets [0, 4] run past the 2-byte data buffer',
    ],
    [
      'bytes left over',
      file(`{"a":${entry('U8', [1], [0, 1])}}`, [0, 0]),
      'st: tensors cover 1 bytes but the data buffer holds 2',
    ],
    [
      'non-string metadata',
      file('{"__metadata__":{"epochs":3}}'),
      '__metadata__ value for "epochs" must be a string, found 3',
    ],
    [
      'metadata that is not an object',
      file('{"__metadata__":"x"}'),
      '__metadata__ must be an object of strings, found "x"',
    ],
  ])('rejects %s', (_, bytes, message) => {
    expect(() => decodeSafetensors(bytes, 'st')).toThrow(message);
  });
});

describe('encodeSafetensors', () => {
  const tensor = (dtype: SafeDType, shape: number[], bytes: number[]): SafeTensor => ({
    dtype,
    shape,
    data: Uint8Array.from(bytes),
  });

  // Expected outputs copied from the reference implementation's own unit tests
  // (huggingface/safetensors, safetensors/src/tensor.rs: test_serialization, test_empty,
  // test_serialization_forced_alignement).
  it('matches the reference serializer byte for byte', () => {
    const data = f32le(0, 1, 2, 3, 4, 5);
    expect(Array.from(encodeSafetensors({ 'attn.0': tensor('F32', [1, 2, 3], data) }))).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34,
      70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95,
      111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0,
      64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
    expect(Array.from(encodeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(Array.from(encodeSafetensors({}, { framework: 'pt' }))).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114,
      97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
    expect(Array.from(encodeSafetensors({ attn0: tensor('F32', [1, 1, 2, 3], data) }))).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70,
      51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97,
      95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32, 32, 32, 0, 0,
      0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  it('orders tensors by dtype descending, then name, with metadata first and sorted', () => {
    const out = encodeSafetensors(
      {
        u8: tensor('U8', [3], [7, 8, 9]),
        z32: tensor('I32', [1], [1, 0, 0, 0]),
        b64: tensor('F64', [1], [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]),
        a32: tensor('F32', [1], f32le(2)),
        a16: tensor('F16', [1], [0x00, 0x3c]),
      },
      { z: '1', a: 'x"y' },
    );
    const header =
      '{"__metadata__":{"a":"x\\"y","z":"1"},' +
      '"b64":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},' +
      '"a32":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},' +
      '"z32":{"dtype":"I32","shape":[1],"data_offsets":[12,16]},' +
      '"a16":{"dtype":"F16","shape":[1],"data_offsets":[16,18]},' +
      '"u8":{"dtype":"U8","shape":[3],"data_offsets":[18,21]}}';
    const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
    const data = [0, 0, 0, 0, 0, 0, 0xf0, 0x3f, ...f32le(2), 1, 0, 0, 0, 0x00, 0x3c, 7, 8, 9];
    expect(Array.from(out)).toEqual(Array.from(file(padded, data)));
  });

  it('sorts names by code point like Rust, not by UTF-16 unit', () => {
    const one = tensor('U8', [1], [0]);
    // U+FF5E is one UTF-16 unit above the surrogates JavaScript would sort U+1F600 by.
    const out = encodeSafetensors({ '\u{ff5e}': one, '\u{1f600}': one });
    const text = new TextDecoder().decode(out.subarray(8));
    expect(text.indexOf('\u{ff5e}')).toBeLessThan(text.indexOf('\u{1f600}'));
  });

  it.each([
    [
      'an unknown dtype',
      { a: { dtype: 'F128' as SafeDType, shape: [1], data: new Uint8Array(16) } },
      'safetensors: tensor "a": unknown dtype "F128"',
    ],
    [
      'a wrong byte length',
      { a: tensor('F32', [2, 2], [0, 0, 0, 0]) },
      'safetensors: tensor "a": F32 shape [2, 2] needs 16 bytes, data has 4',
    ],
    ['a bad shape', { a: tensor('U8', [1.5], [0]) }, 'tensor "a": shape [1.5] is not a list of non-negative integers'],
    ['the reserved name', { __metadata__: tensor('U8', [1], [0]) }, 'the name __metadata__ is reserved for metadata'],
    [
      'a lone surrogate',
      { ['\ud800']: tensor('U8', [1], [0]) },
      'tensor name "\\ud800" contains a lone UTF-16 surrogate',
    ],
  ])('rejects %s', (_, entries, message) => {
    expect(() => encodeSafetensors(entries as Record<string, SafeTensor>)).toThrow(message);
  });

  it('rejects non-string metadata', () => {
    expect(() => encodeSafetensors({}, { n: 3 as unknown as string })).toThrow(
      'safetensors: metadata "n" must be a string, got number',
    );
  });
});

describe('round trip', () => {
  const dtypes: SafeDType[] = [
    'BOOL',
    'U8',
    'I8',
    'F8_E5M2',
    'F8_E4M3',
    'F8_E8M0',
    'I16',
    'U16',
    'F16',
    'BF16',
    'I32',
    'U32',
    'F32',
    'C64',
    'F64',
    'I64',
    'U64',
  ];
  const tensorArb = fc
    .record({ dtype: fc.constantFrom(...dtypes), shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }) })
    .chain(({ dtype, shape }) => {
      const n = shape.reduce((a, b) => a * b, 1) * safeDTypeSize(dtype);
      return fc.uint8Array({ minLength: n, maxLength: n }).map((data): SafeTensor => ({ dtype, shape, data }));
    });
  const entriesArb = fc
    .array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 8 }), tensorArb), { maxLength: 6 })
    .map((pairs) => Object.fromEntries(pairs.filter(([name]) => name !== '__metadata__')));
  const metadataArb = fc.option(fc.dictionary(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' })), {
    nil: undefined,
  });

  it('decode(encode(x)) = x, re-encoding is byte-identical, and data stays aligned', () => {
    fc.assert(
      fc.property(entriesArb, metadataArb, (entries, metadata) => {
        const bytes = encodeSafetensors(entries, metadata);
        const headerSize = Number(new DataView(bytes.buffer).getBigUint64(0, true));
        expect(headerSize % 8).toBe(0);
        const decoded = decodeSafetensors(bytes);
        expect(decoded.metadata).toEqual(metadata ?? {});
        expect(Object.keys(decoded.tensors).sort()).toEqual(Object.keys(entries).sort());
        const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerSize)));
        for (const [name, t] of Object.entries(entries)) {
          const d = decoded.tensors[name]!;
          expect(d.dtype).toBe(t.dtype);
          expect(d.shape).toEqual(t.shape);
          expect(Array.from(d.data)).toEqual(Array.from(t.data));
          expect(header[name].data_offsets[0] % safeDTypeSize(t.dtype)).toBe(0);
        }
        expect(Array.from(encodeSafetensors(decoded.tensors, metadata))).toEqual(Array.from(bytes));
      }),
      { numRuns: 300 },
    );
  });
});
