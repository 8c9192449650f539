// Timings of the explainers on the CPU backend: a small residual CNN at 64 x 64 (batch 8) and the
// overlay / panel of a 2048 x 2048 16-bit X-ray. Run with `npm run bench` (builds first).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { gradCam, gradCamPlusPlus, occlusionSensitivity, overlayHeatmap, renderPanel } from '../dist/index.js';

await tf.setBackend('cpu');

function residualCnn(size) {
  const input = tfl.input({ shape: [size, size, 3] });
  const stem = tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(input);
  const branch = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', name: 'block_conv' }).apply(stem);
  const sum = tfl.layers.add().apply([stem, branch]);
  const last = tfl.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'last_conv' }).apply(sum);
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(last);
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 2 }).apply(pooled) });
}

async function time(label, repeats, fn) {
  await fn(); // warm-up
  const start = performance.now();
  for (let i = 0; i < repeats; i++) await fn();
  const ms = (performance.now() - start) / repeats;
  console.log(`${label.padEnd(52)} ${ms.toFixed(1).padStart(9)} ms`);
}

const model = residualCnn(64);
const batch = tf.randomUniform([8, 64, 64, 3], 0, 1, 'float32', 1);
const before = tf.memory().numTensors;
await time('gradCam, batch 8 @ 64x64', 5, () => gradCam(model, batch));
await time('gradCamPlusPlus, batch 8 @ 64x64', 5, () => gradCamPlusPlus(model, batch));
const first = tf.slice(batch, [0, 0, 0, 0], [1, -1, -1, -1]);
await time('occlusionSensitivity, 1 image, window 8, stride 4', 2, () => occlusionSensitivity(model, first, { window: 8, stride: 4 }));
first.dispose();
console.log(`tensors left behind: ${tf.memory().numTensors - before}`);

const side = 2048;
const xray = { data: Uint16Array.from({ length: side * side }, (_, i) => (i * 7919) % 65536), width: side, height: side, channels: 1, bitDepth: 16 };
const heatmap = { data: Float32Array.from({ length: 64 * 64 }, (_, i) => (i % 64) / 63), width: 64, height: 64 };
await time('overlayHeatmap, 2048x2048 16-bit', 3, () => overlayHeatmap(xray, heatmap));
await time('renderPanel, 2048x2048 16-bit -> height 512', 3, () => renderPanel(xray, heatmap, { label: 'fractured', probability: 0.9, height: 512 }));
batch.dispose();
