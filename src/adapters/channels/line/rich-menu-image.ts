// A rich-menu image generated in code: flat colour blocks, one per equal column, with a light divider between
// them. LINE requires an image for every rich menu; the area labels live in the menu's actions, so a plain
// coloured strip is enough for a working menu and needs no image library (PNG = zlib-deflated scanlines).
import { deflateSync } from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// Calm, distinguishable brand-neutral colours, cycled per column.
const PALETTE: ReadonlyArray<readonly [number, number, number]> = [
  [0x2f, 0x6f, 0xa8],
  [0x3f, 0x8f, 0x6b],
  [0xc2, 0x7c, 0x2c],
  [0x8a, 0x4f, 0x9e],
  [0xb8, 0x4a, 0x4a],
  [0x4a, 0x5a, 0x6a],
];
const DIVIDER: readonly [number, number, number] = [0xff, 0xff, 0xff];
const DIVIDER_PX = 4;

/** An RGB PNG of `width`×`height` split into `columns` equal blocks (the last takes the rounding rest). */
export function richMenuImage(width: number, height: number, columns: number): Buffer {
  const row = scanline(width, Math.max(1, columns));
  // Every row is identical: filter byte 0 (None) + RGB pixels.
  const raw = Buffer.alloc(row.length * height);
  for (let y = 0; y < height; y++) row.copy(raw, y * row.length);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour RGB
  // compression, filter and interlace methods stay 0
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function scanline(width: number, columns: number): Buffer {
  const row = Buffer.alloc(1 + width * 3);
  const column = Math.floor(width / columns);
  for (let x = 0; x < width; x++) {
    const index = Math.min(columns - 1, Math.floor(x / column));
    const start = index * column;
    const isDivider = index > 0 && x - start < DIVIDER_PX;
    const [r, g, b] = isDivider ? DIVIDER : (PALETTE[index % PALETTE.length] ?? DIVIDER);
    row[1 + x * 3] = r;
    row[2 + x * 3] = g;
    row[3 + x * 3] = b;
  }
  return row;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData), 0);
  return Buffer.concat([length, typeAndData, crc]);
}

// zlib.crc32 exists only from Node 20.15/22.2; a table-driven CRC-32 keeps older Node 20 releases working.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
