import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { barImages } from '../test/pattern-data';
import { useCpu } from '../test/setup-backend';
import { tinyConvNet, weightValues } from '../test/tiny-model';
import { MID_EPOCH_CHECKPOINT, readCheckpoint, readCheckpointState } from './checkpoint-io';
import { lrSchedule } from './lr-schedule';
import { modelCheckpoint } from './model-checkpoint';
import { tensorBatchSource } from './tensor-batch-source';
import { train } from './train';
import type { BatchSource, BatchTransform, TrainCallback, TrainOptions, TrainResult } from './types';

jest.setTimeout(240_000);
beforeAll(useCpu);

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fracture-mid-epoch-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Brightness jitter from the trainer's generator: the resumed run must continue its stream at the right draw. */
const jitter: BatchTransform = (xs, rng) => tf.mul(xs, 0.9 + 0.2 * rng.next());

// 40 images in batches of 8: 5 batches per epoch, shuffled differently each epoch.
const { xs, ys } = barImages(40, 8, 31);
const val = barImages(16, 8, 32);
afterAll(() => tf.dispose([xs, ys, val.xs, val.ys]));

const source = () => tensorBatchSource(xs, ys, { batchSize: 8, shuffle: true, seed: 4 });

/** The same batches from a source that cannot start late (like a plain generator): the trainer draws and disposes. */
function withoutStartBatch(inner: BatchSource, declareCount = true): BatchSource {
  return { batchSize: inner.batchSize, ...(declareCount ? { numBatches: inner.numBatches } : {}), batches: (epoch) => inner.batches(epoch) };
}

const options = (dir: string, extra: TrainCallback[] = []): TrainOptions => ({
  backend: 'current',
  quiet: true,
  probeKernels: false,
  epochs: 2,
  seed: 7,
  augment: jitter,
  optimizer: { lr: 0.02, weightDecay: 1e-3 },
  validationData: tensorBatchSource(val.xs, val.ys, { batchSize: 8 }),
  callbacks: [modelCheckpoint({ dir, everySteps: 1 }), lrSchedule.cosine({ tMax: 4 }), ...extra],
});

/** Throws after `modelCheckpoint` (order 100) saved the mid-epoch checkpoint of that batch: a stop at that moment. */
function stopAfter(epoch: number, batch: number): TrainCallback {
  return {
    name: 'stop',
    order: 150,
    onBatchEnd(logs) {
      if (logs.epoch === epoch && logs.batch === batch) throw new Error('simulated stop');
    },
  };
}

async function optimizerBytes(dir: string): Promise<Uint8Array> {
  return (await readCheckpoint(path.join(dir, 'last'))).optimizer.data;
}

function comparable(result: TrainResult) {
  return { steps: result.steps, epochs: result.epochs, history: result.history.map(({ seconds: _s, val_seconds: _v, ...rest }) => rest) };
}

/** The uninterrupted run (its history and weights), and a run stopped after 3 of 5 batches of epoch 2 in `split/`. */
async function uninterruptedAndStopped() {
  const reference = tinyConvNet();
  const full = await train(reference, source(), options(path.join(tmp, 'full')));
  const expected = weightValues(reference);
  reference.dispose();
  const dir = path.join(tmp, 'split');
  const stopped = tinyConvNet();
  await expect(train(stopped, source(), options(dir, [stopAfter(1, 2)]))).rejects.toThrow('simulated stop');
  stopped.dispose();
  return { full, expected, dir };
}

