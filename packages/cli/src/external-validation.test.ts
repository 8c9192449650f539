import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { scanImageFolder } from '@fracture/preprocess';
import { predictItems } from './evaluate-run';
import { measureLocalisation } from './localisation-run';
import { modelFingerprint } from './model-fingerprint';
import { createPredictor } from './predictor';
import { fracAtlasDataset, runCli, syntheticDataset, tempDir, useWasm } from './testing/fixtures';

jest.setTimeout(300_000);

interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

/** `fracture evaluate --part all` and `fracture localise` on a FracAtlas-style folder the model never saw. */
describe('external validation', () => {
  let work: string;
  let atlas: string;
  let modelDir: string;

  beforeAll(async () => {
    await useWasm();
    work = await tempDir('external');
    const data = await syntheticDataset(path.join(work, 'data'));
    atlas = await fracAtlasDataset(path.join(work, 'atlas'));
    const trained = await runCli(['--json', 'train', '--model', 'cnn', '--data', data, '--epochs', '2', '--batch-size', '16', '--input-size', '32', '--grayscale', '--backend', 'wasm', '--out', path.join(work, 'run')]);
    if (trained.exitCode !== 0) throw new Error(`train failed: ${trained.stderr}`);
    modelDir = path.join(work, 'run', 'model');
  });

  afterAll(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  test('evaluate --part all: every readable image, the headline metrics at the top level, subgroup rows', async () => {
    const out = path.join(work, 'eval');
    const before = tf.memory().numTensors;
    const result = await runCli(['--json', 'evaluate', '--model-dir', modelDir, '--data', atlas, '--part', 'all', '--bootstrap', '200', '--out', out]);
    expect(tf.memory().numTensors).toBe(before);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/left out .*IMG0009999\.jpg: truncated JPEG/);
    const json = JSON.parse(result.stdout);
    expect(json.n).toBe(40);
    expect(json.accuracy).toEqual(json.metrics.accuracy);
    expect(json.sensitivity).toEqual(json.metrics.recall);
    expect(json.specificity).toEqual(json.metrics.specificity);
    expect(json.auc).toEqual(json.metrics.auc);

    const csv = (await fs.readFile(path.join(out, 'predictions.csv'), 'utf8')).trim().split('\n').slice(1);
    // Paths relative to --data with '/', so the file names no folder of this machine and still finds every image.
    const files = csv.map((line) => JSON.parse(line.slice(0, line.lastIndexOf('"') + 1)) as string);
    expect(files.every((file) => !path.isAbsolute(file) && !file.includes('\\') && file.startsWith('images/'))).toBe(true);
    await Promise.all(files.map((file) => expect(fs.stat(path.join(atlas, file))).resolves.toBeTruthy()));
    const mistakes = JSON.parse(await fs.readFile(path.join(out, 'misclassified.json'), 'utf8')) as { path: string }[];
    expect(mistakes.every((m) => files.includes(m.path))).toBe(true);
    expect(JSON.parse(await fs.readFile(path.join(out, 'metrics.json'), 'utf8')).dataFolder).toBe(path.basename(atlas));
    // The progress kept in --out while it ran is gone once it finished.
    await expect(fs.stat(path.join(out, 'predictions.progress.json'))).rejects.toThrow(/ENOENT/);
    const rows = csv.map((line) => {
      const [file, label, pFractured] = line.split(',');
      const index = Number(/IMG(\d+)/.exec(file)?.[1]);
      return { index, label: Number(label), pFractured: Number(pFractured) };
    });
    const groups = json.subgroups as { group: string; n: number; positives: number; sensitivity: Interval | null; specificity: Interval | null }[];
    expect(groups.map((g) => g.group)).toEqual(['all', 'region: hand', 'region: hip', 'region: leg', 'implant: yes', 'implant: no']);
    const byName = Object.fromEntries(groups.map((g) => [g.group, g]));
    expect(byName['region: hand'].n).toBe(20);
    expect(byName['region: leg'].n).toBe(20);
    expect(byName['region: hip'].n).toBe(8);
    const fractured = rows.filter((r) => r.label === 0).length;
    expect(byName.all.positives).toBe(fractured);
    expect(byName['implant: yes'].n).toBe(Math.ceil(fractured / 4));
    expect(byName['implant: yes'].n + byName['implant: no'].n).toBe(40);
    // Sensitivity of the hand images, computed here from predictions.csv at the default threshold 0.5.
    const hand = rows.filter((r) => r.index % 2 === 0 && r.label === 0);
    expect(byName['region: hand'].sensitivity?.estimate).toBeCloseTo(hand.filter((r) => r.pFractured >= 0.5).length / hand.length, 10);
    // Implant images are all fractured here: no specificity to report.
    expect(byName['implant: yes'].specificity).toBeNull();

    const report = await fs.readFile(path.join(out, 'report.md'), 'utf8');
    expect(report).toContain('| region: hip | 8 |');
    expect(report).toContain('| implant: yes |');
  });

  test('localise scores the maps against the boxes, beside the centre prior and a flat map', async () => {
    const before = tf.memory().numTensors;
    const file = path.join(work, 'localise.json');
    const result = await runCli(['--json', 'localise', '--model-dir', modelDir, '--data', atlas, '--methods', 'gradcam,occlusion', '--tolerance', '0', '--out', file]);
    expect(tf.memory().numTensors).toBe(before);
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.rows.map((r: { method: string }) => r.method)).toEqual(['gradcam', 'occlusion', 'centre prior', 'uniform']);
    // The progress kept beside --out while it ran is gone once it finished.
    await expect(fs.stat(`${file}.progress.json`)).rejects.toThrow(/ENOENT/);
    const full = JSON.parse(await fs.readFile(file, 'utf8'));
    expect(full.perImage).toHaveLength(json.n);
    expect(json.n).toBeGreaterThan(5);
    // A flat map points anywhere with equal chance and spreads its mass evenly: both equal the boxes' area share.
    const uniform = json.rows.find((r: { method: string }) => r.method === 'uniform');
    expect(uniform.pointing.estimate).toBeCloseTo(json.boxAreaFraction, 10);
    expect(uniform.massInBoxes.estimate).toBeCloseTo(json.boxAreaFraction, 10);
    for (const row of json.rows) {
      for (const value of [row.pointing, row.massInBoxes]) {
        expect(value.lower).toBeLessThanOrEqual(value.estimate);
        expect(value.estimate).toBeLessThanOrEqual(value.upper);
        expect(value.estimate).toBeGreaterThanOrEqual(0);
        expect(value.estimate).toBeLessThanOrEqual(1);
      }
    }
  });

  test('a stopped evaluation continues from its progress file and predicts what an uninterrupted one predicts', async () => {
    const scan = await scanImageFolder(atlas);
    // One image that cannot be decoded among them: it is left out, and never saved as predicted.
    const broken = path.join(work, 'broken.jpg');
    await fs.writeFile(broken, Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]));
    const items = [...scan.items.slice(0, 5), { ...scan.items[5], path: broken }, ...scan.items.slice(5)];
    const before = tf.memory().numTensors;
    const progressFile = path.join(work, 'predict.progress.json');
    const progressKey = await modelFingerprint(modelDir);
    const uninterrupted = await predictItems(modelDir, items, { batchSize: 4 });
    expect(uninterrupted.resumed).toBe(0);
    expect(uninterrupted.items).toHaveLength(items.length - 1);

    // Batches of 4 are predicted 8 at a time (32 images) between saves, so a stop in the tenth batch keeps the
    // readable images among the first 32.
    const stop = new Error('stopped');
    const stopAt = (batch: number) => (done: number) => {
      if (done === batch) throw stop;
    };
    await expect(predictItems(modelDir, items, { batchSize: 4, progressFile, progressKey, progressEverySeconds: 0, onProgress: stopAt(10) })).rejects.toBe(stop);
    const firstChunk = new Set(items.slice(0, 32).map((item) => item.path));
    const kept = uninterrupted.items.filter((item) => firstChunk.has(item.path)).map((item) => item.path);
    const saved = JSON.parse(await fs.readFile(progressFile, 'utf8')) as { images: { path: string }[] };
    expect(saved.images.map((image) => image.path)).toEqual(kept);
    // Another model's progress is not reused.
    const others: number[] = [];
    await expect(predictItems(modelDir, items, { batchSize: 4, progressFile, progressKey: 'another model', onProgress: (done) => (others.push(done), stopAt(1)(done)) })).rejects.toBe(stop);
    expect(others).toEqual([1]);

    const reported: [number, number | undefined][] = [];
    const resumed = await predictItems(modelDir, items, { batchSize: 4, progressFile, progressKey, onProgress: (done, total) => reported.push([done, total]) });
    expect(resumed.resumed).toBe(kept.length);
    expect(resumed.items.map((item) => item.path)).toEqual(uninterrupted.items.map((item) => item.path));
    expect(resumed.labels).toEqual(uninterrupted.labels);
    resumed.probabilities.forEach((row, i) => row.forEach((p, c) => expect(p).toBeCloseTo(uninterrupted.probabilities[i][c], 6)));
    // Progress counts on from the resumed batches and ends at its total.
    expect(reported[0][0]).toBe(Math.ceil(kept.length / 4) + 1);
    expect(reported.at(-1)![0]).toBe(reported.at(-1)![1]);
    await expect(fs.stat(progressFile)).rejects.toThrow(/ENOENT/);

    // Kept for a caller whose job goes on: complete on disk even when no periodic save came due, and a second
    // run predicts nothing again.
    await predictItems(modelDir, items, { batchSize: 4, progressFile, progressKey, progressEverySeconds: 3600, keepProgressFile: true });
    const complete = JSON.parse(await fs.readFile(progressFile, 'utf8')) as { images: { path: string }[] };
    expect(complete.images.map((image) => image.path).sort()).toEqual(uninterrupted.items.map((item) => item.path).sort());
    const again = await predictItems(modelDir, items, { batchSize: 4, progressFile, progressKey, keepProgressFile: true });
    // Every readable image came from the file; only the unreadable one was tried again.
    expect(again.resumed).toBe(uninterrupted.items.length);
    expect(again.labels).toEqual(uninterrupted.labels);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a stopped localisation continues from its progress file and ends where an uninterrupted run ends', async () => {
    const { items } = await scanImageFolder(atlas);
    const before = tf.memory().numTensors;
    const predictor = await createPredictor(modelDir);
    const progressFile = path.join(work, 'localise.progress.json');
    const options = { methods: ['gradcam', 'occlusion'] as const, seed: 3, nBoot: 50, progressFile, progressKey: await modelFingerprint(modelDir), progressEverySeconds: 0 };
    try {
      const uninterrupted = await measureLocalisation(predictor, items, { ...options, methods: [...options.methods], progressFile: undefined });
      expect(uninterrupted.resumed).toBe(0);
      // The default occlusion window is a seventh of the input (32 px at 224); this model's input is 32 px.
      expect(uninterrupted.occlusionWindow).toBe(5);
      expect(uninterrupted.tolerance).toBe(2);

      // A run stopped after its `stopAt`-th image; returns the first image it scored (1 when nothing was resumed).
      const stop = new Error('stopped');
      const runUntil = async (progressKey: string, stopAt: number) => {
        let first = 0;
        const onProgress = (done: number) => {
          first ||= done;
          if (done === stopAt) throw stop;
        };
        await expect(measureLocalisation(predictor, items, { ...options, methods: [...options.methods], progressKey, onProgress })).rejects.toBe(stop);
        return first;
      };
      expect(await runUntil(options.progressKey, 3)).toBe(1);
      // Each image is saved before it is reported, so the stop while reporting the third kept three.
      const saved = JSON.parse(await fs.readFile(progressFile, 'utf8')) as { images: { path: string }[] };
      expect(saved.images.map((image) => image.path)).toEqual(uninterrupted.perImage.slice(0, 3).map((image) => image.path));
      // Another model's progress is not reused, in either direction.
      expect(await runUntil('another model', 2)).toBe(1);
      expect(await runUntil(options.progressKey, 4)).toBe(1);
      expect(await runUntil(options.progressKey, 6)).toBe(5);

      const resumed = await measureLocalisation(predictor, items, { ...options, methods: [...options.methods] });
      expect(resumed.resumed).toBe(6);
      expect(resumed.perImage).toEqual(uninterrupted.perImage);
      expect(resumed.rows).toEqual(uninterrupted.rows);
      expect(resumed.boxAreaFraction).toBeCloseTo(uninterrupted.boxAreaFraction, 12);
      await expect(fs.stat(progressFile)).rejects.toThrow(/ENOENT/);
    } finally {
      predictor.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test('localise refuses an unknown method, and a folder without boxes', async () => {
    const bad = await runCli(['localise', '--model-dir', modelDir, '--data', atlas, '--methods', 'lime']);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain("localise: unknown method 'lime'");
    const noBoxes = await runCli(['localise', '--model-dir', modelDir, '--data', path.join(work, 'data')]);
    expect(noBoxes.exitCode).not.toBe(0);
    expect(noBoxes.stderr).toContain('measureLocalisation: no item of the positive class has fracture boxes');
  });
});
