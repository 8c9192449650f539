import * as jpeg from 'jpeg-js';
import type { DecodedImage } from './image-types';
import { readJpegFrameHeader } from './jpeg-frame-header';

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Number of components in the frame header; jpeg-js always expands gray to RGB, so we look ourselves. */
export function jpegComponents(bytes: Uint8Array): number {
  return readJpegFrameHeader(bytes).components;
}

function hasEndOfImage(bytes: Uint8Array): boolean {
  // Entropy-coded data escapes 0xFF, so FF D9 near the end can only be the real end-of-image marker.
  const start = Math.max(2, bytes.length - 4096);
  for (let i = bytes.length - 2; i >= start; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}

/** Decodes baseline and progressive 8-bit JPEGs: 1 component gives gray, 3 (YCbCr) or 4 (Adobe CMYK) give RGB. */
export function decodeJpeg(bytes: Uint8Array): DecodedImage {
  const components = jpegComponents(bytes);
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: 200,
      maxMemoryUsageInMB: 2048,
    });
  } catch (error) {
    const reason = `jpeg-js: ${error instanceof Error ? error.message : String(error)}`;
    // Only a failed decode is blamed on truncation: a file may legitimately carry trailing bytes after EOI.
    throw new Error(hasEndOfImage(bytes) ? `invalid JPEG (${reason})` : `truncated JPEG (no end-of-image marker; ${reason})`);
  }
  const { width, height, data: rgb } = decoded;
  if (components !== 1) return { data: rgb, width, height, channels: 3, bitDepth: 8 };
  const gray = new Uint8Array(width * height);
  for (let p = 0; p < gray.length; p++) gray[p] = rgb[p * 3];
  return { data: gray, width, height, channels: 1, bitDepth: 8 };
}
