import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { onBackend, relativeError } from './testing/backends';
import { crossEntropy } from './testing/mixed-model';
import { syntheticBatch } from './testing/train-step';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels';
import { accumulateGradients, trainStepAccumulated } from './accumulate-gradients';

// No batch norm: every example's loss is independent of the others, so accumulation must be exact.
function smallConvNet(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu6', depthwiseInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
}

beforeAll(async () => {
  registerWasmTrainingKernels();
  await onBackend('wasm', () => undefined);
});

describe('accumulateGradients', () => {
  test('micro-batches of 4 + 2 give the gradient of the whole batch of 6', async () => {
    await onBackend('wasm', () => {
      const model = smallConvNet();
      const loss = (xs: tf.Tensor, ys: tf.Tensor) => crossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor);
      const { xs, ys } = syntheticBatch(6, 12, 3, 9);
      const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const before = tf.memory().numTensors;
      const whole = accumulateGradients(loss, xs, ys, { microBatchSize: 6, varList });
      const parts = accumulateGradients(loss, xs, ys, { microBatchSize: 4, varList });
      expect(whole.microBatches).toBe(1);
      expect(parts.microBatches).toBe(2);
      expect(Math.abs(parts.loss - whole.loss) / whole.loss).toBeLessThan(1e-6);
      for (const name of Object.keys(whole.grads)) {
        expect(relativeError(parts.grads[name]!.dataSync(), whole.grads[name]!.dataSync())).toBeLessThan(1e-5);
      }
      tf.dispose([whole.grads, parts.grads]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([xs, ys]);
      model.dispose();
    });
  });

  test('trainStepAccumulated applies the update and keeps memory flat across steps', async () => {
    await onBackend('wasm', () => {
      const model = smallConvNet();
      const loss = (xs: tf.Tensor, ys: tf.Tensor) => crossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor);
      const { xs, ys } = syntheticBatch(8, 12, 3, 4);
      const optimizer = tf.train.sgd(0.5);
      const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const first = trainStepAccumulated(optimizer, loss, xs, ys, { microBatchSize: 3, varList });
      const tensors = tf.memory().numTensors;
      const dataIds = tf.engine().backend.numDataIds();
      let last = first;
      for (let i = 0; i < 5; i++) last = trainStepAccumulated(optimizer, loss, xs, ys, { microBatchSize: 3, varList });
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.engine().backend.numDataIds()).toBe(dataIds);
      expect(last).toBeLessThan(first); // the same batch again: the loss must go down
      tf.dispose([xs, ys]);
      optimizer.dispose();
      model.dispose();
    });
  });

  test('rejects bad arguments, naming the function', () => {
    const xs = tf.zeros([4, 2]);
    const ys = tf.zeros([3, 2]);
    const loss = () => tf.scalar(0);
    expect(() => accumulateGradients(loss, xs, ys, { microBatchSize: 2 })).toThrow(
      'accumulateGradients: xs and ys need the same batch size, got [4,2] and [3,2]',
    );
    expect(() => accumulateGradients(loss, xs, xs, { microBatchSize: 0 })).toThrow(
      'accumulateGradients: microBatchSize must be a positive integer, got 0',
    );
    tf.dispose([xs, ys]);
  });
});
