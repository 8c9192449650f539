import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { predictBatches } from './predict-batches';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A dense layer with fixed weights, so the expected softmax can be computed by hand. */
function fixedModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [2] });
  const dense = tfl.layers.dense({ units: 2, useBias: false, kernelInitializer: 'zeros' });
  const model = tfl.model({ inputs: input, outputs: dense.apply(input) as tfl.SymbolicTensor });
  dense.setWeights([tf.tensor2d([[1, 0], [0, 1]])]);
  return model;
}

test('collects softmax probabilities, labels and items in order, leak-free', async () => {
  const model = fixedModel();
  const rows = [[0, 0], [2, 0], [0, 1], [1, 3]];
  const source = {
    numBatches: 2,
    *batches() {
      for (let b = 0; b < 2; b++) {
        const part = rows.slice(2 * b, 2 * b + 2);
        yield { xs: tf.tensor2d(part), ys: tf.tidy(() => tf.oneHot(tf.tensor1d([b, 1 - b], 'int32'), 2)), items: part.map((_, i) => `img${2 * b + i}`) };
      }
    },
  };
  const before = tf.memory().numTensors;
  const result = await predictBatches<string>(model, source);
  expect(tf.memory().numTensors).toBe(before);
  const softmax = ([a, b]: number[]) => [Math.exp(a) / (Math.exp(a) + Math.exp(b)), Math.exp(b) / (Math.exp(a) + Math.exp(b))];
  rows.forEach((row, i) => {
    expect(result.probabilities[i][0]).toBeCloseTo(softmax(row)[0], 6);
    expect(result.probabilities[i][1]).toBeCloseTo(softmax(row)[1], 6);
  });
  expect(result.labels).toEqual([0, 1, 1, 0]);
  expect(result.items).toEqual(['img0', 'img1', 'img2', 'img3']);
  model.dispose();
});

test('rejects a source without batches()', async () => {
  await expect(predictBatches(fixedModel(), {} as never)).rejects.toThrow('predictBatches: expected a data source');
});
