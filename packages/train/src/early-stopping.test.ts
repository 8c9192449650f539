import * as tf from '@tensorflow/tfjs-core';
import { epochLogs, fakeContext } from '../test/fake-context';
import { useCpu } from '../test/setup-backend';
import { tinyConvNet, weightValues } from '../test/tiny-model';
import { earlyStopping } from './early-stopping';

beforeAll(useCpu);

/** Feeds val_loss values epoch by epoch; returns the epoch after which a stop was requested (or -1). */
function drive(values: number[], options: Parameters<typeof earlyStopping>[0]) {
  const callback = earlyStopping(options);
  const ctx = fakeContext();
  for (let e = 0; e < values.length; e++) {
    const logs = epochLogs(e, { val_loss: values[e] });
    ctx.history.push(logs);
    callback.onEpochEnd?.(logs, ctx);
    if (ctx.stopRequested) return { stoppedAfter: e, ctx, callback };
  }
  return { stoppedAfter: -1, ctx, callback };
}

describe('earlyStopping', () => {
  test('stops after `patience` epochs without improvement (Keras semantics)', () => {
    expect(drive([1, 0.9, 0.95, 0.96, 0.97], { patience: 2 }).stoppedAfter).toBe(3);
    expect(drive([1, 0.9, 0.95, 0.85, 0.97, 0.98], { patience: 2 }).stoppedAfter).toBe(5);
    expect(drive([1, 1.1], { patience: 0 }).stoppedAfter).toBe(1);
    expect(drive([1, 0.9, 0.8], { patience: 0 }).stoppedAfter).toBe(-1);
  });

  test('minDelta: improvements smaller than it do not count', () => {
    expect(drive([1, 0.995, 0.99], { patience: 2, minDelta: 0.02 }).stoppedAfter).toBe(2);
  });

  test("mode 'auto' maximises accuracy metrics", () => {
    const callback = earlyStopping({ monitor: 'val_acc', patience: 1 });
    const ctx = fakeContext();
    [0.5, 0.6, 0.7].forEach((acc, e) => callback.onEpochEnd?.(epochLogs(e, { val_acc: acc }), ctx));
    expect(ctx.stopRequested).toBeNull();
    callback.onEpochEnd?.(epochLogs(3, { val_acc: 0.6 }), ctx);
    expect(ctx.stopRequested).toBe('early-stopping');
  });

  test('warns once when the monitored metric is missing', () => {
    const { ctx } = drive([NaN], { monitor: 'nope' });
    expect(ctx.messages[0]!.text).toContain("earlyStopping: metric 'nope' is not in the epoch logs");
  });

  test('restores the best weights at the end and releases its snapshot', async () => {
    const model = tinyConvNet();
    const callback = earlyStopping({ patience: 5, restoreBestWeights: true });
    const ctx = fakeContext({ model });
    callback.onTrainBegin?.(ctx);
    const atBest: number[][] = [];
    const losses = [1, 0.5, 0.7];
    losses.forEach((loss, e) => {
      tf.tidy(() => {
        model.getLayer('head').weights[0]!.write(tf.fill([4, 2], e));
      });
      if (e === 1) atBest.push(...weightValues(model));
      const logs = epochLogs(e, { val_loss: loss });
      ctx.history.push(logs);
      callback.onEpochEnd?.(logs, ctx);
    });
    const before = tf.memory().numTensors;
    callback.onTrainEnd?.(ctx, { stopReason: 'completed' });
    expect(weightValues(model)).toEqual(atBest);
    expect(tf.memory().numTensors).toBeLessThan(before);
    expect(ctx.messages.at(-1)!.text).toContain('restored the weights of epoch 2');
  });

  test('its counters survive a checkpoint round trip', () => {
    const { callback } = drive([1, 0.9, 0.95], { patience: 2 });
    const resumed = earlyStopping({ patience: 2 });
    resumed.setState?.(JSON.parse(JSON.stringify(callback.getState?.())));
    const ctx = fakeContext();
    resumed.onEpochEnd?.(epochLogs(3, { val_loss: 0.96 }), ctx);
    expect(ctx.stopRequested).toBe('early-stopping');
  });
});
