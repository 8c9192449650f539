import '@tensorflow/tfjs-backend-cpu';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { decodeImage } from './decode-image';
import { decodeImageAsync, jpegDecoder } from './decode-image-async';
import { resizePixels } from './resize';
import { decodedToPixels } from './to-tensor';

const FIXTURES = join(__dirname, '../test/fixtures');
const PYTHON = '/usr/bin/python3';

/** PIL's full decode + `resize((size, size), BILINEAR)` of gray JPEG bytes, as float levels; null without Pillow. */
function pilDecodeAndResize(bytes: Uint8Array, size: number): number[] | null {
  if (!existsSync(PYTHON)) return null;
  const dir = mkdtempSync(join(tmpdir(), 'fracture-pil-'));
  try {
    const file = join(dir, 'large.jpg');
    writeFileSync(file, bytes);
    const script = [
      'import sys; from PIL import Image',
      "im = Image.open(sys.argv[1]).convert('L').resize((int(sys.argv[2]),) * 2, Image.BILINEAR)",
      'sys.stdout.buffer.write(im.tobytes())',
    ].join('\n');
    const out = execFileSync(PYTHON, ['-c', script, file, String(size)]);
    return Array.from(out);
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sharpInstalled(): boolean {
  try {
    require.resolve('sharp');
    return true;
  } catch {
    return false;
  }
}

function diffStats(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

/** This module loaded afresh with `FRACTURE_DECODER=choice`, for `fn`. */
async function withDecoder<T>(choice: string, fn: (module: typeof import('./decode-image-async')) => Promise<T>): Promise<T> {
  const previous = process.env.FRACTURE_DECODER;
  process.env.FRACTURE_DECODER = choice;
  try {
    let isolated: typeof import('./decode-image-async') | undefined;
    jest.isolateModules(() => {
      isolated = require('./decode-image-async');
    });
    return await fn(isolated!);
  } finally {
    if (previous === undefined) delete process.env.FRACTURE_DECODER;
    else process.env.FRACTURE_DECODER = previous;
  }
}

// Both are libjpeg(-turbo) with fancy upsampling, so they agree with Pillow far more closely than jpeg-js does.
const PILLOW_CASES = [
  { name: 'gray-baseline', channels: 1, max: 1, mean: 0.1 },
  { name: 'gray-progressive', channels: 1, max: 1, mean: 0.1 },
  { name: 'rgb-baseline-444', channels: 3, max: 2, mean: 0.5 },
  { name: 'rgb-progressive-444', channels: 3, max: 2, mean: 0.5 },
  { name: 'rgb-baseline-420', channels: 3, max: 2, mean: 0.5 },
];
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

describe('decodeImageAsync with libjpeg-turbo in WebAssembly against Pillow-decoded fixtures', () => {
  test('the WebAssembly decoder loads (it needs no native binary)', async () => {
    await withDecoder('wasm', async (m) => expect(await m.jpegDecoder()).toBe('wasm'));
  });

  test.each(PILLOW_CASES)('$name: max |diff| <= $max, mean <= $mean', async (c) => {
    await withDecoder('wasm', async (m) => {
      const image = await m.decodeImageAsync(fixture(`${c.name}.jpg`));
      const expected = decodeImage(fixture(`${c.name}.expected.png`));
      expect(image).toMatchObject({ width: 48, height: 40, channels: c.channels, bitDepth: 8 });
      const { max, mean } = diffStats(image.data, expected.data);
      expect(max).toBeLessThanOrEqual(c.max);
      expect(mean).toBeLessThanOrEqual(c.mean);
    });
  });

  test('a truncated or damaged JPEG fails with the same message as decodeImage (no libjpeg output printed)', async () => {
    const encoded = jpeg.encode({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(128) }, 90).data;
    const truncated = new Uint8Array(encoded.subarray(0, encoded.length - 30));
    const damaged = new Uint8Array(encoded);
    damaged.fill(0xff, 200, 260);
    await withDecoder('wasm', async (m) => {
      const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        for (const bytes of [truncated, damaged]) {
          const expected = (() => {
            try {
              decodeImage(bytes, { path: 'c.jpg' });
              return null;
            } catch (error) {
              return (error as Error).message;
            }
          })();
          if (expected === null) await expect(m.decodeImageAsync(bytes, { path: 'c.jpg' })).resolves.toEqual(decodeImage(bytes));
          else await expect(m.decodeImageAsync(bytes, { path: 'c.jpg' })).rejects.toThrow(expected);
        }
        expect(errors).not.toHaveBeenCalled();
      } finally {
        errors.mockRestore();
      }
      // The decoder is still usable after a failure.
      expect((await m.decodeImageAsync(fixture('gray-baseline.jpg'))).width).toBe(48);
    });
  });

  test('without sharp, reduceTo leaves the image at full size', async () => {
    await withDecoder('wasm', async (m) => {
      expect(await m.decodeImageAsync(fixture('gray-baseline.jpg'), { reduceTo: 8 })).toMatchObject({ width: 48, height: 40 });
    });
  });
});

// sharp is optional: without it only the WebAssembly and pure-JS decoders are tested here, and
// decode-image.test.ts covers jpeg-js against the same Pillow fixtures.
const useSharp = sharpInstalled() && process.env.FRACTURE_DECODER !== 'jpeg-js';
const describeSharp = useSharp ? describe : describe.skip;
if (!useSharp) console.log('decode-image-async: sharp is not installed or disabled; its tests are skipped');

describeSharp('decodeImageAsync with sharp (libjpeg-turbo) against Pillow-decoded fixtures', () => {
  test('by default sharp shrinks large JPEGs and WebAssembly decodes the rest', async () => {
    expect(await jpegDecoder()).toBe('sharp+wasm');
    await withDecoder('sharp', async (m) => expect(await m.jpegDecoder()).toBe('sharp'));
  });

  test.each(PILLOW_CASES)('$name: max |diff| <= $max, mean <= $mean, and the same pixels as the WebAssembly decoder', async (c) => {
    const viaSharp = await withDecoder('sharp', (m) => m.decodeImageAsync(fixture(`${c.name}.jpg`)));
    const expected = decodeImage(fixture(`${c.name}.expected.png`));
    expect(viaSharp).toMatchObject({ width: 48, height: 40, channels: c.channels, bitDepth: 8 });
    const { max, mean } = diffStats(viaSharp.data, expected.data);
    expect(max).toBeLessThanOrEqual(c.max);
    expect(mean).toBeLessThanOrEqual(c.mean);
    // Both are libjpeg-turbo with the same settings: identical output.
    expect(await withDecoder('wasm', (m) => m.decodeImageAsync(fixture(`${c.name}.jpg`)))).toEqual(viaSharp);
  });

  test('a truncated JPEG fails with the same message as decodeImage', async () => {
    const encoded = jpeg.encode({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(128) }, 90).data;
    const bytes = new Uint8Array(encoded.subarray(0, encoded.length - 30));
    await expect(decodeImageAsync(bytes, { path: 'c.jpg' })).rejects.toThrow(/^decodeImage: c\.jpg: truncated JPEG/);
  });

  test('reduceTo on a large JPEG: a smaller decode, and after resizing within a few levels of full decode + resize', async () => {
    // A 1200x1000 radiograph-like JPEG: smooth gradients, a bright bar and fine stripes (aliasing bait).
    const width = 1200;
    const height = 1000;
    const rgba = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const bar = Math.abs(x - 600) < 80 && Math.abs(y - 500) < 300 ? 90 : 0;
        const stripes = (x >> 2) % 2 === 0 ? 20 : 0;
        const v = Math.min(255, 40 + Math.round((120 * x) / width) + bar + stripes);
        rgba.set([v, v, v, 255], (y * width + x) * 4);
      }
    }
    const bytes = new Uint8Array(jpeg.encode({ width, height, data: rgba }, 92).data);
    const reduced = await decodeImageAsync(bytes, { reduceTo: 224 });
    // 1200 / 2 = 600 >= 2 * 224, 1200 / 4 = 300 < 448: a factor-2 reduction.
    expect(reduced).toMatchObject({ width: 600, height: 500 });
    const toLevels = (image: Awaited<ReturnType<typeof decodeImageAsync>>) =>
      resizePixels(decodedToPixels(image, 1), 224).data.map((v) => v * 255);
    const viaReduced = toLevels(reduced);
    // The reduction alone (libjpeg-turbo at full size), and against jpeg-js's full decode, which the PIL
    // fixtures above pin to within 2 levels of Pillow's.
    const reductionOnly = diffStats(viaReduced, toLevels(await decodeImageAsync(bytes)));
    const againstJs = diffStats(viaReduced, toLevels(decodeImage(bytes)));
    console.log(
      `reduceTo 224 on 1200x1000 vs full decode + resize (levels): sharp full max ${reductionOnly.max.toFixed(2)} mean ${reductionOnly.mean.toFixed(3)}; ` +
        `jpeg-js full max ${againstJs.max.toFixed(2)} mean ${againstJs.mean.toFixed(3)}`,
    );
    expect(reductionOnly.max).toBeLessThanOrEqual(3);
    expect(reductionOnly.mean).toBeLessThanOrEqual(0.5);
    expect(againstJs.max).toBeLessThanOrEqual(3);
    expect(againstJs.mean).toBeLessThanOrEqual(0.5);
    const pil = pilDecodeAndResize(bytes, 224);
    if (pil) {
      const againstPil = diffStats(viaReduced, pil);
      console.log(`reduceTo 224 vs PIL full decode + resize(BILINEAR): max ${againstPil.max.toFixed(2)} mean ${againstPil.mean.toFixed(3)} levels`);
      expect(againstPil.max).toBeLessThanOrEqual(3);
      expect(againstPil.mean).toBeLessThanOrEqual(0.6);
    } else {
      console.log(`decode-image-async: ${PYTHON} with Pillow not found; the PIL comparison is skipped`);
    }
  });

  test('reduceTo never goes below twice the target, and small images are decoded at full size', async () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'gray-baseline.jpg')));
    // 48x40 halves to 24x20, still >= 2 x 8; a quarter (12x10) would not be.
    expect(await decodeImageAsync(bytes, { reduceTo: 8 })).toMatchObject({ width: 24, height: 20 });
    expect(await decodeImageAsync(bytes, { reduceTo: 24 })).toMatchObject({ width: 48, height: 40 });
  });
});

