import { crc32, deflateSync } from 'node:zlib';

/**
 * An independent, deliberately simple PNG writer for decoder fixtures: every colour type and bit
 * depth, palettes with tRNS, Adam7 interlacing, and all five row filters (chosen round-robin so the
 * decoder's unfiltering is exercised).
 */
export interface PngFixture {
  width: number;
  height: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** Samples per pixel in row-major order (palette: indices). */
  samples: ArrayLike<number>;
  palette?: [number, number, number][];
  /** Alpha per palette entry (tRNS). */
  paletteAlpha?: number[];
  interlace?: boolean;
}

const SAMPLES_PER_PIXEL = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Packs one row of samples into bytes at the given depth (big-endian, MSB first). */
function packRow(values: number[], depth: number): Uint8Array {
  if (depth === 16) {
    const out = new Uint8Array(values.length * 2);
    values.forEach((v, i) => {
      out[2 * i] = v >> 8;
      out[2 * i + 1] = v & 0xff;
    });
    return out;
  }
  if (depth === 8) return Uint8Array.from(values);
  const out = new Uint8Array(Math.ceil((values.length * depth) / 8));
  values.forEach((v, i) => {
    const bit = i * depth;
    out[bit >> 3] |= v << (8 - depth - (bit & 7));
  });
  return out;
}

function filterRows(rows: Uint8Array[], bpp: number, startFilter: number): Uint8Array {
  const out: number[] = [];
  let previous: Uint8Array = new Uint8Array(rows[0]?.length ?? 0);
  rows.forEach((row, r) => {
    const type = (startFilter + r) % 5;
    out.push(type);
    for (let i = 0; i < row.length; i++) {
      const a = i >= bpp ? row[i - bpp] : 0;
      const b = previous[i];
      const c = i >= bpp ? previous[i - bpp] : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][type];
      out.push((row[i] - predictor) & 0xff);
    }
    previous = row;
  });
  return Uint8Array.from(out);
}

export function writePng(fixture: PngFixture): Uint8Array {
  const { width, height, colorType, bitDepth, samples } = fixture;
  const spp = SAMPLES_PER_PIXEL[colorType];
  const bpp = Math.max(1, (spp * bitDepth) >> 3);
  const rowsOf = (x0: number, y0: number, dx: number, dy: number): Uint8Array[] => {
    const rows: Uint8Array[] = [];
    for (let y = y0; y < height; y += dy) {
      const values: number[] = [];
      for (let x = x0; x < width; x += dx) {
        for (let s = 0; s < spp; s++) values.push(samples[(y * width + x) * spp + s]);
      }
      if (values.length > 0) rows.push(packRow(values, bitDepth));
    }
    return rows;
  };
  const passes = fixture.interlace ? ADAM7 : [[0, 0, 1, 1]];
  const raw = Buffer.concat(passes.map(([x0, y0, dx, dy], p) => filterRows(rowsOf(x0, y0, dx, dy), bpp, p)));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  ihdr[12] = fixture.interlace ? 1 : 0;
  const chunks = [chunk('IHDR', ihdr)];
  if (fixture.palette) chunks.push(chunk('PLTE', Uint8Array.from(fixture.palette.flat())));
  if (fixture.paletteAlpha) chunks.push(chunk('tRNS', Uint8Array.from(fixture.paletteAlpha)));
  // Two IDAT chunks: decoders must concatenate them.
  const compressed = deflateSync(raw);
  const half = compressed.length >> 1;
  chunks.push(chunk('IDAT', compressed.subarray(0, half)), chunk('IDAT', compressed.subarray(half)));
  chunks.push(chunk('IEND', new Uint8Array(0)));
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]));
}
