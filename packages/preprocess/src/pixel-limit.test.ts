import * as jpeg from 'jpeg-js';
import { dicomDeclaring, jpegDeclaring, pngDeclaring } from '../test/helpers/bomb-images';
import { writeDicom } from '../test/helpers/dicom-writer';
import { writePng } from '../test/helpers/png-writer';
import { decodeImage, ImageDecodeError } from './decode-image';
import { decodeImageAsync } from './decode-image-async';
import { DEFAULT_MAX_PIXELS, pixelLimitProblem, readDeclaredSize, resolveMaxPixels } from './pixel-limit';

const side = 100;
const realImages: Record<'png' | 'jpeg' | 'dicom', Uint8Array> = {
  png: writePng({ width: side, height: side, colorType: 0, bitDepth: 8, samples: Array.from({ length: side * side }, (_, i) => i % 256) }),
  jpeg: new Uint8Array(jpeg.encode({ width: side, height: side, data: Buffer.alloc(side * side * 4, 128) }, 90).data),
  dicom: writeDicom({ rows: side, columns: side, bitsAllocated: 16, bitsStored: 12, pixels: Array.from({ length: side * side }, (_, i) => i % 4096) }),
};
const bombs: Record<'png' | 'jpeg' | 'dicom', Uint8Array> = {
  png: pngDeclaring(20000, 20000),
  jpeg: jpegDeclaring(60000, 60000),
  dicom: dicomDeclaring(65535, 65535),
};

function thrown(fn: () => unknown): ImageDecodeError {
  try {
    fn();
  } catch (error) {
    return error as ImageDecodeError;
  }
  throw new Error('expected a throw');
}

describe('pixel limit', () => {
  const saved = process.env.FRACTURE_MAX_PIXELS;
  afterEach(() => {
    if (saved === undefined) delete process.env.FRACTURE_MAX_PIXELS;
    else process.env.FRACTURE_MAX_PIXELS = saved;
  });

  test("the default is Pillow's decompression-bomb error threshold", () => {
    expect(DEFAULT_MAX_PIXELS).toBe(2 * Math.floor(1024 ** 3 / 4 / 3));
  });

  test('readDeclaredSize reads every format from its header', () => {
    expect(readDeclaredSize(bombs.png, 'png')).toEqual({ width: 20000, height: 20000 });
    expect(readDeclaredSize(bombs.jpeg, 'jpeg')).toMatchObject({ width: 60000, height: 60000 });
    expect(readDeclaredSize(bombs.dicom, 'dicom')).toEqual({ width: 65535, height: 65535 });
    for (const format of ['png', 'jpeg', 'dicom'] as const) {
      expect(readDeclaredSize(realImages[format], format)).toMatchObject({ width: side, height: side });
    }
  });

  test.each(['png', 'jpeg', 'dicom'] as const)('decodeImage refuses a %s bomb from its header, naming the file', (format) => {
    const error = thrown(() => decodeImage(bombs[format], { path: `/x/bomb.${format}` }));
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect(error.path).toBe(`/x/bomb.${format}`);
    expect(error.message).toMatch(new RegExp(`^decodeImage: /x/bomb\\.${format}: \\d+x\\d+ = [\\d.]+ MP exceeds the 179 MP limit \\(maxPixels`));
  });

  test('the message states the size as declared', () => {
    expect(thrown(() => decodeImage(bombs.png, { path: '/x/a.png' })).message).toContain('20000x20000 = 400 MP exceeds the 179 MP limit');
  });

  test.each(['png', 'jpeg', 'dicom'] as const)('decodeImageAsync refuses a %s bomb too', async (format) => {
    await expect(decodeImageAsync(bombs[format], { path: `b.${format}` })).rejects.toThrow(/exceeds the 179 MP limit/);
  });

  test.each(['png', 'jpeg', 'dicom'] as const)('maxPixels is configurable per call (%s)', async (format) => {
    const bytes = realImages[format];
    expect(decodeImage(bytes, { maxPixels: side * side })).toMatchObject({ width: side, height: side });
    expect(() => decodeImage(bytes, { path: 'a', maxPixels: side * side - 1 })).toThrow('decodeImage: a: 100x100 = 0.01 MP exceeds the 0.009999 MP limit');
    await expect(decodeImageAsync(bytes, { maxPixels: side * side - 1 })).rejects.toThrow(/exceeds the 0\.009999 MP limit/);
  });

  test('FRACTURE_MAX_PIXELS sets the default; 0 turns the check off; nonsense is an error', () => {
    process.env.FRACTURE_MAX_PIXELS = String(side * side - 1);
    expect(() => decodeImage(realImages.png)).toThrow(/exceeds the 0\.009999 MP limit/);
    // An explicit option wins over the environment.
    expect(decodeImage(realImages.png, { maxPixels: side * side }).width).toBe(side);
    process.env.FRACTURE_MAX_PIXELS = '0';
    expect(resolveMaxPixels(undefined, 'f')).toBe(Infinity);
    expect(decodeImage(realImages.png).width).toBe(side);
    process.env.FRACTURE_MAX_PIXELS = 'lots';
    expect(() => decodeImage(realImages.png, { path: 'a.png' })).toThrow("decodeImage: a.png: FRACTURE_MAX_PIXELS must be a non-negative integer (0 for no limit), got 'lots'");
    expect(() => resolveMaxPixels(-1, 'decodeImage')).toThrow('decodeImage: maxPixels must be a positive number');
  });

  test('pixelLimitProblem accepts exactly the limit', () => {
    expect(pixelLimitProblem({ width: 10, height: 10 }, 100)).toBeNull();
    expect(pixelLimitProblem({ width: 10, height: 11 }, 100)).toMatch(/^10x11 = 0\.00011 MP exceeds/);
  });

  test('a damaged header is left to the decoder, which names the damage', () => {
    expect(() => decodeImage(bombs.png.subarray(0, 20), { path: 'cut.png' })).toThrow(/^decodeImage: cut\.png: truncated PNG/);
  });
});
