import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { makeTempDir, pngBytes, removeDir, writeFile } from '../test/dataset-helpers';
import { createClassBalancedLoader } from './class-balanced-loader';
import type { DatasetItem } from './dataset-types';

describe('createClassBalancedLoader', () => {
  let root: string;
  let items: DatasetItem[];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = makeTempDir('balanced');
    items = [];
    // 3 fractured and 12 not fractured images, each a distinct gray level so a batch tells which it holds.
    for (let i = 0; i < 15; i++) {
      const label = i < 3 ? 0 : 1;
      items.push({ path: writeFile(root, `${i}.png`, pngBytes(4, 4, i * 10)), label, className: label === 0 ? 'fractured' : 'not fractured' });
    }
  });
  afterAll(() => removeDir(root));

  async function epochPaths(loader: ReturnType<typeof createClassBalancedLoader>, epoch: number, startBatch?: number): Promise<string[]> {
    const paths: string[] = [];
    for await (const batch of loader.batches(epoch, startBatch === undefined ? undefined : { startBatch })) {
      // Labels must follow the items: one-hot of each item's label.
      const ys = (await batch.ys.array()) as number[][];
      batch.items.forEach((item, i) => expect(ys[i][item.label]).toBe(1));
      paths.push(...batch.items.map((item) => item.path));
      tf.dispose([batch.xs, batch.ys]);
    }
    return paths;
  }

  test('every epoch draws the stated number per class: all of the rare class, a fresh sample of the common one', async () => {
    const loader = createClassBalancedLoader(items, { imageSize: 4, batchSize: 4, perEpoch: { 1: 6 }, seed: 1 });
    expect([loader.size, loader.numBatches]).toEqual([9, 3]);
    const before = tf.memory().numTensors;
    const seen = new Set<string>();
    for (let epoch = 0; epoch < 4; epoch++) {
      const paths = await epochPaths(loader, epoch);
      expect(paths).toHaveLength(9);
      expect(new Set(paths).size).toBe(9);
      const positives = paths.filter((p) => items.find((i) => i.path === p)?.label === 0);
      expect(positives.sort()).toEqual(items.slice(0, 3).map((i) => i.path).sort());
      paths.forEach((p) => seen.add(p));
    }
    // Over four epochs of 6 of 12, the common class rotates: more than one epoch's worth is seen.
    expect(seen.size).toBeGreaterThan(9);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the same seed and epoch give the same epoch; another epoch differs', async () => {
    const make = () => createClassBalancedLoader(items, { imageSize: 4, batchSize: 5, perEpoch: { 1: 6 }, seed: 7 });
    const a = await epochPaths(make(), 2);
    expect(await epochPaths(make(), 2)).toEqual(a);
    expect(await epochPaths(make(), 3)).not.toEqual(a);
  });

  test('startBatch resumes inside an epoch at the same draw and order, and leaks nothing', async () => {
    const make = () => createClassBalancedLoader(items, { imageSize: 4, batchSize: 4, perEpoch: { 1: 6 }, seed: 3 });
    const full = await epochPaths(make(), 1);
    const before = tf.memory().numTensors;
    expect(make().supportsStartBatch).toBe(true);
    expect(await epochPaths(make(), 1, 1)).toEqual(full.slice(4));
    expect(await epochPaths(make(), 1, 2)).toEqual(full.slice(8));
    expect(tf.memory().numTensors).toBe(before);
  });

  test('more than a class has: every image, then repeats (oversampling)', async () => {
    const loader = createClassBalancedLoader(items, { imageSize: 4, batchSize: 8, perEpoch: { 0: 7, 1: 3 } });
    const paths = await epochPaths(loader, 0);
    const positives = paths.filter((p) => items.find((i) => i.path === p)?.label === 0);
    expect(positives).toHaveLength(7);
    expect(new Set(positives).size).toBe(3);
  });

  test('bad options name the function', () => {
    expect(() => createClassBalancedLoader([], { imageSize: 4, batchSize: 2, perEpoch: {} })).toThrow('createClassBalancedLoader: expected a non-empty array');
    expect(() => createClassBalancedLoader(items, { imageSize: 4, batchSize: 2, perEpoch: { 2: 1 } })).toThrow('perEpoch names label 2, which no item has');
    expect(() => createClassBalancedLoader(items, { imageSize: 4, batchSize: 2, perEpoch: { 0: 1.5 } })).toThrow('perEpoch[0] must be a non-negative integer, got 1.5');
    expect(() => createClassBalancedLoader(items, { imageSize: 4, batchSize: 2, perEpoch: { 0: 0, 1: 0 } })).toThrow('an epoch would have no images');
  });
});
