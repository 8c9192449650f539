/** What a JPEG's start-of-frame segment says about the image. */
export interface JpegFrameHeader {
  width: number;
  height: number;
  components: number;
}

/**
 * Finds the start-of-frame segment (any SOFn: baseline, progressive, lossless) by walking the marker
 * segments, without decoding. Throws when the frame header is cut off or no frame precedes the scan
 * data; the messages carry no function name so each caller can add its own.
 */
export function readJpegFrameHeader(bytes: Uint8Array): JpegFrameHeader {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) {
      offset++;
      continue;
    }
    const marker = bytes[offset + 1];
    // Fill bytes and standalone markers (TEM, RSTn, SOI) carry no length field.
    if (marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      offset += marker === 0xff ? 1 : 2;
      continue;
    }
    // DHT (C4), JPG (C8) and DAC (CC) share the SOFn range but are not frames.
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (offset + 9 >= bytes.length) throw new Error('truncated JPEG (frame header cut off)');
      return {
        height: (bytes[offset + 5] << 8) | bytes[offset + 6],
        width: (bytes[offset + 7] << 8) | bytes[offset + 8],
        components: bytes[offset + 9],
      };
    }
    if (marker === 0xda) break;
    offset += 2 + ((bytes[offset + 2] << 8) | bytes[offset + 3]);
  }
  throw new Error('invalid JPEG (no frame header before the scan data)');
}