describe('train: checkpoints inside an epoch', () => {
  test('a stop after 3 of 5 batches of epoch 2 resumes to exactly the uninterrupted weights, optimiser state and history', async () => {
    const before = tf.memory().numTensors;
    const { full, expected, dir } = await uninterruptedAndStopped();
    // Nothing leaked by a run that ended in an exception between steps.
    expect(tf.memory().numTensors).toBe(before);

    const { dir: resolved, state } = await readCheckpointState(dir);
    expect(resolved).toBe(path.join(dir, MID_EPOCH_CHECKPOINT));
    expect(state.epoch).toBe(0);
    expect(state.step).toBe(8);
    expect(state.history).toHaveLength(1);
    expect(state.inEpoch).toMatchObject({ epoch: 1, batches: 3, seen: 24 });
    expect(state.inEpoch!.seconds).toBeGreaterThan(0);
    // The epoch-end checkpoint of epoch 1 is still there, untouched by the mid-epoch saves.
    expect((await readCheckpointState(path.join(dir, 'last'))).state).toMatchObject({ epoch: 0, step: 5 });

    const messages: string[] = [];
    const resumed = tinyConvNet();
    const rest = await train(resumed, source(), {
      ...options(dir, [{ name: 'messages', onMessage: (m) => void messages.push(m.text) }]),
      resumeFrom: dir,
    });
    expect(messages).toContain(`train: resumed epoch 2 after batch 3 of 5 from ${path.join(dir, MID_EPOCH_CHECKPOINT)} (step 8)`);
    // Same kernels on the same inputs in the same order on one backend: bit-identical, not merely close.
    expect(weightValues(resumed)).toEqual(expected);
    expect(comparable(rest)).toEqual(comparable(full));
    expect(await optimizerBytes(dir)).toEqual(await optimizerBytes(path.join(tmp, 'full')));
    // The finished epoch's `last` supersedes the mid-epoch checkpoint, which is gone.
    expect(fs.existsSync(path.join(dir, MID_EPOCH_CHECKPOINT))).toBe(false);
    expect(rest.history[1]!.seconds).toBeGreaterThanOrEqual(state.inEpoch!.seconds);
    resumed.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test("the batch logs' epoch means include the batches before a resume, as in the uninterrupted run", async () => {
    type Means = { epoch: number; batch: number; epochLoss?: number; epochAcc?: number };
    const recorder = (into: Means[]): TrainCallback => ({
      name: 'recorder',
      onBatchEnd: ({ epoch, batch, epochLoss, epochAcc }) => void into.push({ epoch, batch, epochLoss, epochAcc }),
    });
    const fullMeans: Means[] = [];
    const reference = tinyConvNet();
    const full = await train(reference, source(), options(path.join(tmp, 'full'), [recorder(fullMeans)]));
    reference.dispose();
    const dir = path.join(tmp, 'split');
    const stopped = tinyConvNet();
    await expect(train(stopped, source(), options(dir, [stopAfter(1, 2)]))).rejects.toThrow('simulated stop');
    stopped.dispose();
    const resumedMeans: Means[] = [];
    const resumed = tinyConvNet();
    await train(resumed, source(), { ...options(dir, [recorder(resumedMeans)]), resumeFrom: dir });
    resumed.dispose();
    expect(resumedMeans.map((m) => [m.epoch, m.batch])).toEqual([[1, 3], [1, 4]]);
    expect(resumedMeans).toEqual(fullMeans.slice(-2));
    // At the epoch's last batch the means are the epoch's logs.
    expect(fullMeans[4]!.epochLoss).toBeCloseTo(full.history[0]!.loss, 10);
    expect(fullMeans[9]!.epochAcc).toBeCloseTo(full.history[1]!.acc, 10);
  });

  test('a source without startBatch is drawn and its first batches disposed: same result, no leak', async () => {
    const reference = tinyConvNet();
    const full = await train(reference, withoutStartBatch(source()), options(path.join(tmp, 'full')));
    const expected = weightValues(reference);
    reference.dispose();

    const dir = path.join(tmp, 'split');
    const stopped = tinyConvNet();
    await expect(train(stopped, withoutStartBatch(source()), options(dir, [stopAfter(1, 1)]))).rejects.toThrow('simulated stop');
    stopped.dispose();

    const resumed = tinyConvNet();
    const before = tf.memory().numTensors;
    const rest = await train(resumed, withoutStartBatch(source()), { ...options(dir), resumeFrom: dir });
    expect(tf.memory().numTensors).toBe(before);
    expect(weightValues(resumed)).toEqual(expected);
    expect(comparable(rest)).toEqual(comparable(full));
    resumed.dispose();
  });

  test('an epoch-end checkpoint (the format before in-epoch positions) still resumes exactly', async () => {
    const { full, expected, dir } = await uninterruptedAndStopped();
    const last = path.join(dir, 'last');
    const raw = JSON.parse(fs.readFileSync(path.join(last, 'state.json'), 'utf8')) as Record<string, unknown>;
    expect(raw).not.toHaveProperty('inEpoch');

    const resumed = tinyConvNet();
    const rest = await train(resumed, source(), { ...options(dir), resumeFrom: last });
    expect(weightValues(resumed)).toEqual(expected);
    expect(comparable(rest)).toEqual(comparable(full));
    resumed.dispose();
  });

  test('a position beyond the epoch is refused, naming train and the checkpoint', async () => {
    const dir = path.join(tmp, 'split');
    const stopped = tinyConvNet();
    await expect(train(stopped, source(), options(dir, [stopAfter(1, 2)]))).rejects.toThrow('simulated stop');
    stopped.dispose();
    const mid = path.join(dir, MID_EPOCH_CHECKPOINT);
    const stateFile = path.join(mid, 'state.json');
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { inEpoch: { batches: number } };
    state.inEpoch.batches = 9;
    fs.writeFileSync(stateFile, JSON.stringify(state));

    const model = tinyConvNet();
    const before = tf.memory().numTensors;
    await expect(train(model, source(), { ...options(dir), resumeFrom: dir })).rejects.toThrow(
      `train: ${mid} was written after batch 9 of epoch 2, but the data source has 5 batches per epoch; it is not a checkpoint of this data`,
    );
    // A source that does not declare its length finds out by running out of batches.
    await expect(train(model, withoutStartBatch(source(), false), { ...options(dir), resumeFrom: dir })).rejects.toThrow(
      'train: resuming epoch 2 after batch 9, but the data source yields only 5 batches for that epoch',
    );
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
