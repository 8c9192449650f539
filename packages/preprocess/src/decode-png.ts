import { unzlibSync } from 'fflate';
import { crc32 } from './crc32';
import type { DecodedImage } from './image-types';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

interface PngChunks {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlaced: boolean;
  palette?: Uint8Array;
  transparency?: Uint8Array;
  compressed: Uint8Array;
}

/** Walks the chunk layout first, so that a cut-off or damaged file names its actual problem. */
function readChunks(bytes: Uint8Array): PngChunks {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let header: Omit<PngChunks, 'compressed' | 'palette' | 'transparency'> | undefined;
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > bytes.length) {
      throw new Error(`truncated PNG (${type} chunk ends at byte ${end}, file has ${bytes.length} bytes)`);
    }
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== view.getUint32(offset + 8 + length)) {
      throw new Error(`invalid PNG (CRC mismatch in the ${type} chunk)`);
    }
    if (type === 'IHDR') {
      const bodyView = new DataView(body.buffer, body.byteOffset, body.byteLength);
      header = {
        width: bodyView.getUint32(0),
        height: bodyView.getUint32(4),
        depth: body[8]!,
        colorType: body[9]!,
        interlaced: body[12] === 1,
      };
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') transparency = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') {
      if (!header) throw new Error('invalid PNG (no IHDR chunk)');
      if (idat.length === 0) throw new Error('invalid PNG (no IDAT chunk)');
      const compressed = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const chunk of idat) {
        compressed.set(chunk, at);
        at += chunk.length;
      }
      return { ...header, palette, transparency, compressed };
    }
    offset = end;
  }
  throw new Error(idat.length > 0 ? 'truncated PNG (no IEND chunk)' : 'truncated PNG (no IDAT chunk)');
}

const SAMPLES_PER_PIXEL: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const VALID_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
// Adam7: [x start, y start, x step, y step] of each pass.
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undoes the scanline filters of one (sub-)image in place; returns the offset after it. */
function unfilter(raw: Uint8Array, start: number, rowBytes: number, rows: number, bpp: number): number {
  let offset = start;
  for (let y = 0; y < rows; y++) {
    const filter = raw[offset]!;
    const row = offset + 1;
    const previous = y === 0 ? -1 : row - rowBytes - 1;
    for (let i = 0; i < rowBytes; i++) {
      const left = i >= bpp ? raw[row + i - bpp]! : 0;
      const up = previous >= 0 ? raw[previous + i]! : 0;
      const upLeft = previous >= 0 && i >= bpp ? raw[previous + i - bpp]! : 0;
      let predictor: number;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = left;
          break;
        case 2:
          predictor = up;
          break;
        case 3:
          predictor = (left + up) >> 1;
          break;
        case 4:
          predictor = paeth(left, up, upLeft);
          break;
        default:
          throw new Error(`invalid PNG (unknown filter type ${filter} in row ${y})`);
      }
      raw[row + i] = (raw[row + i]! + predictor) & 0xff;
    }
    offset = row + rowBytes;
  }
  return offset;
}

/**
 * Decodes every PNG colour type, bit depth and interlacing in plain JavaScript (inflate by fflate), so it runs
 * in browsers too. 16-bit images stay 16-bit; lower depths become 8-bit by exact integer factors; palettes expand
 * to RGB; a tRNS chunk adds an alpha channel (0 for the transparent colour, full scale otherwise).
 */
export function decodePng(bytes: Uint8Array): DecodedImage {
  const png = readChunks(bytes);
  const { width, height, depth, colorType } = png;
  const samplesPerPixel = SAMPLES_PER_PIXEL[colorType];
  if (samplesPerPixel === undefined || !VALID_DEPTHS[colorType]!.includes(depth)) {
    throw new Error(`invalid PNG (colour type ${colorType} with bit depth ${depth})`);
  }
  if (width === 0 || height === 0) throw new Error(`invalid PNG (size ${width}x${height})`);
  if (colorType === 3 && !png.palette) throw new Error('invalid PNG (palette image without a PLTE chunk)');
  let raw: Uint8Array;
  try {
    raw = unzlibSync(png.compressed);
  } catch (error) {
    throw new Error(`invalid PNG (image data does not inflate: ${error instanceof Error ? error.message : String(error)})`);
  }

  const is16 = depth === 16;
  const alpha = colorType === 4 || colorType === 6 || png.transparency !== undefined;
  const channels = ((colorType === 3 ? 3 : colorType === 4 ? 1 : colorType === 6 ? 3 : samplesPerPixel) + (alpha ? 1 : 0)) as 1 | 2 | 3 | 4;
  const pixels = width * height;
  const data = is16 ? new Uint16Array(pixels * channels) : new Uint8Array(pixels * channels);
  const full = is16 ? 65535 : 255;
  const scale = colorType !== 3 && depth < 8 ? 255 / ((1 << depth) - 1) : 1;
  const bpp = Math.max(1, (samplesPerPixel * depth) >> 3);
  const trns = png.transparency;
  // tRNS of gray / RGB: 16-bit samples, compared with the raw (unwidened) sample values.
  const key = trns && (colorType === 0 || colorType === 2) ? Array.from({ length: trns.length >> 1 }, (_, i) => (trns[2 * i]! << 8) | trns[2 * i + 1]!) : undefined;
  const sample = new Array<number>(samplesPerPixel);

  const passes = png.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let offset = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const passWidth = Math.ceil((width - x0) / dx);
    const passHeight = Math.ceil((height - y0) / dy);
    if (passWidth <= 0 || passHeight <= 0) continue;
    const rowBytes = Math.ceil((passWidth * samplesPerPixel * depth) / 8);
    const needed = offset + passHeight * (rowBytes + 1);
    if (raw.length < needed) throw new Error(`invalid PNG (image data holds ${raw.length} bytes, the header needs ${needed})`);
    const start = offset;
    offset = unfilter(raw, start, rowBytes, passHeight, bpp);
    for (let py = 0; py < passHeight; py++) {
      const row = start + py * (rowBytes + 1) + 1;
      for (let px = 0; px < passWidth; px++) {
        for (let s = 0; s < samplesPerPixel; s++) {
          const index = px * samplesPerPixel + s;
          if (depth === 16) sample[s] = (raw[row + 2 * index]! << 8) | raw[row + 2 * index + 1]!;
          else if (depth === 8) sample[s] = raw[row + index]!;
          else {
            const bit = index * depth;
            sample[s] = (raw[row + (bit >> 3)]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
          }
        }
        const out = ((y0 + py * dy) * width + x0 + px * dx) * channels;
        if (colorType === 3) {
          const entry = sample[0]!;
          const palette = png.palette!;
          if (entry * 3 + 2 >= palette.length) throw new Error(`invalid PNG (palette index ${entry} beyond ${palette.length / 3} entries)`);
          data[out] = palette[entry * 3]!;
          data[out + 1] = palette[entry * 3 + 1]!;
          data[out + 2] = palette[entry * 3 + 2]!;
          if (alpha) data[out + 3] = entry < trns!.length ? trns![entry]! : 255;
          continue;
        }
        const colourSamples = colorType === 4 || colorType === 6 ? samplesPerPixel - 1 : samplesPerPixel;
        for (let s = 0; s < colourSamples; s++) data[out + s] = sample[s]! * scale;
        if (colorType === 4 || colorType === 6) data[out + colourSamples] = sample[colourSamples]!;
        else if (key) data[out + colourSamples] = key.every((v, s) => v === sample[s]) ? 0 : full;
      }
    }
  }
  return { data, width, height, channels, bitDepth: is16 ? 16 : 8 };
}
