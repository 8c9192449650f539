import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { readImageDimensions } from './image-size';

function png(width: number, height: number): Uint8Array {
  const image = new PNG({ width, height });
  image.data.fill(128);
  return new Uint8Array(PNG.sync.write(image));
}

function jpg(width: number, height: number): Uint8Array {
  const data = Buffer.alloc(width * height * 4, 200);
  return new Uint8Array(jpeg.encode({ data, width, height }, 80).data);
}

describe('readImageDimensions', () => {
  test('reads PNG and JPEG headers without decoding', () => {
    expect(readImageDimensions(png(37, 21))).toEqual({ width: 37, height: 21, format: 'png' });
    expect(readImageDimensions(jpg(64, 48))).toEqual({ width: 64, height: 48, format: 'jpeg' });
  });

  test('names the file and reason on bad input', () => {
    const truncated = jpg(16, 16).slice(0, 20);
    expect(() => readImageDimensions(truncated, { path: 'x.jpg' })).toThrow('readImageDimensions: x.jpg: invalid JPEG (no frame header before the scan data)');
    expect(() => readImageDimensions(new Uint8Array([1, 2, 3]), { path: 'notes.txt' })).toThrow(/notes\.txt/);
  });
});
