import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as preprocess from '@fracture/preprocess';
import { modelCheckpoint, train } from '../src/index';
import type { BatchSource, TrainCallback, TrainOptions } from '../src/index';
import { useCpu } from './setup-backend';
import { tinyConvNet, weightValues } from './tiny-model';

jest.setTimeout(240_000);
beforeAll(useCpu);

// Structural view of @fracture/preprocess's loader API, so this test type-checks against any build of it.
const api = preprocess as unknown as {
  writeSyntheticDataset?: (dir: string, options: { count: number; size: number; seed: number }) => Promise<{ items: unknown[] }>;
  createBatchLoader?: (items: unknown[], options: { imageSize: number; channels: 1; batchSize: number; shuffle: boolean; seed: number }) => BatchSource;
};
const available = typeof api.writeSyntheticDataset === 'function' && typeof api.createBatchLoader === 'function';
if (!available) console.warn('@fracture/train: createBatchLoader / writeSyntheticDataset not in @fracture/preprocess; loader integration test skipped');

(available ? test : test.skip)("with @fracture/preprocess's streaming loader: no tensor growth, and resume equals an uninterrupted run", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fracture-loader-'));
  try {
    const { items } = await api.writeSyntheticDataset!(path.join(dir, 'data'), { count: 24, size: 32, seed: 1 });
    const loader = () => api.createBatchLoader!(items, { imageSize: 16, channels: 1, batchSize: 8, shuffle: true, seed: 2 });
    const counts: number[] = [];
    const options = (ckpt: string): TrainOptions => ({
      epochs: 3,
      seed: 4,
      backend: 'current',
      quiet: true,
      probeKernels: false,
      optimizer: { lr: 0.01 },
      augment: (xs, rng) => tf.add(xs, 0.05 * (rng.next() - 0.5)),
      callbacks: [modelCheckpoint({ dir: path.join(dir, ckpt) }), { name: 'count', order: 1000, onEpochEnd: () => void counts.push(tf.memory().numTensors) }],
    });
    const uninterrupted = tinyConvNet({ size: 16 });
    await train(uninterrupted, loader(), options('full'));
    expect(counts[2]).toBe(counts[0]);

    await train(tinyConvNet({ size: 16 }), loader(), { ...options('split'), epochs: 1 });
    const resumed = tinyConvNet({ size: 16 });
    const result = await train(resumed, loader(), { ...options('split'), resumeFrom: path.join(dir, 'split') });
    expect(result.history).toHaveLength(3);
    expect(weightValues(resumed)).toEqual(weightValues(uninterrupted));

    // Stopped after 2 of 3 batches of epoch 2, resumed from the mid-epoch checkpoint: the loader cannot start late,
    // so the trainer draws and disposes the first two batches of the epoch; the result is the same.
    const stop: TrainCallback = {
      name: 'stop',
      order: 150,
      onBatchEnd(logs) {
        if (logs.epoch === 1 && logs.batch === 1) throw new Error('simulated stop');
      },
    };
    const midOptions = (extra: TrainOptions['callbacks'] = []): TrainOptions => ({
      ...options('mid'),
      callbacks: [modelCheckpoint({ dir: path.join(dir, 'mid'), everySteps: 1 }), ...extra],
    });
    await expect(train(tinyConvNet({ size: 16 }), loader(), midOptions([stop]))).rejects.toThrow('simulated stop');
    const before = tf.memory().numTensors;
    const fromMid = tinyConvNet({ size: 16 });
    const midResult = await train(fromMid, loader(), { ...midOptions(), resumeFrom: path.join(dir, 'mid') });
    expect(midResult.steps).toBe(result.steps);
    expect(midResult.history.map((h) => [h.loss, h.acc])).toEqual(result.history.map((h) => [h.loss, h.acc]));
    expect(weightValues(fromMid)).toEqual(weightValues(uninterrupted));
    fromMid.dispose();
    expect(tf.memory().numTensors).toBe(before);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
