import { crc32, deflateSync } from 'node:zlib';
import { writeDicom } from './dicom-writer';

function chunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A structurally valid 8-bit gray PNG (correct CRCs, IHDR, IDAT, IEND) that declares `width` x `height` while
 * carrying only the first row's compressed data: a decoder without a pixel limit allocates for the declared
 * size before it notices the data ends early, exactly as with a real bomb, at a fraction of the bytes.
 */
export function pngDeclaring(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  const firstRow = deflateSync(Buffer.alloc(Math.min(width, 1 << 16) + 1));
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', firstRow), chunk('IEND', new Uint8Array(0))]));
}

/** A baseline JPEG header (SOI, SOF0 declaring the size, EOI) with no scan: enough for any header reader. */
export function jpegDeclaring(width: number, height: number): Uint8Array {
  const sof = [0xff, 0xc0, 0x00, 0x0b, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x01, 0x01, 0x11, 0x00];
  return Uint8Array.from([0xff, 0xd8, ...sof, 0xff, 0xd9]);
}

/** A DICOM whose Rows / Columns declare `rows` x `columns` but whose pixel data holds a 2x2 image. */
export function dicomDeclaring(columns: number, rows: number): Uint8Array {
  const bytes = writeDicom({ rows: 2, columns: 2, bitsAllocated: 16, bitsStored: 12, pixels: [0, 1, 2, 3] });
  const patch = (element: number, value: number) => {
    // Explicit VR little endian: (0028,eeee) 'US' length 2, value.
    const tag = [0x28, 0x00, element & 0xff, element >> 8, 0x55, 0x53, 0x02, 0x00];
    for (let i = 132; i + tag.length + 2 <= bytes.length; i++) {
      if (tag.every((b, k) => bytes[i + k] === b)) {
        bytes[i + 8] = value & 0xff;
        bytes[i + 9] = value >> 8;
        return;
      }
    }
    throw new Error(`dicomDeclaring: tag (0028,${element.toString(16)}) not found`);
  };
  patch(0x0010, rows);
  patch(0x0011, columns);
  return bytes;
}
