import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../test/setup-backend';
import { tensorBatchSource } from './tensor-batch-source';

beforeAll(useCpu);

async function collect(source: ReturnType<typeof tensorBatchSource>, epoch: number, startBatch?: number): Promise<number[][]> {
  const out: number[][] = [];
  for await (const batch of source.batches(epoch, startBatch === undefined ? undefined : { startBatch })) {
    out.push(Array.from(batch.xs.dataSync()));
    tf.dispose([batch.xs, batch.ys]);
  }
  return out;
}

describe('tensorBatchSource', () => {
  test('slices in order with a short last batch, or drops it', async () => {
    const xs = tf.tensor2d([0, 1, 2, 3, 4], [5, 1]);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0], 'int32'), 2);
    const before = tf.memory().numTensors;
    expect(await collect(tensorBatchSource(xs, ys, { batchSize: 2 }), 0)).toEqual([[0, 1], [2, 3], [4]]);
    expect(await collect(tensorBatchSource(xs, ys, { batchSize: 2, dropRemainder: true }), 0)).toEqual([[0, 1], [2, 3]]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys]);
  });

  test('shuffles per epoch, reproducibly for the same seed and epoch', async () => {
    const xs = tf.tensor2d(Array.from({ length: 16 }, (_, i) => i), [16, 1]);
    const ys = tf.zeros([16, 2]);
    const source = tensorBatchSource(xs, ys, { batchSize: 16, shuffle: true, seed: 3 });
    const epoch0 = (await collect(source, 0))[0]!;
    expect(epoch0.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(epoch0).not.toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect((await collect(source, 0))[0]).toEqual(epoch0);
    expect((await collect(source, 1))[0]).not.toEqual(epoch0);
    tf.dispose([xs, ys]);
  });

  test('startBatch yields the same batches as a full pass from that index, and refuses one beyond the epoch', async () => {
    const xs = tf.tensor2d(Array.from({ length: 10 }, (_, i) => i), [10, 1]);
    const ys = tf.zeros([10, 2]);
    const source = tensorBatchSource(xs, ys, { batchSize: 3, shuffle: true, seed: 2 });
    expect(source.supportsStartBatch).toBe(true);
    const whole = await collect(source, 5);
    expect(await collect(source, 5, 2)).toEqual(whole.slice(2));
    expect(await collect(source, 5, 4)).toEqual([]);
    await expect(collect(source, 5, 5)).rejects.toThrow('tensorBatchSource: expected startBatch to be an integer from 0 to 4 (the batches per epoch), got 5');
    tf.dispose([xs, ys]);
  });

  test('validates its inputs', () => {
    tf.tidy(() => {
      const xs = tf.zeros([3, 2]);
      expect(() => tensorBatchSource(xs, tf.zeros([2, 2]), { batchSize: 1 })).toThrow('tensorBatchSource: 3 inputs but 2 labels');
      expect(() => tensorBatchSource(xs, tf.zeros([3, 2]), { batchSize: 0 })).toThrow('tensorBatchSource: expected an integer batchSize >= 1');
    });
  });
});
