import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../test/setup-backend';
import { batchesFrom } from './batches-from';
import type { BatchSource, BatchesOptions } from './types';

beforeAll(useCpu);

/** Four one-value batches 0..3; records which options reached it. */
function counting(supportsStartBatch: boolean) {
  const calls: (BatchesOptions | undefined)[] = [];
  const source: BatchSource = {
    supportsStartBatch,
    *batches(_epoch, options) {
      calls.push(options);
      for (let b = options?.startBatch ?? 0; b < 4; b++) yield { xs: tf.tensor1d([b]), ys: tf.tensor2d([[1, 0]]) };
    },
  };
  return { source, calls };
}

async function values(iterable: AsyncIterable<{ xs: tf.Tensor; ys: tf.Tensor }>): Promise<number[]> {
  const out: number[] = [];
  for await (const batch of iterable) {
    out.push(batch.xs.dataSync()[0]!);
    tf.dispose([batch.xs, batch.ys]);
  }
  return out;
}

describe('batchesFrom', () => {
  test('asks a source that supports it to start late', async () => {
    const { source, calls } = counting(true);
    expect(await values(batchesFrom(source, 0, 2, 'test'))).toEqual([2, 3]);
    expect(calls).toEqual([{ startBatch: 2 }]);
  });

  test('draws and disposes the first batches of any other source, leaking nothing', async () => {
    const { source, calls } = counting(false);
    const before = tf.memory().numTensors;
    expect(await values(batchesFrom(source, 0, 3, 'test'))).toEqual([3]);
    expect(await values(batchesFrom(source, 0, 4, 'test'))).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    expect(calls).toEqual([undefined, undefined]);
  });

  test('a start beyond the batches, or not an index, is refused naming the caller', async () => {
    const { source } = counting(false);
    const before = tf.memory().numTensors;
    await expect(values(batchesFrom(source, 1, 6, 'train'))).rejects.toThrow(
      'train: resuming epoch 2 after batch 6, but the data source yields only 4 batches for that epoch',
    );
    await expect(values(batchesFrom(source, 0, -1, 'train'))).rejects.toThrow('train: expected startBatch to be an integer >= 0, got -1');
    expect(tf.memory().numTensors).toBe(before);
  });
});
