import { zlibSync } from 'fflate';
import { crc32 } from './crc32';
import type { DecodedImage } from './image-types';

const COLOR_TYPE: Record<1 | 2 | 3 | 4, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

function chunk(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(payload, 8);
  view.setUint32(8 + payload.length, crc32(out.subarray(4, 8 + payload.length)));
  return out;
}

/**
 * Encodes pixels as a non-interlaced PNG of the same depth and channel layout (gray, gray + alpha,
 * RGB, RGBA; 8 or 16 bits). Rows use the Sub filter, which suits smooth radiographs and overlays.
 */
export function encodePng(image: DecodedImage): Uint8Array {
  const { width, height, channels, bitDepth, data } = image ?? ({} as DecodedImage);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`encodePng: expected positive integer width and height, got ${width}x${height}`);
  }
  if (!(channels in COLOR_TYPE)) throw new Error(`encodePng: expected 1 to 4 channels, got ${channels}`);
  if (bitDepth !== 8 && bitDepth !== 16) throw new Error(`encodePng: expected bitDepth 8 or 16, got ${bitDepth}`);
  if (!data || data.length !== width * height * channels) {
    throw new Error(`encodePng: expected ${width * height * channels} samples, got ${data?.length}`);
  }
  const bytesPerPixel = channels * (bitDepth / 8);
  const stride = width * bytesPerPixel;
  const raw = new Uint8Array(height * (stride + 1));
  const row = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const v = data[y * width * channels + i];
      if (bitDepth === 8) row[i] = v;
      else {
        row[2 * i] = v >>> 8;
        row[2 * i + 1] = v & 0xff;
      }
    }
    const start = y * (stride + 1);
    raw[start] = 1;
    for (let i = 0; i < stride; i++) {
      raw[start + 1 + i] = (row[i] - (i >= bytesPerPixel ? row[i - bytesPerPixel] : 0)) & 0xff;
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = bitDepth;
  header[9] = COLOR_TYPE[channels];
  const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const parts = [signature, chunk('IHDR', header), chunk('IDAT', zlibSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
