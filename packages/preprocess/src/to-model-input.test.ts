import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createBatchLoader, toModelInput } from './batch-loader';
import { decodeImage } from './decode-image';
import { encodePng } from './encode-png';

describe('toModelInput', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
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
