import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { epochLogs, fakeContext } from '../test/fake-context';
import { modelCheckpoint } from './model-checkpoint';

describe('modelCheckpoint', () => {
  test('saves last every epoch and best when the monitored metric improves (best first)', async () => {
    const callback = modelCheckpoint({ dir: '/ckpt' });
    const ctx = fakeContext({ epochs: 4 });
    for (const [e, loss] of [0.9, 0.7, 0.8, 0.6].entries()) await callback.onEpochEnd?.(epochLogs(e, { val_loss: loss }), ctx);
    const best = path.join('/ckpt', 'best');
    const last = path.join('/ckpt', 'last');
    expect(ctx.saved).toEqual([best, last, best, last, last, best, last]);
  });

  test("an explicit metric in 'max' mode (validation AUC) saves best when it rises", async () => {
    const callback = modelCheckpoint({ dir: '/m', monitor: 'val_auc', mode: 'max' });
    const ctx = fakeContext({ epochs: 3 });
    for (const [e, auc] of [0.7, 0.65, 0.8].entries()) await callback.onEpochEnd?.(epochLogs(e, { val_auc: auc }), ctx);
    const best = path.join('/m', 'best');
    const last = path.join('/m', 'last');
    expect(ctx.saved).toEqual([best, last, last, best, last]);
    expect(callback.getState?.()).toEqual({ monitor: 'val_auc', mode: 'max', best: 0.8 });
  });

  test('falls back to the training loss without validation, and honours `every`', async () => {
    const callback = modelCheckpoint({ dir: '/c', every: 2, saveBest: false });
    const ctx = fakeContext({ epochs: 3 });
    for (const e of [0, 1, 2]) await callback.onEpochEnd?.(epochLogs(e, { loss: 1 - e / 10 }), ctx);
    // Epoch 2 (index 1) by `every`, epoch 3 because it is the last.
    expect(ctx.saved).toEqual([path.join('/c', 'last'), path.join('/c', 'last')]);
    expect(callback.getState?.()).toMatchObject({ monitor: 'loss', mode: 'min' });
  });

  test('requires a directory', () => {
    expect(() => modelCheckpoint({ dir: '' })).toThrow('modelCheckpoint: expected options.dir');
  });

  test('everySteps saves mid-epoch between steps, except on the batch before an epoch-end save', async () => {
    // A real folder: after each `last`, the superseded mid-epoch checkpoint is deleted from it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fracture-mc-'));
    const callback = modelCheckpoint({ dir, everySteps: 2, saveBest: false });
    const ctx = fakeContext({ epochs: 2, numBatches: 4 });
    for (let step = 0; step < 8; step++) {
      const logs = { epoch: Math.floor(step / 4), batch: step % 4, step, loss: 1, acc: 0.5, size: 2, lr: 0.1, gradNorm: 1 };
      await callback.onBatchEnd?.(logs, ctx);
      if (logs.batch === 3) await callback.onEpochEnd?.(epochLogs(logs.epoch, { loss: 1 }), ctx);
    }
    const names = ctx.saved.map((d) => path.basename(d));
    // The 2nd and 6th steps save mid-epoch; the 4th and 8th end an epoch, where `last` is written instead.
    expect(names).toEqual(['mid-epoch', 'last', 'mid-epoch', 'last']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('everySeconds saves mid-epoch once that much time has passed since the last save', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const callback = modelCheckpoint({ dir: '/t', everySeconds: 600, saveBest: false });
      const ctx = fakeContext({ epochs: 1, numBatches: 100 });
      await callback.onTrainBegin?.(ctx);
      const batch = async (b: number) => callback.onBatchEnd?.({ epoch: 0, batch: b, step: b, loss: 1, acc: 0.5, size: 2, lr: 0.1, gradNorm: 1 }, ctx);
      jest.setSystemTime(599_000);
      await batch(0);
      expect(ctx.saved).toEqual([]);
      jest.setSystemTime(600_000);
      await batch(1);
      jest.setSystemTime(1_100_000);
      await batch(2);
      expect(ctx.saved).toEqual([path.join('/t', 'mid-epoch')]);
    } finally {
      jest.useRealTimers();
    }
  });

  test('refuses intervals that are not positive', () => {
    expect(() => modelCheckpoint({ dir: '/x', everySeconds: 0 })).toThrow('modelCheckpoint: expected everySeconds > 0, got 0');
    expect(() => modelCheckpoint({ dir: '/x', everySteps: 1.5 })).toThrow('modelCheckpoint: expected everySteps to be an integer >= 1, got 1.5');
  });
});
