import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { writeDicom } from '../test/helpers/dicom-writer';
import { writePng, type PngFixture } from '../test/helpers/png-writer';
import { decodeImage, detectImageFormat, ImageDecodeError } from './decode-image';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures');

/** Deterministic samples in [0, max]. */
function samples(count: number, max: number, salt = 0): number[] {
  return Array.from({ length: count }, (_, i) => ((i + salt) * 2654435761) % (max + 1));
}

describe('decodeImage: PNG', () => {
  const width = 13;
  const height = 11;
  const variants: { colorType: PngFixture['colorType']; depths: PngFixture['bitDepth'][]; channels: number }[] = [
    { colorType: 0, depths: [1, 2, 4, 8, 16], channels: 1 },
    { colorType: 4, depths: [8, 16], channels: 2 },
    { colorType: 2, depths: [8, 16], channels: 3 },
    { colorType: 6, depths: [8, 16], channels: 4 },
  ];
  for (const { colorType, depths, channels } of variants) {
    for (const bitDepth of depths) {
      for (const interlace of [false, true]) {
        test(`colour type ${colorType}, ${bitDepth}-bit${interlace ? ', Adam7 interlaced' : ''}`, () => {
          const max = 2 ** bitDepth - 1;
          const source = samples(width * height * channels, max, colorType + bitDepth);
          const image = decodeImage(writePng({ width, height, colorType, bitDepth, samples: source, interlace }));
          expect(image).toMatchObject({ width, height, channels, bitDepth: bitDepth === 16 ? 16 : 8 });
          expect(image.data).toBeInstanceOf(bitDepth === 16 ? Uint16Array : Uint8Array);
          // Depths below 8 widen by exact integer factors (1-bit → 255, 2-bit → 85, 4-bit → 17).
          const widen = bitDepth < 8 ? 255 / max : 1;
          expect(Array.from(image.data)).toEqual(source.map((v) => v * widen));
        });
      }
    }
  }

  const palette: [number, number, number][] = Array.from({ length: 16 }, (_, i) => [i * 16, 255 - i * 7, (i * 53) % 256]);
  for (const bitDepth of [1, 2, 4, 8] as const) {
    for (const interlace of [false, true]) {
      test(`palette ${bitDepth}-bit${interlace ? ', interlaced' : ''} expands to RGB`, () => {
        const entries = Math.min(16, 2 ** bitDepth);
        const indices = samples(width * height, entries - 1, bitDepth);
        const image = decodeImage(
          writePng({ width, height, colorType: 3, bitDepth, samples: indices, palette: palette.slice(0, entries), interlace }),
        );
        expect(image).toMatchObject({ width, height, channels: 3, bitDepth: 8 });
        expect(Array.from(image.data)).toEqual(indices.flatMap((i) => palette[i]));
      });
    }
  }

  test('gray and RGB with a tRNS colour gain an alpha channel and keep the colour', () => {
    const gray = samples(width * height, 15, 3);
    // tRNS for gray is one 16-bit sample: level 7 of 4-bit is transparent.
    const image = decodeImage(writePng({ width, height, colorType: 0, bitDepth: 4, samples: gray, paletteAlpha: [0, 7] }));
    expect(image.channels).toBe(2);
    expect(Array.from(image.data)).toEqual(gray.flatMap((v) => [v * 17, v === 7 ? 0 : 255]));
    const rgb = samples(width * height * 3, 3, 4);
    const colour = decodeImage(writePng({ width, height, colorType: 2, bitDepth: 8, samples: rgb, paletteAlpha: [0, 1, 0, 2, 0, 3] }));
    expect(colour.channels).toBe(4);
    const expected: number[] = [];
    for (let p = 0; p < width * height; p++) {
      const [r, g, b] = rgb.slice(p * 3, p * 3 + 3);
      expected.push(r, g, b, r === 1 && g === 2 && b === 3 ? 0 : 255);
    }
    expect(Array.from(colour.data)).toEqual(expected);
    // Both fixtures do contain transparent pixels.
    expect(gray.includes(7)).toBe(true);
    expect(expected.filter((v, i) => i % 4 === 3 && v === 0).length).toBeGreaterThan(0);
  });

  test('palette with tRNS gives RGBA with the palette alpha', () => {
    const indices = samples(width * height, 3, 5);
    const alpha = [0, 80, 160, 255];
    const image = decodeImage(
      writePng({ width, height, colorType: 3, bitDepth: 2, samples: indices, palette: palette.slice(0, 4), paletteAlpha: alpha }),
    );
    expect(image.channels).toBe(4);
    expect(Array.from(image.data)).toEqual(indices.flatMap((i) => [...palette[i], alpha[i]]));
  });
});

