import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import * as tf from '@tensorflow/tfjs-core';
import { runCli, syntheticDataset, tempDir, useWasm } from './testing/fixtures';

jest.setTimeout(300_000);

describe('fracture command', () => {
  let work: string;
  let data: string;
  let trainOut: string;
  let jsonTrainStderr: string;

  beforeAll(async () => {
    await useWasm();
    work = await tempDir('program');
    data = await syntheticDataset(path.join(work, 'data'));
    trainOut = path.join(work, 'run');
    const result = await runCli(['--json', 'train', '--model', 'cnn', '--data', data, '--epochs', '2', '--batch-size', '16', '--input-size', '32', '--grayscale', '--backend', 'wasm', '--out', trainOut]);
    if (result.exitCode !== 0) throw new Error(`train failed: ${result.stderr}`);
    jsonTrainStderr = result.stderr;
  });

  test('with --json, training progress is one JSON event per line on stderr', () => {
    const events = jsonTrainStderr.trim().split('\n').map((line) => JSON.parse(line) as { event: string; epoch?: number });
    expect(events.filter((e) => e.event === 'epoch').map((e) => e.epoch)).toEqual([1, 2]);
  });

  afterAll(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  test('--help lists every command and exits 0', async () => {
    const result = await runCli(['--help']);
    for (const command of ['demo', 'data', 'train', 'evaluate', 'predict', 'explain', 'ensemble', 'reproduce', 'serve']) {
      expect(result.stdout).toContain(command);
    }
    expect(result.exitCode).toBe(0);
  });

  test('train writes a self-describing model folder, the split and the history', async () => {
    for (const file of ['model/model.json', 'model/weights.bin', 'model/fracture-model.json', 'split.csv', 'run.json']) {
      await expect(fs.stat(path.join(trainOut, file))).resolves.toBeTruthy();
    }
    const info = JSON.parse(await fs.readFile(path.join(trainOut, 'model', 'fracture-model.json'), 'utf8'));
    expect(info).toMatchObject({ modelName: 'cnn', inputSize: 32, channels: 1, classNames: ['fractured', 'not fractured'], positiveClass: 'fractured' });
    expect(info.training.epochs).toBe(2);
    // The CNN's wasm micro-batch (32) does not split a batch of 16.
    expect(info.training).toMatchObject({ batchSize: 16, microBatchSize: 16 });
  });

  test('train rejects an unknown model and a missing option with exit code != 0', async () => {
    const unknown = await runCli(['train', '--model', 'vgg', '--data', data]);
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain("unknown model 'vgg'");
    const badSeed = await runCli(['train', '--model', 'cnn', '--data', data, '--seed', '1.5']);
    expect(badSeed.exitCode).not.toBe(0);
    expect(badSeed.stderr).toContain("--seed must be a non-negative integer, got '1.5'");
    const missing = await runCli(['train', '--model', 'cnn']);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain('--data');
  });

  test('data inspect --json reports counts and leakage', async () => {
    const result = await runCli(['--json', 'data', 'inspect', data]);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.layout).toBe('kaggle');
    const total = Object.values(report.counts as Record<string, Record<string, number>>).flatMap((byClass) => Object.values(byClass)).reduce((a, b) => a + b, 0);
    expect(total).toBe(report.total);
    expect(report.total).toBe(120);
    expect(report.sharedSources).toEqual([]);
  });

  test('evaluate writes metrics with intervals, plots and the misclassified list', async () => {
    const out = path.join(work, 'eval');
    const result = await runCli(['--json', 'evaluate', '--model-dir', path.join(trainOut, 'model'), '--data', data, '--bootstrap', '100', '--out', out]);
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout);
    const split = (await fs.readFile(path.join(trainOut, 'split.csv'), 'utf8')).trim().split('\n').slice(1);
    const testRows = split.filter((line) => line.includes(',test,'));
    expect(json.n).toBe(testRows.length);
    for (const metric of ['accuracy', 'precision', 'recall', 'f1', 'auc', 'kappa']) {
      const m = json.metrics[metric];
      expect(m.lower).toBeLessThanOrEqual(m.estimate);
      expect(m.upper).toBeGreaterThanOrEqual(m.estimate);
    }
    const cm = json.confusion.matrix as number[][];
    expect(cm.flat().reduce((a, b) => a + b, 0)).toBe(json.n);
    for (const file of ['metrics.json', 'roc.png', 'roc.svg', 'confusion.png', 'precision-recall.png', 'reliability.png', 'misclassified.json', 'predictions.csv']) {
      await expect(fs.stat(path.join(out, file))).resolves.toBeTruthy();
    }
  });

  test('predict --explain classifies files and folders and writes overlays at the original size', async () => {
    const folder = path.join(data, 'val', 'fractured');
    const files = (await fs.readdir(folder)).slice(0, 2).map((f) => path.join(folder, f));
    const out = path.join(work, 'pred');
    const result = await runCli(['--json', 'predict', files[0], path.join(data, 'val', 'not fractured'), '--model-dir', path.join(trainOut, 'model'), '--explain', '--out', out]);
    expect(result.exitCode).toBe(0);
    const predictions = JSON.parse(result.stdout) as { file: string; predictedClass: string; probabilities: Record<string, number>; overlay: string }[];
    expect(predictions.length).toBeGreaterThan(1);
    for (const p of predictions) {
      expect(['fractured', 'not fractured']).toContain(p.predictedClass);
      expect(p.probabilities.fractured + p.probabilities['not fractured']).toBeCloseTo(1, 5);
      const overlay = PNG.sync.read(await fs.readFile(p.overlay));
      const original = PNG.sync.read(await fs.readFile(p.file));
      expect([overlay.width, overlay.height]).toEqual([original.width, original.height]);
    }
  });

  test('predict reports an unreadable file, keeps going, and exits 1', async () => {
    const bad = path.join(work, 'broken.png');
    await fs.writeFile(bad, 'not a png');
    const good = path.join(data, 'val', 'fractured', (await fs.readdir(path.join(data, 'val', 'fractured')))[0]);
    const result = await runCli(['--json', 'predict', bad, good, '--model-dir', path.join(trainOut, 'model')]);
    expect(result.exitCode).toBe(1);
    const entries = JSON.parse(result.stdout);
    expect(entries[0].file).toBe(bad);
    expect(entries[0].error).toContain(bad);
    expect(entries[1].predictedClass).toBeDefined();
  });

  test('explain --method occlusion writes one overlay per image', async () => {
    const folder = path.join(data, 'val', 'fractured');
    const file = path.join(folder, (await fs.readdir(folder))[0]);
    const out = path.join(work, 'explain');
    const result = await runCli(['--json', 'explain', file, '--model-dir', path.join(trainOut, 'model'), '--method', 'occlusion', '--out', out]);
    expect(result.exitCode).toBe(0);
    const [entry] = JSON.parse(result.stdout);
    expect(entry.method).toBe('occlusion');
    expect(PNG.sync.read(await fs.readFile(entry.overlay)).width).toBeGreaterThan(0);
  });

  test('ensemble of two models evaluates members, the average and DeLong comparisons', async () => {
    const second = path.join(work, 'run2');
    const trained = await runCli(['train', '--model', 'cnn', '--data', data, '--epochs', '1', '--batch-size', '16', '--input-size', '32', '--grayscale', '--seed', '5', '--backend', 'wasm', '--out', second]);
    expect(trained.exitCode).toBe(0);
    // Without --json and off a terminal: readable lines, no JSON events (a terminal gets the progress bar).
    expect(trained.stderr).not.toContain('{"event"');
    expect(trained.stderr).toMatch(/^epoch 1\/1  loss \d/m);
    const result = await runCli(['--json', 'ensemble', '--model-dirs', path.join(trainOut, 'model'), path.join(second, 'model'), '--data', data, '--split', path.join(trainOut, 'split.csv'), '--out', path.join(work, 'ens')]);
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.members).toHaveLength(2);
    expect(json.comparisons).toHaveLength(2);
    expect(json.ensemble.auc.estimate).toBeGreaterThanOrEqual(0);
    expect(json.ensemble.auc.estimate).toBeLessThanOrEqual(1);
    // Its predictions name images relative to --data, as evaluate's do.
    const rows = (await fs.readFile(path.join(work, 'ens', 'ensemble', 'predictions.csv'), 'utf8')).trim().split('\n').slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const file = JSON.parse(row.slice(0, row.lastIndexOf('"') + 1)) as string;
      expect(path.isAbsolute(file)).toBe(false);
      await expect(fs.stat(path.join(data, file))).resolves.toBeTruthy();
    }
  });

  test('no tensors leak across commands', async () => {
    const before = tf.memory().numTensors;
    const folder = path.join(data, 'val', 'fractured');
    const file = path.join(folder, (await fs.readdir(folder))[0]);
    await runCli(['--json', 'predict', file, '--model-dir', path.join(trainOut, 'model'), '--explain', '--out', path.join(work, 'leak')]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
