import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { barImages } from '../test/pattern-data';
import { useCpu } from '../test/setup-backend';
import { setFormulaWeights, tinyConvNet, weightValues } from '../test/tiny-model';
import { readCheckpoint } from './checkpoint-io';
import { evaluate } from './evaluate';
import { lrSchedule } from './lr-schedule';
import { modelCheckpoint } from './model-checkpoint';
import { tensorBatchSource } from './tensor-batch-source';
import { train } from './train';
import { TrainingDivergedError } from './training-diverged-error';
import type { BatchSource, BatchTransform, TrainCallback, TrainOptions } from './types';

jest.setTimeout(240_000);
beforeAll(useCpu);

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fracture-train-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const base: Partial<TrainOptions> = { backend: 'current', quiet: true, probeKernels: false };

/** Brightness jitter drawn from the trainer's generator: resume must restore its state to match. */
const jitter: BatchTransform = (xs, rng) => tf.mul(xs, 0.9 + 0.2 * rng.next());

function dataset(count: number, seed: number, batchSize = 8, shuffle = true) {
  const { xs, ys } = barImages(count, 8, seed);
  const source = tensorBatchSource(xs, ys, { batchSize, shuffle, seed });
  return { source, dispose: () => tf.dispose([xs, ys]) };
}

describe('train', () => {
  test('learns the bar pattern (> 90 % held-out accuracy) and returns the history', async () => {
    const model = tinyConvNet();
    const trainSet = dataset(48, 1);
    const valSet = dataset(32, 2, 16, false);
    const result = await train(model, trainSet.source, { ...base, epochs: 6, optimizer: { lr: 0.05 }, validationData: valSet.source, seed: 3 });
    expect(result.history).toHaveLength(6);
    expect(result.stopReason).toBe('completed');
    expect(result.steps).toBe(6 * 6);
    const last = result.history[5]!;
    expect(last.val_acc).toBeGreaterThan(0.9);
    expect(last.loss).toBeLessThan(result.history[0]!.loss);
    // The epoch's val_loss is what evaluate() reports for the final weights.
    expect((await evaluate(model, valSet.source)).loss).toBeCloseTo(last.val_loss!, 5);
    // The validation pass is timed on its own and is part of the epoch's time.
    for (const epoch of result.history) {
      expect(epoch.val_seconds).toBeGreaterThanOrEqual(0);
      expect(epoch.val_seconds).toBeLessThanOrEqual(epoch.seconds);
    }
    trainSet.dispose();
    valSet.dispose();
  });

  test('batch norm uses batch statistics and updates its moving mean in the custom loop', async () => {
    // input -> BN -> flatten -> dense; one step with lr 0 changes nothing but the BN moving statistics.
    const input = tfl.input({ shape: [2, 2, 1] });
    const bn = tfl.layers.batchNormalization({ momentum: 0.9 });
    const out = tfl.layers.dense({ units: 2 }).apply(tfl.layers.flatten().apply(bn.apply(input))) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const pixels = [1, 2, 3, 4, 5, 6, 7, 8];
    const xs = tf.tensor4d(pixels, [2, 2, 2, 1]);
    const ys = tf.tensor2d([[1, 0], [0, 1]]);
    await train(model, tensorBatchSource(xs, ys, { batchSize: 2 }), { ...base, epochs: 1, optimizer: { lr: 0 } });
    const [, , movingMean, movingVariance] = bn.getWeights();
    const mean = pixels.reduce((a, b) => a + b) / 8;
    const biasedVariance = pixels.reduce((s, p) => s + (p - mean) ** 2, 0) / 8;
    // moving = momentum * 0 + (1 - momentum) * batch statistic, from initial mean 0 and variance 1.
    expect(movingMean!.dataSync()[0]).toBeCloseTo(0.1 * mean, 5);
    expect(movingVariance!.dataSync()[0]).toBeCloseTo(0.9 + 0.1 * biasedVariance, 4);
    tf.dispose([xs, ys]);
  });

  test('tf.memory().numTensors is the same after epoch 1 and after epoch 5', async () => {
    const model = tinyConvNet();
    const trainSet = dataset(32, 4);
    const valSet = dataset(16, 5, 8, false);
    const counts: number[] = [];
    const probe: TrainCallback = { name: 'probe', order: 1000, onEpochEnd: () => void counts.push(tf.memory().numTensors) };
    await train(model, trainSet.source, {
      ...base,
      epochs: 5,
      augment: jitter,
      validationData: valSet.source,
      clipGradNorm: 1,
      microBatchSize: 4,
      earlyStopping: { patience: 10, restoreBestWeights: true },
      callbacks: [modelCheckpoint({ dir: path.join(tmp, 'ckpt') }), lrSchedule.cosine({ tMax: 5 }), probe],
    });
    expect(counts).toHaveLength(5);
    expect(counts[4]).toBe(counts[0]);
    trainSet.dispose();
    valSet.dispose();
  });

  test('checkpoint then resume gives exactly the weights of an uninterrupted run', async () => {
    const trainSet = dataset(32, 6);
    const valSet = dataset(16, 7, 16, false);
    const options = (dir: string): TrainOptions => ({
      ...base,
      epochs: 4,
      seed: 11,
      augment: jitter,
      optimizer: { lr: 0.01, weightDecay: 1e-3 },
      validationData: valSet.source,
      callbacks: [modelCheckpoint({ dir }), lrSchedule.reduceOnPlateau({ patience: 0, factor: 0.5 })],
    });
    const uninterrupted = tinyConvNet();
    const full = await train(uninterrupted, trainSet.source, options(path.join(tmp, 'full')));

    const firstHalf = tinyConvNet();
    await train(firstHalf, trainSet.source, { ...options(path.join(tmp, 'split')), epochs: 2 });
    const resumed = tinyConvNet();
    const rest = await train(resumed, trainSet.source, { ...options(path.join(tmp, 'split')), resumeFrom: path.join(tmp, 'split') });

    expect(rest.history).toHaveLength(4);
    expect(rest.steps).toBe(full.steps);
    expect(weightValues(resumed)).toEqual(weightValues(uninterrupted));
    expect(rest.history.map((h) => h.lr)).toEqual(full.history.map((h) => h.lr));
    expect(rest.history.map((h) => h.val_loss)).toEqual(full.history.map((h) => h.val_loss));
    trainSet.dispose();
    valSet.dispose();
  });

  test('micro-batches accumulate to the full batch update (no batch norm; class weights)', async () => {
    const { xs, ys } = barImages(16, 8, 8);
    const run = async (microBatchSize?: number) => {
      const model = tinyConvNet({ batchNorm: false });
      await train(model, tensorBatchSource(xs, ys, { batchSize: 8 }), {
        ...base,
        epochs: 2,
        microBatchSize,
        loss: { classWeights: [0.3, 2], labelSmoothing: 0.1 },
        optimizer: { lr: 0.01 },
      });
      return weightValues(model);
    };
    const whole = await run();
    const micro = await run(3);
    whole.forEach((w, i) => w.forEach((v, j) => expect(micro[i]![j]).toBeCloseTo(v, 5)));
    tf.dispose([xs, ys]);
  });

  test('early stopping restores the best epoch weights, checked against the history', async () => {
    const model = tinyConvNet();
    const trainSet = dataset(32, 9);
    // Flipped validation labels: the better the model learns, the worse val_loss gets, so an early epoch is best.
    const { xs, ys } = barImages(16, 8, 10);
    const flipped = tf.reverse(ys, 1);
    const result = await train(model, trainSet.source, {
      ...base,
      epochs: 10,
      optimizer: { lr: 0.03 },
      validationData: tensorBatchSource(xs, flipped, { batchSize: 16 }),
      earlyStopping: { monitor: 'val_loss', patience: 2, restoreBestWeights: true },
    });
    expect(result.stopReason).toBe('early-stopping');
    const losses = result.history.map((h) => h.val_loss!);
    const bestEpoch = losses.indexOf(Math.min(...losses));
    expect(result.history.length).toBe(bestEpoch + 3);
    const now = await evaluate(model, tensorBatchSource(xs, flipped, { batchSize: 16 }));
    expect(now.loss).toBeCloseTo(losses[bestEpoch]!, 5);
    expect(now.loss).not.toBeCloseTo(losses[losses.length - 1]!, 5);
    trainSet.dispose();
    tf.dispose([xs, ys, flipped]);
  });

  test('a NaN loss stops the run with a clear error and keeps the last good checkpoint', async () => {
    const model = tinyConvNet({ batchNorm: false });
    const { xs, ys } = barImages(8, 8, 12);
    const poisoned: BatchSource = {
      batchSize: 8,
      *batches(epoch = 0) {
        yield { xs: epoch === 2 ? tf.fill([8, 8, 8, 1], NaN) : tf.clone(xs), ys: tf.clone(ys) };
      },
    };
    const dir = path.join(tmp, 'ckpt');
    let weightsAfterEpoch2: number[][] = [];
    const spy: TrainCallback = { name: 'spy', onEpochEnd: (logs) => void (logs.epoch === 1 && (weightsAfterEpoch2 = weightValues(model))) };
    const error = await train(model, poisoned, { ...base, epochs: 5, callbacks: [modelCheckpoint({ dir }), spy] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const diverged = error as TrainingDivergedError;
    expect(diverged.message).toMatch(/NaN or infinite at epoch 3, batch 1 \(step 3\); training stopped before applying that update/);
    expect(diverged.message).toContain(path.join(dir, 'last'));
    expect(diverged.history).toHaveLength(2);
    // The bad update was not applied, and the checkpoint holds epoch 2's finite weights.
    expect(weightValues(model)).toEqual(weightsAfterEpoch2);
    const checkpoint = await readCheckpoint(dir);
    expect(checkpoint.state.epoch).toBe(1);
    for (const w of checkpoint.weights.values()) expect(Array.from(w.data).every(Number.isFinite)).toBe(true);
    tf.dispose([xs, ys]);
  });

  test('fine-tuning trains only the head first, then everything at the lower learning rate', async () => {
    const model = tinyConvNet({ batchNorm: false });
    const trainSet = dataset(16, 13);
    const snapshots: number[][][] = [weightValues(model)];
    const spy: TrainCallback = { name: 'spy', onEpochEnd: () => void snapshots.push(weightValues(model)) };
    const result = await train(model, trainSet.source, {
      ...base,
      epochs: 3,
      optimizer: { lr: 0.01 },
      fineTune: { headEpochs: 1, unfreezeLr: 0.001 },
      callbacks: [spy],
    });
    const convKernel = 0; // weights: conv kernel, conv bias, head kernel, head bias
    const headKernel = 2;
    expect(snapshots[1]![convKernel]).toEqual(snapshots[0]![convKernel]);
    expect(snapshots[1]![headKernel]).not.toEqual(snapshots[0]![headKernel]);
    expect(snapshots[2]![convKernel]).not.toEqual(snapshots[1]![convKernel]);
    expect(result.history.map((h) => h.lr)).toEqual([0.01, 0.001, 0.001]);
    expect(model.layers.filter((l) => l.weights.length > 0).every((l) => l.trainable)).toBe(true);
    trainSet.dispose();
  });

  test('validates its arguments with messages that name train', async () => {
    const model = tinyConvNet();
    const { xs, ys } = barImages(4, 8, 1);
    const source = tensorBatchSource(xs, ys, { batchSize: 2 });
    await expect(train(model, source, { ...base, epochs: 0 })).rejects.toThrow('train: expected options.epochs, an integer >= 1, got 0');
    await expect(train(model, source, { ...base, epochs: 1, batchSize: 32 })).rejects.toThrow(
      'train: options.batchSize is 32 but the data source yields batches of 2',
    );
    await expect(train(model, {} as BatchSource, { ...base, epochs: 1 })).rejects.toThrow('train: expected a data source with a batches(epoch) method');
    const wrongClasses = tensorBatchSource(xs, tf.zeros([4, 3]), { batchSize: 2 });
    await expect(train(model, wrongClasses, { ...base, epochs: 1 })).rejects.toThrow('train: the model outputs 2 classes, the labels have 3');
    tf.dispose([xs, ys]);
  });

  test('selects the requested backend and reports it', async () => {
    const messages: string[] = [];
    const model = tinyConvNet();
    setFormulaWeights(model);
    const { xs, ys } = barImages(4, 8, 1);
    const result = await train(model, tensorBatchSource(xs, ys, { batchSize: 4 }), {
      ...base,
      backend: 'cpu',
      probeKernels: true,
      epochs: 1,
      callbacks: [{ name: 'messages', onMessage: (m) => void messages.push(m.text) }],
    });
    expect(result.backend).toBe('cpu');
    expect(messages[0]).toMatch(/^train: backend 'cpu' \(/);
    tf.dispose([xs, ys]);
  });
});
