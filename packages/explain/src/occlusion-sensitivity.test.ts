import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { occlusionSensitivity } from './occlusion-sensitivity';
import { branchyModel, randomImages } from './testing/test-models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Class-0 logit = mean of the top-left 8x8 quadrant of a 16x16 image; class-1 logit = 0.3. */
function topLeftQuadrantModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [16, 16, 1] });
  const cropped = tfl.layers.cropping2D({ cropping: [[0, 8], [0, 8]] }).apply(input) as tfl.SymbolicTensor;
  const flat = tfl.layers.flatten().apply(cropped) as tfl.SymbolicTensor;
  const head = tfl.layers.dense({ units: 2 });
  const model = tfl.model({ inputs: input, outputs: head.apply(flat) as tfl.SymbolicTensor });
  const kernel = new Float32Array(64 * 2);
  for (let i = 0; i < 64; i++) kernel[i * 2] = 1 / 64;
  head.setWeights([tf.tensor2d(kernel, [64, 2]), tf.tensor1d([0, 0.3])]);
  return model;
}

const softmax0 = (a: number, b: number) => 1 / (1 + Math.exp(b - a));

describe('occlusionSensitivity', () => {
  test('a model that only sees the top-left quadrant lights exactly that quadrant; drops match hand computation', async () => {
    const model = topLeftQuadrantModel();
    const x = tf.add(randomImages(1, 16, 1, 3), 0.5) as tf.Tensor4D;
    const pixels = x.dataSync();
    const before = tf.memory().numTensors;
    const [result] = await occlusionSensitivity(model, x, { window: 4, stride: 4, classIndex: 0, batchSize: 5 });
    expect(tf.memory().numTensors).toBe(before);
    const r = result!;
    expect([r.raw.height, r.raw.width]).toEqual([4, 4]);
    let quadrantSum = 0;
    for (let y = 0; y < 8; y++) for (let x0 = 0; x0 < 8; x0++) quadrantSum += pixels[y * 16 + x0]!;
    const p0 = softmax0(quadrantSum / 64, 0.3);
    expect(r.score).toBeCloseTo(p0, 5);
    for (let row = 0; row < 4; row++) {
      for (let col = 0; col < 4; col++) {
        let windowSum = 0;
        if (row < 2 && col < 2) {
          for (let y = row * 4; y < row * 4 + 4; y++) for (let x0 = col * 4; x0 < col * 4 + 4; x0++) windowSum += pixels[y * 16 + x0]!;
        }
        const expectedDrop = p0 - softmax0((quadrantSum - windowSum) / 64, 0.3);
        expect(r.raw.data[row * 4 + col]).toBeCloseTo(expectedDrop, 5);
      }
    }
    for (let y = 0; y < 16; y++) {
      for (let x0 = 0; x0 < 16; x0++) {
        const v = r.heatmap.data[y * 16 + x0]!;
        if (y < 8 && x0 < 8) expect(v).toBeGreaterThan(0);
        else expect(v).toBe(0);
      }
    }
    expect(Math.max(...r.heatmap.data)).toBeCloseTo(1, 6);
    x.dispose();
  });

  test('covers the border when the stride does not divide the size; mean fill; function classifiers; rank-3 input', async () => {
    const model = topLeftQuadrantModel();
    const x = tf.squeeze(tf.add(randomImages(1, 16, 1, 4), 0.5), [0]) as tf.Tensor3D;
    const r = await occlusionSensitivity((batch) => model.predict(batch) as tf.Tensor, x, { window: 5, stride: 4, fill: 'mean', classIndex: 0 });
    // Origins 0, 4, 8 and the shifted last window at 11.
    expect([r.raw.height, r.raw.width]).toEqual([4, 4]);
    expect(r.heatmap.data.every((v) => Number.isFinite(v))).toBe(true);
    // The window at (0,0) replaces 25 quadrant pixels by the image mean: drop from a hand computation.
    const pixels = x.dataSync<'float32'>();
    const mean = pixels.reduce((s, v) => s + v, 0) / 256;
    let quadrantSum = 0;
    let windowSum = 0;
    for (let y = 0; y < 8; y++) for (let c = 0; c < 8; c++) quadrantSum += pixels[y * 16 + c]!;
    for (let y = 0; y < 5; y++) for (let c = 0; c < 5; c++) windowSum += pixels[y * 16 + c]!;
    const p0 = softmax0(quadrantSum / 64, 0.3);
    expect(r.raw.data[0]).toBeCloseTo(p0 - softmax0((quadrantSum - windowSum + 25 * mean) / 64, 0.3), 5);
    // The bottom-right window never touches the quadrant.
    expect(r.raw.data[15]).toBeCloseTo(0, 6);
    x.dispose();
  });

  test('batched over images with per-image classes; leak-free over repeated calls', async () => {
    const model = branchyModel(61, 12, 2);
    const x = randomImages(3, 12, 3, 62);
    const before = tf.memory().numTensors;
    const results = await occlusionSensitivity(model, x, { window: 4, stride: 4, classIndex: [0, 1, 0] });
    expect(results.map((r) => r.classIndex)).toEqual([0, 1, 0]);
    const second = tf.tidy(() => tf.squeeze(tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]), [0])) as tf.Tensor3D;
    const single = await occlusionSensitivity(model, second, { window: 4, stride: 4, classIndex: 1 });
    expect(Array.from(single.raw.data)).toEqual(Array.from(results[1]!.raw.data).map((v) => expect.closeTo(v, 5)));
    second.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(occlusionSensitivity(model, x, { window: 13 })).rejects.toThrow(/occlusionSensitivity: window 13x13 is larger than the 12x12 input/);
    await expect(occlusionSensitivity(model, x, { stride: 0 })).rejects.toThrow(/occlusionSensitivity: stride must be a positive integer, got 0/);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