describe('decodeImage: JPEG (Pillow-encoded fixtures, Pillow-decoded expected pixels)', () => {
  // IDCT and colour conversion differ between libjpeg (Pillow) and jpeg-js by a few levels; 4:2:0
  // differs more because jpeg-js upsamples chroma by repetition where libjpeg interpolates.
  const cases = [
    { name: 'gray-baseline', channels: 1, max: 2, mean: 0.5 },
    { name: 'gray-progressive', channels: 1, max: 2, mean: 0.5 },
    { name: 'rgb-baseline-444', channels: 3, max: 4, mean: 1 },
    { name: 'rgb-progressive-444', channels: 3, max: 4, mean: 1 },
    { name: 'rgb-baseline-420', channels: 3, max: 16, mean: 3 },
  ];
  for (const c of cases) {
    test(`${c.name}: max |diff| <= ${c.max}, mean <= ${c.mean}`, () => {
      const image = decodeImage(new Uint8Array(readFileSync(join(FIXTURES, `${c.name}.jpg`))));
      const expected = decodeImage(new Uint8Array(readFileSync(join(FIXTURES, `${c.name}.expected.png`))));
      expect(image).toMatchObject({ width: 48, height: 40, channels: c.channels, bitDepth: 8 });
      expect(expected.channels).toBe(c.channels);
      let max = 0;
      let sum = 0;
      image.data.forEach((v, i) => {
        const d = Math.abs(v - expected.data[i]);
        max = Math.max(max, d);
        sum += d;
      });
      expect(max).toBeLessThanOrEqual(c.max);
      expect(sum / image.data.length).toBeLessThanOrEqual(c.mean);
    });
  }

  test('a progressive JPEG decodes to the same pixels as its baseline twin (same quantisation)', () => {
    const baseline = decodeImage(new Uint8Array(readFileSync(join(FIXTURES, 'rgb-baseline-444.jpg'))));
    const progressive = decodeImage(new Uint8Array(readFileSync(join(FIXTURES, 'rgb-progressive-444.jpg'))));
    expect(Array.from(progressive.data)).toEqual(Array.from(baseline.data));
  });
});

