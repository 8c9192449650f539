import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { colorJitter, createRng, randomFlip, randomResizedCrop, randomRotation } from '@fracture/preprocess';
import type { Rng } from '@fracture/preprocess';
import { studyAugmentation } from './study-augmentation';

// Silences the cpu backend's "install tfjs-node" banner in the test log, as @fracture/backend's test helper does.
tf.env().set('PROD', true);

/** The notebook's steps written out with the tensor ops, one after another on one generator: the reference. */
function notebookSteps(x: tf.Tensor3D, rng: Rng, size: number, degrees: number): tf.Tensor3D {
  return tf.tidy(() => {
    let y = randomResizedCrop(x, { size, scale: [0.8, 1], seed: rng });
    y = randomFlip(y, { horizontal: 0.5, seed: rng });
    y = randomRotation(y, { degrees, interpolation: 'nearest', seed: rng });
    return colorJitter(y, { brightness: 0.3, contrast: 0.3, saturation: 0.3, seed: rng });
  });
}

/** A gray radiograph stored as RGB (R = G = B), as the study's JPEGs are, with values spread over [0, 1]. */
function grayAsRgb(height: number, width: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(height * width * 3);
  for (let p = 0; p < height * width; p++) out.fill(rng.next(), 3 * p, 3 * p + 3);
  return out;
}

describe('studyAugmentation', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  test('none for the custom CNN, as in the notebook', () => {
    expect(studyAugmentation('cnn', 224)).toBeUndefined();
  });

  test.each([
    ['mobilenetv2', 10],
    ['resnet18', 10],
    ['efficientnet-b3', 15],
  ] as const)('%s: the notebook steps (rotation ±%i°), with a pixel kernel that gives exactly the tensor ops', (model, degrees) => {
    const augment = studyAugmentation(model, 20)!;
    // The batch loader takes its fast path only with a pixel kernel, and runs gray images at one channel.
    expect(augment.pixels).toBeDefined();
    expect(augment.preservesGray).toBe(true);
    const data = grayAsRgb(26, 30, 3);
    const x = tf.tensor3d(data, [26, 30, 3]);
    const start = tf.memory().numTensors;
    for (const seed of [1, 2, 3, 4, 5]) {
      const reference = notebookSteps(x, createRng(seed), 20, degrees);
      const viaPixels = augment.pixels!({ data, height: 26, width: 30, channels: 3 }, createRng(seed));
      expect([viaPixels.height, viaPixels.width, viaPixels.channels]).toEqual([20, 20, 3]);
      expect(Array.from(viaPixels.data)).toEqual(Array.from(reference.dataSync()));
      const viaTensor = augment(x, createRng(seed));
      expect(Array.from(viaTensor.dataSync())).toEqual(Array.from(reference.dataSync()));
      tf.dispose([reference, viaTensor]);
    }
    expect(tf.memory().numTensors).toBe(start);
    x.dispose();
  });
});
