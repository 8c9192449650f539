import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../test/setup-backend';
import { tinyConvNet, weightValues } from '../test/tiny-model';
import { Adam } from './adam';
import {
  CHECKPOINT_FILES,
  discardCheckpoint,
  loadWeightsInto,
  MID_EPOCH_CHECKPOINT,
  readCheckpoint,
  readCheckpointState,
  resolveCheckpointDir,
  writeCheckpoint,
} from './checkpoint-io';
import type { CheckpointState } from './types';

beforeAll(useCpu);

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fracture-ckpt-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function state(epoch: number): Omit<CheckpointState, 'files' | 'format' | 'version' | 'savedAt'> {
  return { epoch, step: 10 * (epoch + 1), lr: 0.01, baseLr: 0.01, rng: { words: [1, 2, 3, 4] }, history: [], callbacks: { x: { best: 1 } }, configHash: 'abc' };
}

function optimizerFor(model: ReturnType<typeof tinyConvNet>): Adam {
  const adam = new Adam({ lr: 0.01 });
  tf.tidy(() => {
    adam.step(model.trainableWeights.map((w) => ({ name: w.originalName, variable: w.read() as tf.Variable, grad: tf.onesLike(w.read()) })));
  });
  return adam;
}

describe('checkpoint files', () => {
  test('round trip: weights (batch-norm statistics included), optimiser state and state.json', async () => {
    const model = tinyConvNet();
    const movingMean = model.getLayer('bn').weights[2]!;
    tf.tidy(() => {
      movingMean.write(tf.fill(movingMean.shape as number[], 0.5));
    });
    const adam = optimizerFor(model);
    const other = tinyConvNet();
    tf.tidy(() => {
      other.layers.flatMap((l) => l.weights).forEach((w) => w.write(tf.zeros(w.shape as number[])));
    });
    const dir = path.join(tmp, 'last');
    const before = tf.memory().numTensors;
    await writeCheckpoint(dir, { model, optimizer: adam.snapshot(), state: state(3) });
    expect(fs.readdirSync(dir).sort()).toEqual([...CHECKPOINT_FILES].sort());
    const loaded = await readCheckpoint(dir);
    expect(loaded.state.epoch).toBe(3);
    expect(loaded.state.callbacks).toEqual({ x: { best: 1 } });
    loadWeightsInto(other, loaded.weights, 'test');
    expect(weightValues(other)).toEqual(weightValues(model));
    const restored = new Adam({ lr: 0.01 });
    restored.restore(loaded.optimizer);
    expect(restored.snapshot().data).toEqual(adam.snapshot().data);
    restored.dispose();
    expect(weightValues(other)[4]).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(tf.memory().numTensors).toBe(before);
    adam.dispose();
  });

  test('a write that fails before the commit leaves the previous checkpoint intact', async () => {
    const model = tinyConvNet();
    const adam = optimizerFor(model);
    const dir = path.join(tmp, 'last');
    await writeCheckpoint(dir, { model, optimizer: adam.snapshot(), state: state(1) });
    const crash = writeCheckpoint(dir, { model, optimizer: adam.snapshot(), state: state(2) }, () => {
      throw new Error('simulated crash');
    });
    await expect(crash).rejects.toThrow('simulated crash');
    expect((await readCheckpoint(dir)).state.epoch).toBe(1);
    // A failed write removes its own temporary folder (a full disk must not stay full because of it).
    expect(fs.readdirSync(tmp).some((e) => e.includes('.tmp-'))).toBe(false);
    await writeCheckpoint(dir, { model, optimizer: adam.snapshot(), state: state(2) });
    expect(fs.readdirSync(tmp)).toEqual(['last']);
    expect((await readCheckpoint(dir)).state.epoch).toBe(2);
    adam.dispose();
  });

  test('a crash between the two renames is recovered from the .old folder', async () => {
    const model = tinyConvNet();
    const adam = optimizerFor(model);
    const dir = path.join(tmp, 'last');
    await writeCheckpoint(dir, { model, optimizer: adam.snapshot(), state: state(4) });
    fs.renameSync(dir, path.join(tmp, '.last.old-123-456'));
    expect(await resolveCheckpointDir(tmp)).toBe(path.join(tmp, '.last.old-123-456'));
    expect((await readCheckpoint(dir)).state.epoch).toBe(4);
    adam.dispose();
  });

  test('a modelCheckpoint directory resolves to whichever of last and mid-epoch is further ahead, last on a tie', async () => {
    const model = tinyConvNet();
    const adam = optimizerFor(model);
    const last = path.join(tmp, 'last');
    const mid = path.join(tmp, MID_EPOCH_CHECKPOINT);
    const inEpoch = { epoch: 2, batches: 3, lossSum: 1.5, correct: 7, seen: 12, seconds: 4.25 };
    await writeCheckpoint(last, { model, optimizer: adam.snapshot(), state: state(0) });
    // Steps: last 10; the mid-epoch checkpoint 23, then 20 (equal to a later last), then superseded.
    await writeCheckpoint(mid, { model, optimizer: adam.snapshot(), state: { ...state(1), step: 23, inEpoch } });
    expect(await resolveCheckpointDir(tmp)).toBe(mid);
    expect((await readCheckpointState(tmp)).state.inEpoch).toEqual(inEpoch);
    await writeCheckpoint(last, { model, optimizer: adam.snapshot(), state: state(1) });
    await writeCheckpoint(mid, { model, optimizer: adam.snapshot(), state: { ...state(1), step: 20, inEpoch } });
    expect(await resolveCheckpointDir(tmp)).toBe(last);
    // A mid-epoch checkpoint alone (a stop during the first epoch) is found too.
    fs.rmSync(last, { recursive: true });
    expect(await resolveCheckpointDir(tmp)).toBe(mid);
    adam.dispose();
  });

  test('discardCheckpoint removes state.json first, so a half-deleted folder is never taken for a checkpoint', async () => {
    const model = tinyConvNet();
    const adam = optimizerFor(model);
    const mid = path.join(tmp, MID_EPOCH_CHECKPOINT);
    await writeCheckpoint(mid, { model, optimizer: adam.snapshot(), state: state(0) });
    // As left by a stop during the deletion: state.json gone, other files still there.
    fs.rmSync(path.join(mid, 'state.json'));
    await expect(resolveCheckpointDir(tmp)).rejects.toThrow('resolveCheckpointDir:');
    await discardCheckpoint(mid);
    expect(fs.readdirSync(tmp)).toEqual([]);
    await discardCheckpoint(mid);
    adam.dispose();
  });

  test('a truncated file or a missing checkpoint is reported with its path', async () => {
    const model = tinyConvNet();
    const adam = optimizerFor(model);
    const dir = path.join(tmp, 'last');
    await writeCheckpoint(dir, { model, optimizer: adam.snapshot(), state: state(0) });
    const weightsFile = path.join(dir, 'weights.bin');
    fs.truncateSync(weightsFile, 10);
    await expect(readCheckpoint(dir)).rejects.toThrow(`readCheckpoint: ${weightsFile}: 10 bytes, expected`);
    await expect(readCheckpoint(path.join(tmp, 'nothing'))).rejects.toThrow('resolveCheckpointDir:');
    adam.dispose();
  });

  test('loading into a different architecture fails clearly', async () => {
    const model = tinyConvNet();
    const adam = optimizerFor(model);
    await writeCheckpoint(path.join(tmp, 'c'), { model, optimizer: adam.snapshot(), state: state(0) });
    const loaded = await readCheckpoint(path.join(tmp, 'c'));
    expect(() => loadWeightsInto(tinyConvNet({ filters: 6 }), loaded.weights, 'train')).toThrow("train: weight 'conv/kernel' has shape [3,3,1,6], the checkpoint [3,3,1,4]");
    adam.dispose();
  });
});