describe('decodeImage: DICOM', () => {
  test('MONOCHROME2 12-bit without window: min–max of the stored values to 16 bits', () => {
    const bytes = writeDicom({ rows: 2, columns: 3, bitsAllocated: 16, bitsStored: 12, pixels: [100, 4000, 1000, 2050, 100, 4095] });
    const image = decodeImage(bytes);
    expect(image).toMatchObject({ width: 3, height: 2, channels: 1, bitDepth: 16 });
    // (v - 100) / 3995 * 65535, rounded.
    expect(Array.from(image.data)).toEqual([0, 63977, 14764, 31988, 0, 65535]);
  });

  test('explicit VR big endian decodes to the same pixels as little endian', () => {
    const fixture = { rows: 2, columns: 3, bitsAllocated: 16 as const, bitsStored: 12, pixels: [100, 4000, 1000, 2050, 100, 4095] };
    const big = decodeImage(writeDicom({ ...fixture, transferSyntax: '1.2.840.10008.1.2.2' }));
    expect(Array.from(big.data)).toEqual([0, 63977, 14764, 31988, 0, 65535]);
  });

  test('MONOCHROME1 with rescale slope/intercept and a window: modality → VOI → inverted', () => {
    const bytes = writeDicom({
      rows: 1,
      columns: 5,
      bitsAllocated: 16,
      bitsStored: 12,
      photometric: 'MONOCHROME1',
      rescaleSlope: 0.5,
      rescaleIntercept: -100,
      windowCenter: 1000,
      windowWidth: 2001,
      // Modality values 0.5*v - 100: -100, 1499.5, 999.5, 2400, 499.5.
      pixels: [0, 3199, 2199, 5000 & 4095, 1199],
    });
    const image = decodeImage(bytes);
    expect(image.bitDepth).toBe(16);
    // Window [999.5 ± 1000]: y = (x - 999.5) / 2000 + 0.5, below → 0, above → 1; then 65535 - y * 65535.
    // 5000 & 4095 = 904 → modality 352 → y = 0.17625 → 11550.5 → round 11551 → inverted 53984.
    expect(Array.from(image.data)).toEqual([65535, 65535 - 49151, 65535 - 32768, 53984, 65535 - 16384]);
  });

  test('8-bit MONOCHROME2 with the first of several windows gives 8-bit output', () => {
    const bytes = writeDicom({
      rows: 1,
      columns: 4,
      bitsAllocated: 8,
      bitsStored: 8,
      windowCenter: [128, 40],
      windowWidth: [101, 400],
      pixels: [0, 77, 128, 200],
    });
    const image = decodeImage(bytes);
    expect(image).toMatchObject({ bitDepth: 8, channels: 1 });
    expect(image.data).toBeInstanceOf(Uint8Array);
    // Window 128/101: low = 77.5, high = 177.5; 128 → (128 - 127.5)/100 + 0.5 = 0.505 → 128.775 → 129.
    expect(Array.from(image.data)).toEqual([0, 0, 129, 255]);
  });

  test('signed 16-bit pixels with a negative intercept (CT-like) in implicit VR little endian', () => {
    const bytes = writeDicom({
      rows: 1,
      columns: 3,
      bitsAllocated: 16,
      bitsStored: 16,
      pixelRepresentation: 1,
      rescaleIntercept: -1024,
      windowCenter: 40,
      windowWidth: 401,
      // -1000 as two's complement; modality values -2024, 1024 - 1024 + 40 = 40, 4000 - 1024.
      pixels: [(-1000 + 65536) & 0xffff, 1064, 4000],
      transferSyntax: '1.2.840.10008.1.2',
    });
    const image = decodeImage(bytes);
    // 40 → (40 - 39.5)/400 + 0.5 = 0.50125 → 32849.4 → 32849.
    expect(Array.from(image.data)).toEqual([0, 32849, 65535]);
  });

  test('12-bit data stored in 16 bits ignores bits above BitsStored', () => {
    const bytes = writeDicom({ rows: 1, columns: 2, bitsAllocated: 16, bitsStored: 16, pixels: [0xf000 | 10, 20] });
    // Rewrite BitsStored to 12 by hand: the high nibble of the first pixel must be masked away.
    const view = Buffer.from(bytes);
    const tag = Buffer.from([0x28, 0x00, 0x01, 0x01, 0x55, 0x53, 0x02, 0x00]);
    const at = view.indexOf(tag);
    view.writeUInt16LE(12, at + 8);
    view.writeUInt16LE(11, at + 8 + 10);
    const image = decodeImage(new Uint8Array(view));
    expect(Array.from(image.data)).toEqual([0, 65535]);
  });

  test('RGB with interleaved samples', () => {
    const pixels = [255, 0, 0, 0, 128, 255];
    const bytes = writeDicom({ rows: 1, columns: 2, bitsAllocated: 8, bitsStored: 8, samplesPerPixel: 3, photometric: 'RGB', pixels });
    expect(decodeImage(bytes)).toMatchObject({ channels: 3, bitDepth: 8, data: Uint8Array.from(pixels) });
  });

  test('a compressed transfer syntax (JPEG 2000) fails naming the syntax', () => {
    const bytes = writeDicom({
      rows: 2,
      columns: 2,
      bitsAllocated: 16,
      bitsStored: 12,
      pixels: [1, 2, 3, 4],
      transferSyntax: '1.2.840.10008.1.2.4.90',
    });
    expect(() => decodeImage(bytes, { path: '/data/ct.dcm' })).toThrow(
      /^decodeImage: \/data\/ct\.dcm: unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.90 \(JPEG 2000 Lossless\)/,
    );
  });

  test('a DICOM cut inside its pixel data is reported as truncated', () => {
    const bytes = writeDicom({ rows: 8, columns: 8, bitsAllocated: 16, bitsStored: 12, pixels: samples(64, 4095) });
    expect(() => decodeImage(bytes.subarray(0, bytes.length - 40), { path: 'a.dcm' })).toThrow(/^decodeImage: a\.dcm: truncated DICOM/);
  });
});

