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
});
