import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { useCpu } from '../test/setup-backend';
import { evaluate } from './evaluate';
import { tensorBatchSource } from './tensor-batch-source';

beforeAll(useCpu);

/** Identity logits: the input row is the logit row. */
function identityModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [2] });
  const dense = tfl.layers.dense({ units: 2, useBias: false });
  const model = tfl.model({ inputs: input, outputs: dense.apply(input) as tfl.SymbolicTensor });
  tf.tidy(() => dense.setWeights([tf.eye(2)]));
  return model;
}

describe('evaluate', () => {
  test('dataset-level mean loss and accuracy across uneven batches, hand-computed, leak-free', async () => {
    const model = identityModel();
    const logits = [[2, 0], [0, 1], [1, 1]];
    const labels = [0, 0, 1];
    const xs = tf.tensor2d(logits);
    const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 2), 'float32'));
    const before = tf.memory().numTensors;
    const result = await evaluate(model, tensorBatchSource(xs, ys, { batchSize: 2 }));
    expect(tf.memory().numTensors).toBe(before);
    // -log softmax of the true class per sample, averaged over all 3 (not over the 2 batch means).
    const nll = logits.map((row, i) => Math.log(Math.exp(row[0]!) + Math.exp(row[1]!)) - row[labels[i]!]!);
    expect(result.loss).toBeCloseTo((nll[0]! + nll[1]! + nll[2]!) / 3, 5);
    // Sample 3 ties; argmax picks class 0, which is wrong.
    expect(result.accuracy).toBeCloseTo(1 / 3, 10);
    expect(result.count).toBe(3);
    tf.dispose([xs, ys]);
  });

  test('rejects an empty or invalid source', async () => {
    const model = identityModel();
    await expect(evaluate(model, { batches: () => [] })).rejects.toThrow('evaluate: the data source yielded no batches');
    await expect(evaluate(model, {} as never)).rejects.toThrow('evaluate: expected a data source with a batches(epoch) method');
  });
});