describe('decodeImage: errors name the file and the reason', () => {
  const png = writePng({ width: 4, height: 4, colorType: 0, bitDepth: 8, samples: samples(16, 255) });

  test('zero-byte file', () => {
    expect(() => decodeImage(new Uint8Array(0), { path: '/x/empty.png' })).toThrow('decodeImage: /x/empty.png: empty file (0 bytes)');
  });

  test('non-image bytes', () => {
    const text = new TextEncoder().encode('not an image at all, just a text file');
    expect(() => decodeImage(text, { path: 'notes.txt' })).toThrow(
      'decodeImage: notes.txt: not a PNG, JPEG or DICOM file (unrecognised signature)',
    );
    expect(detectImageFormat(text)).toBeNull();
  });

  test('truncated PNG', () => {
    expect(() => decodeImage(png.subarray(0, png.length - 20), { path: '/x/a.png' })).toThrow(/^decodeImage: \/x\/a\.png: truncated PNG/);
    expect(() => decodeImage(png.subarray(0, 30))).toThrow(/^decodeImage: truncated PNG/);
  });

  test('PNG with a corrupted CRC', () => {
    const bad = png.slice();
    bad[29] ^= 0xff; // inside the IHDR CRC
    expect(() => decodeImage(bad, { path: 'b.png' })).toThrow(/^decodeImage: b\.png: invalid PNG \(/);
  });

  test('truncated JPEG', () => {
    const encoded = jpeg.encode({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(128) }, 90).data;
    const bytes = new Uint8Array(encoded);
    expect(decodeImage(bytes).channels).toBe(3);
    expect(() => decodeImage(bytes.subarray(0, bytes.length - 30), { path: 'c.jpg' })).toThrow(/^decodeImage: c\.jpg: truncated JPEG/);
    expect(() => decodeImage(bytes.subarray(0, 6), { path: 'c.jpg' })).toThrow(/^decodeImage: c\.jpg: (truncated|invalid) JPEG/);
    // Bytes after the end-of-image marker (some cameras append data) do not make a file unreadable.
    const trailing = new Uint8Array(bytes.length + 5000);
    trailing.set(bytes);
    expect(Array.from(decodeImage(trailing).data)).toEqual(Array.from(decodeImage(bytes).data));
  });

  test('errors are ImageDecodeError with path and reason', () => {
    try {
      decodeImage(new Uint8Array(0), { path: 'z.png' });
      throw new Error('unreachable');
    } catch (error) {
      expect(error).toBeInstanceOf(ImageDecodeError);
      expect((error as ImageDecodeError).path).toBe('z.png');
      expect((error as ImageDecodeError).reason).toBe('empty file (0 bytes)');
    }
  });

  test('detectImageFormat reads magic bytes', () => {
    expect(detectImageFormat(png)).toBe('png');
    expect(detectImageFormat(writeDicom({ rows: 1, columns: 1, bitsAllocated: 8, bitsStored: 8, pixels: [1] }))).toBe('dicom');
  });
});
