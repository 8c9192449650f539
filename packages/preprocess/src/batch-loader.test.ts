import '@tensorflow/tfjs-backend-cpu';
import { execFileSync } from 'node:child_process';
import { readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { hasPython, jpegBytes, makeTempDir, pngBytes, PYTHON, removeDir, writeFile } from '../test/dataset-helpers';
import { createBatchLoader } from './batch-loader';
import type { Batch, DatasetItem } from './dataset-types';
import type { Rng } from './types';

async function collect(iterable: AsyncIterable<Batch>): Promise<{ xs: number[][]; ys: number[][]; paths: string[]; shapes: number[][] }> {
  const out = { xs: [] as number[][], ys: [] as number[][], paths: [] as string[], shapes: [] as number[][] };
  for await (const batch of iterable) {
    out.shapes.push(batch.xs.shape);
    const [n] = batch.xs.shape;
    const flat = Array.from(batch.xs.dataSync());
    const per = flat.length / n;
    for (let i = 0; i < n; i++) out.xs.push(flat.slice(i * per, (i + 1) * per));
    const ys = Array.from(batch.ys.dataSync());
    const k = batch.ys.shape[1];
    for (let i = 0; i < n; i++) out.ys.push(ys.slice(i * k, (i + 1) * k));
    out.paths.push(...batch.items.map((item) => item.path));
    tf.dispose([batch.xs, batch.ys]);
  }
  return out;
}

/** A seeded brightness change: resumed batches must carry the same augmentation as an uninterrupted pass. */
const jitter = (x: tf.Tensor3D, rng: Rng): tf.Tensor3D => tf.mul(x, 0.5 + rng.next()) as tf.Tensor3D;

describe('createBatchLoader', () => {
  let root: string;
  let items: DatasetItem[];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = makeTempDir('loader');
    const make = (relative: string, bytes: Uint8Array, label: number): DatasetItem => ({
      path: writeFile(root, relative, bytes),
      label,
      className: label === 0 ? 'fractured' : 'not fractured',
    });
    items = [
      make('fractured/1.png', pngBytes(40, 30, 0), 0),
      make('fractured/2-rotated1.jpg', jpegBytes(24, 24, 50), 0),
      make('not fractured/3.png', pngBytes(17, 23, 90), 1),
      make('not fractured/4.png', pngBytes(120, 80, 10), 1),
      make('fractured/5.jpg', jpegBytes(16, 16, 7), 0),
    ];
  });

  afterAll(() => removeDir(root));

  test('yields one-hot batches of resized images in item order, and leaks no tensors', async () => {
    const start = tf.memory().numTensors;
    const loader = createBatchLoader(items, { imageSize: [6, 8], channels: 1, batchSize: 2 });
    expect([loader.size, loader.batchSize, loader.numBatches]).toEqual([5, 2, 3]);
    const result = await collect(loader.batches());
    expect(result.shapes).toEqual([[2, 6, 8, 1], [2, 6, 8, 1], [1, 6, 8, 1]]);
    expect(result.paths).toEqual(items.map((i) => i.path));
    expect(result.ys).toEqual(items.map((i) => (i.label === 0 ? [1, 0] : [0, 1])));
    expect(result.xs.flat().every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(tf.memory().numTensors).toBe(start);
    expect(loader.failures).toEqual([]);
  });

  const pilTest = hasPython(['PIL']) ? test : test.skip;
  if (!hasPython(['PIL'])) console.warn(`createBatchLoader: ${PYTHON} with PIL not found; skipping the PIL comparison`);
  pilTest('pixels match PIL: open, convert, resize(BILINEAR) (PNG exactly within rounding, JPEG within decoder differences)', async () => {
    const script = [
      'import json, sys',
      'from PIL import Image',
      'mode, h, w = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])',
      'out = []',
      'for p in sys.argv[4:]:',
      '    im = Image.open(p).convert(mode).resize((w, h), Image.BILINEAR)',
      '    out.append(list(im.tobytes()))',
      'print(json.dumps(out))',
    ].join('\n');
    for (const [mode, channels] of [['L', 1], ['RGB', 3]] as const) {
      const reference: number[][] = JSON.parse(
        execFileSync(PYTHON, ['-c', script, mode, '6', '8', ...items.map((i) => i.path)], { encoding: 'utf8' }),
      );
      const ours = await collect(createBatchLoader(items, { imageSize: [6, 8], channels, batchSize: 5 }).batches());
      ours.xs.forEach((pixels, i) => {
        const tolerance = items[i].path.endsWith('.png') ? 1 : 6;
        const worst = Math.max(...pixels.map((v, j) => Math.abs(Math.round(v * 255) - reference[i][j])));
        expect(worst).toBeLessThanOrEqual(tolerance);
      });
    }
  });

  test('unreadable images are recorded with path and reason and skipped, never thrown', async () => {
    const bad = makeTempDir('loader-bad');
    try {
      const truncated = pngBytes(30, 30);
      const broken: DatasetItem[] = [
        items[0],
        { path: writeFile(bad, 'cut.png', truncated.subarray(0, 60)), label: 0, className: 'fractured' },
        { path: writeFile(bad, 'text.jpg', 'hello'), label: 1, className: 'not fractured' },
        { path: path.join(bad, 'missing.png'), label: 1, className: 'not fractured' },
        items[2],
      ];
      const loader = createBatchLoader(broken, { imageSize: 4, channels: 1, batchSize: 2 });
      const result = await collect(loader.batches());
      expect(result.paths).toEqual([items[0].path, items[2].path]);
      expect(result.shapes).toEqual([[1, 4, 4, 1], [1, 4, 4, 1]]);
      const failures = loader.failures;
      expect(failures.map((f) => path.basename(f.path))).toEqual(['cut.png', 'text.jpg', 'missing.png']);
      expect(failures[0].reason).toMatch(/cut\.png/);
      expect(failures[2].reason).toMatch(/ENOENT/);
      // A second epoch reports each file once.
      await collect(loader.batches(1));
      expect(loader.failures).toHaveLength(3);
    } finally {
      removeDir(bad);
    }
  });

  test('startBatch yields what a full pass yields from that batch on, past a batch whose images all fail, and leaks nothing', async () => {
    const bad = makeTempDir('loader-start');
    const cacheDir = makeTempDir('loader-start-cache');
    try {
      // Batch 1 (size 2) holds only unreadable files: a pass from the start yields batches 0, 2, 3, 4 of positions.
      const mixed: DatasetItem[] = [
        items[0],
        items[1],
        { path: writeFile(bad, 'cut.png', pngBytes(30, 30).subarray(0, 60)), label: 0, className: 'fractured' },
        { path: path.join(bad, 'missing.png'), label: 1, className: 'not fractured' },
        items[2],
        { path: writeFile(bad, 'text.jpg', 'hello'), label: 1, className: 'not fractured' },
        items[3],
        items[4],
        items[0],
      ];
      const options = { imageSize: 4, channels: 1 as const, batchSize: 2, seed: 7, transform: jitter };
      for (const cache of [undefined, cacheDir]) {
        const full = await collect(createBatchLoader(mixed, { ...options, cacheDir: cache }).batches(2));
        expect(full.shapes.length).toBe(4);
        for (const startBatch of [1, 2, 3, 4]) {
          const start = tf.memory().numTensors;
          const loader = createBatchLoader(mixed, { ...options, cacheDir: cache });
          expect(loader.supportsStartBatch).toBe(true);
          const resumed = await collect(loader.batches(2, { startBatch }));
          const skippedImages = full.shapes.slice(0, startBatch).reduce((n, shape) => n + shape[0], 0);
          expect(resumed.paths).toEqual(full.paths.slice(skippedImages));
          expect(resumed.xs).toEqual(full.xs.slice(skippedImages));
          expect(resumed.shapes).toEqual(full.shapes.slice(startBatch));
          // The failures of the skipped batch are still reported, with their reasons.
          expect(loader.failures.map((f) => path.basename(f.path)).sort()).toEqual(['cut.png', 'missing.png', 'text.jpg']);
          expect(tf.memory().numTensors).toBe(start);
        }
      }
      // Over the warm cache, a resume reads no readable image of the batches it skips (batch 3 is the fifth position,
      // one image: the one hit); only the two unreadable files that exist are tried again, as they never reach the cache.
      const warm = createBatchLoader(mixed, { ...options, cacheDir });
      await collect(warm.batches(2, { startBatch: 3 }));
      expect(warm.cacheStats).toEqual({ hits: 1, misses: 2 });
      const loader = createBatchLoader(mixed, options);
      await expect(collect(loader.batches(0, { startBatch: 6 }))).rejects.toThrow(
        'createBatchLoader: expected startBatch to be an integer from 0 to 5 (the batches per epoch), got 6',
      );
      await expect(collect(loader.batches(0, { startBatch: 5 }))).rejects.toThrow(
        'createBatchLoader: resuming epoch 1 after batch 5, but only 4 batches of it have an image that loads',
      );
    } finally {
      removeDir(bad);
      removeDir(cacheDir);
    }
  });

  test('shuffling is a permutation seeded by (seed, epoch)', async () => {
    const many = Array.from({ length: 12 }, (_, i) => items[i % items.length]).map((item, i) => ({ ...item, sourceId: String(i) }));
    const order = async (seed: number, epoch: number) => {
      const loader = createBatchLoader(many, { imageSize: 2, channels: 1, batchSize: 5, shuffle: true, seed });
      const seen: string[] = [];
      for await (const batch of loader.batches(epoch)) {
        seen.push(...batch.items.map((item) => item.sourceId as string));
        tf.dispose([batch.xs, batch.ys]);
      }
      return seen;
    };
    const a = await order(3, 0);
    expect([...a].sort((x, y) => Number(x) - Number(y))).toEqual(many.map((m) => m.sourceId));
    expect(await order(3, 0)).toEqual(a);
    expect(await order(3, 1)).not.toEqual(a);
    expect(await order(4, 0)).not.toEqual(a);
  });

  test('dropLast drops the incomplete batch', async () => {
    const loader = createBatchLoader(items, { imageSize: 2, channels: 3, batchSize: 2, dropLast: true });
    expect(loader.numBatches).toBe(2);
    const result = await collect(loader.batches());
    expect(result.shapes).toEqual([[2, 2, 2, 3], [2, 2, 2, 3]]);
  });

  test('augmentation gets a generator seeded by (seed, epoch, item); normalisation follows it', async () => {
    const start = tf.memory().numTensors;
    const calls: number[] = [];
    const transform = (x: tf.Tensor3D, rng: Rng) => {
      const r = rng.next();
      calls.push(r);
      return tf.mul(x, r) as tf.Tensor3D;
    };
    const plain = await collect(createBatchLoader(items, { imageSize: 3, channels: 1, batchSize: 3 }).batches());
    const options = { imageSize: 3, channels: 1 as const, batchSize: 3, transform, mean: 0.25, std: 0.5, seed: 9 };
    const first = await collect(createBatchLoader(items, options).batches(2));
    const factors = calls.splice(0);
    const again = await collect(createBatchLoader(items, options).batches(2));
    expect(calls.splice(0)).toEqual(factors);
    expect(again.xs).toEqual(first.xs);
    await collect(createBatchLoader(items, options).batches(3));
    expect(calls).not.toEqual(factors);
    first.xs.forEach((pixels, i) =>
      pixels.forEach((v, j) => expect(v).toBeCloseTo((plain.xs[i][j] * factors[i] - 0.25) / 0.5, 5)),
    );
    expect(tf.memory().numTensors).toBe(start);
  });

  test('the on-disk cache returns the same pixels and is invalidated when a file changes', async () => {
    const cacheDir = makeTempDir('loader-cache');
    try {
      const options = { imageSize: 5, channels: 3 as const, batchSize: 2, cacheDir };
      const cold = createBatchLoader(items, options);
      const first = await collect(cold.batches());
      expect(cold.cacheStats).toEqual({ hits: 0, misses: 5 });
      const warm = createBatchLoader(items, options);
      expect((await collect(warm.batches())).xs).toEqual(first.xs);
      expect(warm.cacheStats).toEqual({ hits: 5, misses: 0 });
      expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(readdirSync(cacheDir)).toHaveLength(5);

      writeFileSync(items[2].path, pngBytes(17, 23, 200));
      utimesSync(items[2].path, new Date(), new Date(Date.now() + 5000));
      const changed = createBatchLoader(items, options);
      const after = await collect(changed.batches());
      expect(changed.cacheStats).toEqual({ hits: 4, misses: 1 });
      expect(after.xs[2]).not.toEqual(first.xs[2]);
      // Another size is another cache entry.
      const other = createBatchLoader(items, { ...options, imageSize: 4 });
      await collect(other.batches());
      expect(other.cacheStats.misses).toBe(5);
    } finally {
      writeFileSync(items[2].path, pngBytes(17, 23, 90));
      removeDir(cacheDir);
    }
  });

  test('reading ahead is bounded by prefetchBatches', async () => {
    const cacheDir = makeTempDir('loader-bound');
    try {
      const many = Array.from({ length: 40 }, (_, i) => items[i % items.length]);
      const loader = createBatchLoader(many, { imageSize: 2, channels: 1, batchSize: 2, prefetchBatches: 1, cacheDir });
      const iterator = loader.batches()[Symbol.asyncIterator]();
      const first = await iterator.next();
      tf.dispose([first.value.xs, first.value.ys]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The batch being assembled plus one batch ahead, and the next batch's reads started when the first was handed out.
      expect(loader.cacheStats.misses + loader.cacheStats.hits).toBeLessThanOrEqual(6);
      await iterator.return?.(undefined);
    } finally {
      removeDir(cacheDir);
    }
  });

  test('a transform that returns the wrong size is an error naming the function, and leaks nothing', async () => {
    const start = tf.memory().numTensors;
    const loader = createBatchLoader(items, {
      imageSize: 4,
      channels: 1,
      batchSize: 3,
      transform: (x) => tf.slice(x, [0, 0, 0], [2, 4, 1]),
    });
    await expect(collect(loader.batches())).rejects.toThrow('createBatchLoader: transform must return a [4, 4, 1] tensor, got [2, 4, 1]');
    expect(tf.memory().numTensors).toBe(start);
  });

  test('invalid options are errors that name the function', () => {
    expect(() => createBatchLoader(items, { imageSize: 0, batchSize: 2 })).toThrow(/^createBatchLoader: imageSize must be/);
    expect(() => createBatchLoader(items, { imageSize: 4, batchSize: 0 })).toThrow(/^createBatchLoader: batchSize must be/);
    expect(() => createBatchLoader(items, { imageSize: 4, batchSize: 2, channels: 2 as 1 })).toThrow(/channels must be 1 or 3/);
    expect(() => createBatchLoader(items, { imageSize: 4, batchSize: 2, numClasses: 1 })).toThrow(/label must be an integer in \[0, 1\)/);
  });

  test('an unknown FRACTURE_DECODER fails at once, not as one skipped file per image', () => {
    const previous = process.env.FRACTURE_DECODER;
    process.env.FRACTURE_DECODER = 'turbo';
    try {
      expect(() => createBatchLoader(items, { imageSize: 4, batchSize: 2 })).toThrow(
        "createBatchLoader: FRACTURE_DECODER must be auto, sharp, wasm or jpeg-js, got 'turbo'",
      );
    } finally {
      if (previous === undefined) delete process.env.FRACTURE_DECODER;
      else process.env.FRACTURE_DECODER = previous;
    }
  });
});
