import { decodeImage, detectImageFormat } from './decode-image';

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
    let offset = 2;
    while (offset + 9 < bytes.length) {
      if (bytes[offset] !== 0xff) {
        offset += 1;
        continue;
      }
      const marker = bytes[offset + 1];
      // Fill bytes and standalone markers carry no length.
      if (marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
        offset += marker === 0xff ? 1 : 2;
        continue;
      }
      const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
      const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isStartOfFrame) {
        const height = (bytes[offset + 5] << 8) | bytes[offset + 6];
        const width = (bytes[offset + 7] << 8) | bytes[offset + 8];
        return { width, height, format };
      }
      offset += 2 + length;
    }
    throw new Error(`readImageDimensions: ${where}no JPEG start-of-frame marker found`);
  }
  const image = decodeImage(bytes, options);
  return { width: image.width, height: image.height, format: 'dicom' };
}