describe('decodeImageAsync fallbacks', () => {
  test('FRACTURE_DECODER=jpeg-js selects the pure-JS decoder: the same pixels as decodeImage', async () => {
    await withDecoder('jpeg-js', async (m) => {
      expect(await m.jpegDecoder()).toBe('jpeg-js');
      const bytes = fixture('rgb-baseline-420.jpg');
      expect(await m.decodeImageAsync(bytes, { reduceTo: 4 })).toEqual(decodeImage(bytes));
    });
  });

  test('an unknown FRACTURE_DECODER is an error listing the valid names', async () => {
    await withDecoder('libjpeg', async (m) => {
      await expect(m.decodeImageAsync(fixture('gray-baseline.jpg'))).rejects.toThrow(
        "decodeImageAsync: FRACTURE_DECODER must be auto, sharp, wasm or jpeg-js, got 'libjpeg'",
      );
    });
  });

  test('non-JPEG input goes through decodeImage (same errors)', async () => {
    await expect(decodeImageAsync(new Uint8Array([1, 2, 3]), { path: 'x.bin' })).rejects.toThrow(
      'decodeImage: x.bin: not a PNG, JPEG or DICOM file (unrecognised signature)',
    );
    const png = new Uint8Array(readFileSync(join(FIXTURES, 'gray-baseline.expected.png')));
    expect(await decodeImageAsync(png)).toEqual(decodeImage(png));
  });

  test('rejects a bad reduceTo naming the function', async () => {
    await expect(decodeImageAsync(new Uint8Array([0xff, 0xd8, 0xff]), { reduceTo: 0 })).rejects.toThrow(/^decodeImageAsync: /);
  });
});
