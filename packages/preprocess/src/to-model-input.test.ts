import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createBatchLoader } from './batch-loader';
import { toModelInput } from './to-model-input';
import { decodeImage } from './decode-image';
import { encodePng } from './encode-png';

describe('toModelInput', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  test('an image already at the model size comes back as its own bytes (every 8-bit level), gray replicated', () => {
    const levels = Uint8Array.from({ length: 16 * 16 }, (_, i) => i);
    const gray = { data: levels, width: 16, height: 16, channels: 1 as const, bitDepth: 8 as const };
    expect(Array.from(toModelInput(gray, { height: 16, width: 16, channels: 1, antialias: true }))).toEqual(Array.from(levels));
    const replicated = Array.from(levels).flatMap((v) => [v, v, v]);
    expect(Array.from(toModelInput(gray, { height: 16, width: 16, channels: 3, antialias: true }))).toEqual(replicated);
    const colour = Uint8Array.from({ length: 16 * 16 * 3 }, (_, k) => (k * 7) % 256);
    const rgb = { data: colour, width: 16, height: 16, channels: 3 as const, bitDepth: 8 as const };
    expect(Array.from(toModelInput(rgb, { height: 16, width: 16, channels: 3, antialias: true }))).toEqual(Array.from(colour));
    // The shortcut is what the general path computes: it stores level × (1/255) as float32, and rounding
    // that times 255 gives every level back.
    for (let level = 0; level < 256; level++) {
      expect(Math.round(Math.fround(Math.fround(level * (1 / 255)) * 255))).toBe(level);
    }
  });

  test('gray stored as RGB gives exactly what the same image stored as gray gives; colour stays colour', () => {
    const width = 29;
    const height = 19;
    const levels = Uint8Array.from({ length: width * height }, (_, i) => (i * 37) % 256);
    const asRgb = Uint8Array.from({ length: levels.length * 3 }, (_, k) => levels[Math.floor(k / 3)]);
    const gray = { data: levels, width, height, channels: 1 as const, bitDepth: 8 as const };
    const rgb = { data: asRgb, width, height, channels: 3 as const, bitDepth: 8 as const };
    for (const channels of [1, 3] as const) {
      const settings = { height: 12, width: 10, channels, antialias: true };
      expect(Array.from(toModelInput(rgb, settings))).toEqual(Array.from(toModelInput(gray, settings)));
    }
    // One pixel off gray: the colour path (luma for 1 channel) must differ from taking channel 0.
    const tinted = Uint8Array.from(asRgb);
    tinted[3 * 100 + 2] = 255 - tinted[3 * 100 + 2];
    const colour = toModelInput({ ...rgb, data: tinted }, { height: 12, width: 10, channels: 3, antialias: true });
    const perChannel = [0, 1, 2].map((c) => Array.from(colour).filter((_, k) => k % 3 === c));
    expect(perChannel[2]).not.toEqual(perChannel[0]);
  });

  test('gives exactly the pixels the batch loader feeds a model, for gray and colour targets', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-input-'));
    try {
      // An RGB gradient, so channel conversion and resizing both matter.
      const width = 37;
      const height = 23;
      const data = new Uint8Array(width * height * 3);
      for (let i = 0; i < width * height; i++) data.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256], i * 3);
      const bytes = encodePng({ data, width, height, channels: 3, bitDepth: 8 });
      const file = path.join(dir, 'x.png');
      await fs.writeFile(file, bytes);
      for (const channels of [1, 3] as const) {
        const loader = createBatchLoader([{ path: file, label: 0, className: 'fractured' }], { imageSize: [16, 12], channels, batchSize: 1 });
        for await (const batch of loader.batches(0)) {
          const fromLoader = Array.from(batch.xs.dataSync(), (v) => Math.round(v * 255));
          tf.dispose([batch.xs, batch.ys]);
          const direct = toModelInput(decodeImage(bytes), { height: 16, width: 12, channels, antialias: true });
          expect(direct).toHaveLength(16 * 12 * channels);
          expect(Array.from(direct)).toEqual(fromLoader);
        }
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('names itself in errors', () => {
    const image = { data: new Uint8Array(4), width: 2, height: 2, channels: 1 as const, bitDepth: 8 as const };
    expect(() => toModelInput(image, { height: 0, width: 2, channels: 1, antialias: true })).toThrow('toModelInput: height and width');
    expect(() => toModelInput(image, { height: 2, width: 2, channels: 2 as never, antialias: true })).toThrow('toModelInput: channels must be 1 or 3');
  });
});
