#!/usr/bin/env node
// Classifies X-ray files with a trained model folder, using only @fracture/models and
// @fracture/preprocess. Usage:
//   node classify.mjs <model-dir> <image> [more images...]
// `npm run demo` at the repository root writes a model folder to fracture-demo/cnn/model.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadModel } from '@fracture/models';
import { CLASS_NAMES, decodeImage, normalize, resize, toTensor } from '@fracture/preprocess';

export async function classify(modelDir, files) {
  await tf.setBackend('cpu');
  // fracture-model.json records how the model's inputs were prepared when it was trained.
  const info = JSON.parse(await readFile(join(modelDir, 'fracture-model.json'), 'utf8'));
  const model = await loadModel(modelDir);
  const results = [];
  try {
    for (const file of files) {
      const image = decodeImage(new Uint8Array(await readFile(file)), { path: file });
      const probabilities = tf.tidy(() => {
        const x = normalize(resize(toTensor(image, { channels: info.channels }), info.inputSize), info.mean, info.std);
        return tf.softmax(model.predict(tf.expandDims(x, 0))).dataSync();
      });
      const best = probabilities[0] >= probabilities[1] ? 0 : 1;
      results.push({ file, predictedClass: CLASS_NAMES[best], probability: probabilities[best] });
    }
  } finally {
    model.dispose();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [modelDir, ...files] = process.argv.slice(2);
  if (!modelDir || files.length === 0) {
    console.error('usage: node classify.mjs <model-dir> <image> [more images...]');
    process.exit(2);
  }
  for (const r of await classify(modelDir, files)) {
    console.log(`${r.file}: ${r.predictedClass} (${(100 * r.probability).toFixed(1)} %)`);
  }
}
