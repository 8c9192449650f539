import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { gradCam } from './grad-cam';
import { renderPanel } from './render-panel';
import { resizeMap } from './resize-map';
import type { CamResult, RasterImage } from './types';

/**
 * Does Grad-CAM point at the fracture? Synthetic "radiographs": a bright bone
 * shaft at a random height over a noisy background; in fractured images
 * (class 0, as in the dataset's sorted folders) a dark crack crosses the
 * shaft at a random place. A small CNN trained here from scratch must learn
 * the crack, and the Grad-CAM peak for "fractured" must fall inside the
 * crack's box.
 */
const SIZE = 24;

interface Sample {
  pixels: Float32Array;
  label: 0 | 1;
  box: { x: number; y: number; width: number; height: number } | null;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeSample(random: () => number, fractured: boolean): Sample {
  const pixels = new Float32Array(SIZE * SIZE);
  const top = 3 + Math.floor(random() * (SIZE - 11));
  const thickness = 4 + Math.floor(random() * 2);
  const crackX = 3 + Math.floor(random() * (SIZE - 8));
  const crackWidth = 2;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const inBone = y >= top && y < top + thickness;
      const inCrack = fractured && inBone && x >= crackX && x < crackX + crackWidth;
      const base = inBone && !inCrack ? 0.8 : 0.15;
      pixels[y * SIZE + x] = Math.min(1, Math.max(0, base + (random() - 0.5) * 0.15));
    }
  }
  return {
    pixels,
    label: fractured ? 0 : 1,
    box: fractured ? { x: crackX, y: top, width: crackWidth, height: thickness } : null,
  };
}

function dataset(count: number, seed: number): Sample[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => makeSample(random, i % 2 === 0));
}

function toBatch(samples: Sample[]): tf.Tensor4D {
  const data = new Float32Array(samples.length * SIZE * SIZE);
  samples.forEach((s, i) => data.set(s.pixels, i * SIZE * SIZE));
  return tf.tensor4d(data, [samples.length, SIZE, SIZE, 1]);
}

/**
 * conv (fixed edge filters) - maxpool - conv (trained, explained) - global max pool - dense (trained).
 * The first layer is frozen to Sobel filters only to keep training within seconds on the pure-JS CPU
 * backend, whose convolution filter gradients are slow; everything Grad-CAM explains is learnt.
 */
function smallCnn(): tfl.LayersModel {
  const edges = tfl.layers.conv2d({ inputShape: [SIZE, SIZE, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', trainable: false, name: 'edges' });
  const model = tfl.sequential({
    name: 'small_cnn',
    layers: [
      edges,
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: 2 }), name: 'last_conv' }),
      tfl.layers.globalMaxPooling2d({}),
      tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  // Sobel x, -x, y, -y: [kh, kw, in, out].
  const sobelX = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
  const sobelY = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
  const kernel = new Float32Array(9 * 4);
  for (let i = 0; i < 9; i++) {
    kernel[i * 4] = sobelX[i]!;
    kernel[i * 4 + 1] = -sobelX[i]!;
    kernel[i * 4 + 2] = sobelY[i]!;
    kernel[i * 4 + 3] = -sobelY[i]!;
  }
  edges.setWeights([tf.tensor4d(kernel, [3, 3, 1, 4]), tf.zeros([4])]);
  return model;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('a CNN trained on synthetic fractures puts its Grad-CAM peak inside the fracture box (>= 80% of test images)', async () => {
  const model = smallCnn();
  const train = dataset(64, 1);
  const xs = toBatch(train);
  const ys = tf.oneHot(tf.tensor1d(train.map((s) => s.label), 'int32'), 2);
  model.compile({
    optimizer: tf.train.adam(0.03),
    loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
  });
  await model.fit(xs, ys, { epochs: 4, batchSize: 16, shuffle: false, verbose: 0 });
  tf.dispose([xs, ys]);

  const test = dataset(40, 2);
  const testXs = toBatch(test);
  const before = tf.memory().numTensors;
  const results = await gradCam(model, testXs, { classIndex: 0 });
  expect(tf.memory().numTensors).toBe(before);
  testXs.dispose();

  const accuracy = results.filter((r, i) => r.predictedClass === test[i]!.label).length / test.length;
  expect(accuracy).toBeGreaterThanOrEqual(0.9);
  expect(results[0]!.layer).toBe('last_conv');

  let hits = 0;
  let fractured = 0;
  test.forEach((sample, i) => {
    if (sample.box === null) return;
    fractured++;
    const { data } = results[i]!.heatmap;
    const peak = data.indexOf(Math.max(...data));
    const [px, py] = [peak % SIZE, Math.floor(peak / SIZE)];
    // One pixel of slack: the map comes from a 12x12 layer, so its peak is only known to 2 input pixels.
    const { x, y, width, height } = sample.box;
    if (px >= x - 1 && px < x + width + 1 && py >= y - 1 && py < y + height + 1) hits++;
  });
  expect(hits / fractured).toBeGreaterThanOrEqual(0.8);
  model.dispose();
  if (process.env['FRACTURE_WRITE_SAMPLES'] === '1') writeSamplePanel(test, results);
}, 240_000);

/** Regenerates docs/sample-panel.png (FRACTURE_WRITE_SAMPLES=1): the first fractured test image, shown at 10x. */
function writeSamplePanel(samples: Sample[], results: CamResult[]): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { encodePng } = require('@fracture/preprocess') as { encodePng: (image: RasterImage) => Uint8Array };
  const index = samples.findIndex((s) => s.box !== null);
  const big = resizeMap({ data: samples[index]!.pixels, width: SIZE, height: SIZE }, SIZE * 10, SIZE * 10);
  const xray: RasterImage = {
    data: Uint8Array.from(big.data, (v) => Math.round(v * 255)),
    width: big.width,
    height: big.height,
    channels: 1,
    bitDepth: 8,
  };
  const result = results[index]!;
  const panel = renderPanel(xray, result.heatmap, { label: 'fractured', probability: result.probabilities[0]!, alpha: 0.45 });
  writeFileSync(join(__dirname, '..', 'docs', 'sample-panel.png'), encodePng(panel));
}
