import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { conv2dFastGrad, FastConv2D } from '../test/tiny-cnn';
import type { SyntheticRadiograph } from './dataset-types';
import { generateSyntheticRadiographs } from './synthetic-radiographs';

const SIZE = 64;

function toTensors(images: SyntheticRadiograph[]): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const pixels = new Float32Array(images.length * SIZE * SIZE);
  images.forEach((r, i) => {
    // Roughly zero-mean, unit-scale inputs; the images themselves span about [0.05, 0.55].
    for (let p = 0; p < SIZE * SIZE; p++) pixels[i * SIZE * SIZE + p] = (r.image.data[p] / 255 - 0.3) * 4;
  });
  const oneHot = new Float32Array(images.length * 2);
  images.forEach((r, i) => (oneHot[i * 2 + r.label] = 1));
  return { xs: tf.tensor4d(pixels, [images.length, SIZE, SIZE, 1]), ys: tf.tensor2d(oneHot, [images.length, 2]) };
}

describe('synthetic radiographs are learnable', () => {
  beforeAll(async () => {
    // WASM runs this model about 5x faster than the CPU backend (its custom convolution gradient needs only
    // Conv2D and Conv2DBackpropInput, which WASM has).
    await tf.setBackend('wasm');
    await tf.ready();
  });

  test("the test CNN's convolution has tf.conv2d's gradients", async () => {
    // The reference gradient needs Conv2DBackpropFilter, which only the CPU backend has.
    await tf.setBackend('cpu');
    const start = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.randomNormal([2, 9, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
      for (const stride of [1, 2]) {
        const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(conv2dFastGrad(a as tf.Tensor4D, b as tf.Tensor4D, stride))))([x, w]);
        const reference = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'valid'))))([x, w]);
        for (let i = 0; i < 2; i++) {
          expect(ours[i].shape).toEqual(reference[i].shape);
          expect(tf.max(tf.abs(tf.sub(ours[i], reference[i]))).dataSync()[0]).toBeLessThan(1e-3);
        }
      }
    });
    expect(tf.memory().numTensors).toBe(start);
    await tf.setBackend('wasm');
  });

  test(`a small CNN trained on 400 images at ${SIZE} px classifies 200 held-out radiographs with > 90 % accuracy`, async () => {
    const start = tf.memory().numTensors;
    const train = toTensors(generateSyntheticRadiographs({ count: 400, size: SIZE, seed: 1 }));
    // Another seed: new bones, breaks and exposures, none seen in training.
    const heldOut = generateSyntheticRadiographs({ count: 200, size: SIZE, seed: 2 });
    const test = toTensors(heldOut);

    const model = tfl.sequential({
      layers: [
        tfl.layers.inputLayer({ inputShape: [SIZE, SIZE, 1] }),
        new FastConv2D({ kernelSize: 5, strides: 2, filters: 8, seed: 1 }),
        new FastConv2D({ kernelSize: 3, strides: 2, filters: 16, seed: 2 }),
        new FastConv2D({ kernelSize: 3, strides: 1, filters: 16, seed: 3 }),
        // A break can be anywhere along the bone: max pooling over the image keeps the strongest evidence.
        tfl.layers.globalMaxPooling2d({}),
        tfl.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }),
      ],
    });
    const optimizer = tf.train.adam(0.01);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    await model.fit(train.xs, train.ys, { epochs: 10, batchSize: 16, shuffle: false, verbose: 0 });

    const predicted = tf.tidy(() => tf.argMax(model.predict(test.xs) as tf.Tensor2D, 1).dataSync());
    const accuracy = heldOut.filter((r, i) => predicted[i] === r.label).length / heldOut.length;
    expect(accuracy).toBeGreaterThan(0.9);

    model.dispose();
    optimizer.dispose();
    tf.dispose([train.xs, train.ys, test.xs, test.ys]);
    expect(tf.memory().numTensors).toBe(start);
  }, 240_000);
});
