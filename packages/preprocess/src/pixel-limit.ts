import * as dicomParserModule from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import { readJpegFrameHeader } from './jpeg-frame-header';

type DicomParser = typeof dicomParserModule;
// Same UMD interop as decode-dicom.ts: ESM sees only `default`, CommonJS the namespace.
const dicomParser: DicomParser =
  typeof dicomParserModule.parseDicom === 'function'
    ? dicomParserModule
    : (dicomParserModule as unknown as { default: DicomParser }).default;

/**
 * Pillow's decompression-bomb error threshold (twice its `MAX_IMAGE_PIXELS` warning of 89,478,485), so a file
 * Pillow opens, we open. The largest radiographs (a 43x43 cm detector at 0.1 mm) are ~20 MP, far below; a
 * 20000x20000 PNG of a few hundred KB is far above.
 */
export const DEFAULT_MAX_PIXELS = 178_956_970;

/** The declared size of an image, read from its header only. */
export interface DeclaredSize {
  width: number;
  height: number;
}

/**
 * The limit in force: `maxPixels` when given, else `FRACTURE_MAX_PIXELS` from the environment (so the CLI and
 * its worker threads can be configured without a flag on every command), else {@link DEFAULT_MAX_PIXELS}.
 * `Infinity` (or `FRACTURE_MAX_PIXELS=0`) turns the check off.
 */
export function resolveMaxPixels(maxPixels: number | undefined, fn: string): number {
  if (maxPixels !== undefined) {
    if (typeof maxPixels !== 'number' || Number.isNaN(maxPixels) || maxPixels <= 0) {
      throw new Error(`${fn}: maxPixels must be a positive number (Infinity for no limit), got ${String(maxPixels)}`);
    }
    return maxPixels;
  }
  const env = typeof process !== 'undefined' ? process.env?.FRACTURE_MAX_PIXELS : undefined;
  if (env === undefined || env.trim() === '') return DEFAULT_MAX_PIXELS;
  const value = Number(env);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${fn}: FRACTURE_MAX_PIXELS must be a non-negative integer (0 for no limit), got '${env}'`);
  }
  return value === 0 ? Infinity : value;
}

/**
 * Width and height as the header declares them, without touching the pixel data: PNG `IHDR`, JPEG
 * start-of-frame, DICOM Rows / Columns (dicom-parser reads the element list; pixel data stays a byte range).
 * Throws with a reason (no function name) when the header itself is unreadable.
 */
export function readDeclaredSize(bytes: Uint8Array, format: 'png' | 'jpeg' | 'dicom'): DeclaredSize {
  if (format === 'png') {
    if (bytes.length < 24) throw new Error('truncated PNG (no complete IHDR chunk)');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (format === 'jpeg') return readJpegFrameHeader(bytes);
  let dataSet: DataSet;
  try {
    // untilTag stops before the pixel data, so even a huge file costs only its element list.
    dataSet = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
  } catch {
    // Let the decoder word the failure: it distinguishes truncation from other damage.
    return { width: 0, height: 0 };
  }
  return { width: dataSet.uint16('x00280011') ?? 0, height: dataSet.uint16('x00280010') ?? 0 };
}

/** The reason an image is refused, or null when `width * height` is within `maxPixels`. */
export function pixelLimitProblem(size: DeclaredSize, maxPixels: number): string | null {
  const pixels = size.width * size.height;
  if (pixels <= maxPixels) return null;
  const mp = (n: number) => `${Number((n / 1e6).toPrecision(4))} MP`;
  return (
    `${size.width}x${size.height} = ${mp(pixels)} exceeds the ${mp(maxPixels)} limit (maxPixels; ` +
    'set FRACTURE_MAX_PIXELS to change it): refused before decoding, a possible decompression bomb'
  );
}
