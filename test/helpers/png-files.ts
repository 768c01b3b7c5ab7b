/** PNG files assembled by hand, for formats the encoder does not write (palettes, 16-bit, gray + alpha). */
import { deflateSync } from 'node:zlib';

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

export function chunk(type: string, body: ArrayLike<number>): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), Buffer.from(Array.from(body))]);
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), 8 + body.length);
  return out;
}

/** A PNG assembled by hand from already-packed scanlines (each gets filter type 0). */
export function rawPng(
  width: number,
  height: number,
  depth: number,
  colorType: number,
  rows: number[][],
  extra: Buffer[] = [],
): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = colorType;
  const scanlines = Buffer.from(rows.flatMap((r) => [0, ...r]));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extra,
    chunk('IDAT', deflateSync(scanlines)),
    chunk('IEND', []),
  ]);
}
