import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from './decode-image';
import { encodePng } from './encode-png';
import type { DecodedImage } from './image-types';

function image(channels: 1 | 2 | 3 | 4, bitDepth: 8 | 16, width = 7, height = 5): DecodedImage {
  const count = width * height * channels;
  const max = bitDepth === 16 ? 65535 : 255;
  const data = bitDepth === 16 ? new Uint16Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) data[i] = (i * 2654435761) % (max + 1);
  return { data, width, height, channels, bitDepth };
}

const variants = [1, 2, 3, 4].flatMap((c) => [8, 16].map((d) => image(c as 1 | 2 | 3 | 4, d as 8 | 16)));

describe('encodePng', () => {
  for (const img of variants) {
    test(`${img.channels} channel(s), ${img.bitDepth}-bit round-trips through decodeImage`, () => {
      const decoded = decodeImage(encodePng(img));
      expect(decoded).toMatchObject({ width: img.width, height: img.height, channels: img.channels, bitDepth: img.bitDepth });
      expect(Array.from(decoded.data)).toEqual(Array.from(img.data));
    });
  }

  test('validates and names itself', () => {
    expect(() => encodePng({ ...image(1, 8), width: 0 })).toThrow(/^encodePng: expected positive integer width/);
    expect(() => encodePng({ ...image(1, 8), channels: 5 as 4 })).toThrow('encodePng: expected 1 to 4 channels, got 5');
    expect(() => encodePng({ ...image(3, 8), height: 4 })).toThrow(/^encodePng: expected 84 samples/);
  });

  const python = '/usr/bin/python3';
  const hasPil =
    existsSync(python) &&
    (() => {
      try {
        execFileSync(python, ['-c', 'import PIL, numpy'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
  if (!hasPil) console.warn(`encodePng: skipping the Pillow cross-check (${python} with PIL and numpy not found)`);
  (hasPil ? test : test.skip)('Pillow reads our PNGs to the same samples (independent decoder)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'encode-png-'));
    try {
      const files = variants.map((img, i) => {
        const file = join(dir, `${i}.png`);
        writeFileSync(file, encodePng(img));
        return file;
      });
      const script = [
        'import sys, json, numpy as np',
        'from PIL import Image',
        'out = []',
        'for f in sys.argv[1:]:',
        '    im = Image.open(f); im.load()',
        '    out.append({"mode": im.mode, "size": im.size, "px": np.asarray(im).reshape(-1).tolist() if im.mode in ("L","LA","RGB","RGBA","I;16","I;16B","I") else None})',
        'print(json.dumps(out))',
      ].join('\n');
      const result = JSON.parse(execFileSync(python, ['-c', script, ...files], { encoding: 'utf8' })) as {
        mode: string;
        size: [number, number];
        px: number[] | null;
      }[];
      let compared = 0;
      result.forEach((r, i) => {
        const img = variants[i];
        expect(r.size).toEqual([img.width, img.height]);
        // Pillow exposes 16-bit gray losslessly; its 16-bit colour modes are reduced to 8 bits, so compare those at 8 bits.
        if (img.bitDepth === 8 && r.px) {
          expect(r.px).toEqual(Array.from(img.data));
          compared++;
        } else if (img.channels === 1 && r.px) {
          expect(r.px).toEqual(Array.from(img.data));
          compared++;
        } else if (r.px && r.px.length === img.data.length) {
          expect(r.px).toEqual(Array.from(img.data, (v) => v >> 8));
          compared++;
        }
      });
      expect(compared).toBeGreaterThanOrEqual(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
