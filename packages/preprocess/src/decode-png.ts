import { PNG } from 'pngjs';
import type { DecodedImage } from './image-types';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * pngjs reports a cut-off file with an opaque stream error, so the chunk layout is walked first to
 * name the actual problem.
 */
function checkPngStructure(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let sawIdat = false;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > bytes.length) {
      throw new Error(`truncated PNG (${type} chunk ends at byte ${end}, file has ${bytes.length} bytes)`);
    }
    if (type === 'IDAT') sawIdat = true;
    if (type === 'IEND') {
      if (!sawIdat) throw new Error('invalid PNG (no IDAT chunk)');
      return;
    }
    offset = end;
  }
  throw new Error(sawIdat ? 'truncated PNG (no IEND chunk)' : 'truncated PNG (no IDAT chunk)');
}

interface PngMetadata {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  alpha: boolean;
  transColor?: number[];
  data: Uint8Array | Uint16Array;
}

/** Channels kept from pngjs's RGBA expansion, by PNG colour type. */
function channelsFor(colorType: number, hasTransparency: boolean): 1 | 2 | 3 | 4 {
  switch (colorType) {
    case 0:
      return hasTransparency ? 2 : 1;
    case 4:
      return 2;
    case 2:
      return hasTransparency ? 4 : 3;
    case 3:
      return hasTransparency ? 4 : 3;
    default:
      return 4;
  }
}

/** Decodes every PNG colour type and bit depth; 16-bit images stay 16-bit, lower depths become 8-bit. */
export function decodePng(bytes: Uint8Array): DecodedImage {
  checkPngStructure(bytes);
  let png: PngMetadata;
  try {
    // skipRescale keeps 16-bit samples; pngjs otherwise reduces them to 8 bits.
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      skipRescale: true,
    }) as unknown as PngMetadata;
  } catch (error) {
    throw new Error(`invalid PNG (${error instanceof Error ? error.message : String(error)})`);
  }
  const { width, height, depth, colorType } = png;
  const channels = channelsFor(colorType, png.alpha);
  const rgba = png.data;
  const pixels = width * height;
  const is16 = depth === 16 && colorType !== 3;
  const data = is16 ? new Uint16Array(pixels * channels) : new Uint8Array(pixels * channels);
  // Palette entries are already 8-bit; low-depth gray is widened to 8 bits by exact integer factors.
  const scale = colorType !== 3 && depth < 8 ? 255 / ((1 << depth) - 1) : 1;
  const source = channels === 1 || channels === 2 ? [0, 3] : [0, 1, 2, 3];
  // pngjs zeroes the colour of tRNS-transparent pixels; their colour is by definition the tRNS colour.
  const transColor = colorType === 0 || colorType === 2 ? png.transColor : undefined;
  for (let p = 0; p < pixels; p++) {
    const transparent = transColor !== undefined && rgba[p * 4 + 3] === 0;
    for (let c = 0; c < channels; c++) {
      const sourceChannel = source[c];
      const value = transparent && sourceChannel < 3 ? transColor[sourceChannel] : rgba[p * 4 + sourceChannel];
      // Alpha from tRNS is already 0 or full scale.
      data[p * channels + c] = sourceChannel === 3 ? value : value * scale;
    }
  }
  if (depth < 8 && png.alpha && colorType === 0) {
    // pngjs writes simple-transparency alpha as 0 / 2^depth - 1 before widening.
    for (let p = 0; p < pixels; p++) data[p * 2 + 1] = data[p * 2 + 1] === 0 ? 0 : 255;
  }
  return { data, width, height, channels, bitDepth: is16 ? 16 : 8 };
}
