import { decodeImage, detectImageFormat } from './decode-image';
import { readJpegFrameHeader } from './jpeg-frame-header';

/** Width and height of an image. */
export interface ImageDimensions {
  width: number;
  height: number;
  format: 'png' | 'jpeg' | 'dicom';
}

/**
 * Reads an image's dimensions from its header without decoding the pixels (PNG `IHDR`, JPEG
 * start-of-frame); DICOM falls back to a full decode. Throws like `decodeImage` on anything else.
 */
export function readImageDimensions(bytes: Uint8Array, options: { path?: string } = {}): ImageDimensions {
  const format = detectImageFormat(bytes);
  const where = options.path ? `${options.path}: ` : '';
  if (format === 'png') {
    if (bytes.length < 24) throw new Error(`readImageDimensions: ${where}truncated PNG header`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { width: view.getUint32(16), height: view.getUint32(20), format };
  }
  if (format === 'jpeg') {
    try {
      const { width, height } = readJpegFrameHeader(bytes);
      return { width, height, format };
    } catch (error) {
      throw new Error(`readImageDimensions: ${where}${(error as Error).message}`);
    }
  }
  const image = decodeImage(bytes, options);
  return { width: image.width, height: image.height, format: 'dicom' };
}
