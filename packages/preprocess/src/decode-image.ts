import { decodeDicom, isDicom } from './decode-dicom';
import { decodeJpeg, isJpeg } from './decode-jpeg';
import { decodePng, isPng } from './decode-png';
import type { DecodedImage, DecodeImageOptions } from './image-types';
import { pixelLimitProblem, readDeclaredSize, resolveMaxPixels } from './pixel-limit';

/** Thrown by `decodeImage`; `path` and `reason` are also available separately for dataset scan reports. */
export class ImageDecodeError extends Error {
  readonly path: string | undefined;
  readonly reason: string;

  constructor(reason: string, path?: string) {
    super(`decodeImage: ${path ? `${path}: ` : ''}${reason}`);
    this.name = 'ImageDecodeError';
    this.path = path;
    this.reason = reason;
  }
}

/** Which decoder the magic bytes select, or null when the bytes are not a supported image. */
export function detectImageFormat(bytes: Uint8Array): 'png' | 'jpeg' | 'dicom' | null {
  if (isPng(bytes)) return 'png';
  if (isJpeg(bytes)) return 'jpeg';
  if (isDicom(bytes)) return 'dicom';
  return null;
}

/**
 * Refuses an image whose header declares more than the pixel limit, before any decoder allocates for it.
 * A header too damaged to read is left to the decoder, which words that failure precisely.
 */
export function checkDeclaredSize(
  bytes: Uint8Array,
  format: 'png' | 'jpeg' | 'dicom',
  maxPixels: number | undefined,
  fn: string,
  path: string | undefined,
): void {
  let limit: number;
  try {
    limit = resolveMaxPixels(maxPixels, fn);
  } catch (error) {
    throw new ImageDecodeError((error as Error).message.replace(`${fn}: `, ''), path);
  }
  if (limit === Infinity) return;
  let size;
  try {
    size = readDeclaredSize(bytes, format);
  } catch {
    return;
  }
  const problem = pixelLimitProblem(size, limit);
  if (problem) throw new ImageDecodeError(problem, path);
}

/**
 * Decodes PNG, JPEG or DICOM (Part 10) bytes, chosen by their magic bytes rather than the file
 * extension, since dataset folders often hold mislabelled files. Images declaring more than `maxPixels`
 * (default {@link DEFAULT_MAX_PIXELS}, ~179 MP) are refused from the header, before decoding.
 */
export function decodeImage(bytes: Uint8Array, options: DecodeImageOptions = {}): DecodedImage {
  const { path } = options;
  if (!(bytes instanceof Uint8Array)) {
    throw new ImageDecodeError(`expected a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`, path);
  }
  if (bytes.length === 0) throw new ImageDecodeError('empty file (0 bytes)', path);
  const format = detectImageFormat(bytes);
  if (format === null) {
    throw new ImageDecodeError('not a PNG, JPEG or DICOM file (unrecognised signature)', path);
  }
  checkDeclaredSize(bytes, format, options.maxPixels, 'decodeImage', path);
  let image: DecodedImage;
  try {
    image = format === 'png' ? decodePng(bytes) : format === 'jpeg' ? decodeJpeg(bytes) : decodeDicom(bytes);
  } catch (error) {
    throw new ImageDecodeError(error instanceof Error ? error.message : String(error), path);
  }
  if (image.width === 0 || image.height === 0) {
    throw new ImageDecodeError(`invalid ${format} (zero-sized image ${image.width}x${image.height})`, path);
  }
  return image;
}
