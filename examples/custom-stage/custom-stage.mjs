#!/usr/bin/env node
// A researcher's experiment: the study's pipeline with two stages replaced by their own.
//   1. augmentation: a random gamma curve (exposure differences between X-ray machines), composed
//      with the library's own flip;
//   2. metric: sensitivity at 95 % specificity, read off the library's ROC curve.
// Everything else (synthetic data, grouped split, loader, model, training loop) is reused.
// Usage: node custom-stage.mjs [--images 400] [--epochs 4]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@fracture/backend';
import { compose, createBatchLoader, randomFlip, scanImageFolder, splitDataset, writeSyntheticDataset } from '@fracture/preprocess';
import { createModel } from '@fracture/models';
import { predictBatches, train } from '@fracture/train';
import { rocAuc, rocCurve } from '@fracture/metrics';

/** Our own augmentation: x ** gamma with log-uniform gamma in [1/maxGamma, maxGamma]. Any (x, rng) => tensor works. */
export function randomGamma(maxGamma) {
  return (x, rng) => {
    const gamma = Math.exp(rng.uniform(-Math.log(maxGamma), Math.log(maxGamma)));
    return tf.tidy(() => tf.pow(tf.clipByValue(x, 1e-6, 1), gamma));
  };
}

/** Our own metric: the best sensitivity among ROC points with specificity >= target. */
export function sensitivityAtSpecificity(labels, scores, target, positiveLabel) {
  const { fpr, tpr } = rocCurve(labels, scores, { positiveLabel });
  let best = 0;
  for (let i = 0; i < fpr.length; i++) if (1 - fpr[i] >= target) best = Math.max(best, tpr[i]);
  return best;
}

export async function runExperiment({ images = 400, epochs = 4, size = 48, seed = 1 } = {}) {
  // tfjs-node if installed, else wasm completed with @fracture/backend's training kernels.
  const engine = await selectBackend();
  const dir = await mkdtemp(join(tmpdir(), 'custom-stage-'));
  try {
    await writeSyntheticDataset(dir, { count: images, size, seed, variantsPerSource: 4 });
    const { items } = await scanImageFolder(dir);
    const split = splitDataset(items, { protocol: 'grouped', seed });
    const augment = compose([randomGamma(1.6), (x, rng) => randomFlip(x, { horizontal: 0.5, seed: rng })]);
    const common = { imageSize: size, channels: 1, batchSize: 32, numClasses: 2, mean: [0.5], std: [0.25], seed };
    const trainLoader = createBatchLoader(split.train, { ...common, shuffle: true, transform: augment });
    const testLoader = createBatchLoader(split.test, common);

    const model = createModel('cnn', { inputSize: size, channels: 1, seed });
    await train(model, trainLoader, { epochs, optimizer: { lr: 1e-3 }, backend: 'current', seed, quiet: true });
    const { labels, probabilities } = await predictBatches(model, testLoader);
    model.dispose();

    const fractured = probabilities.map((p) => p[0]); // class 0 = fractured, the positive class
    return {
      backend: engine.name,
      testImages: labels.length,
      auc: rocAuc(labels, fractured, { positiveLabel: 0 }),
      sensitivityAt95Specificity: sensitivityAtSpecificity(labels, fractured, 0.95, 0),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { images: { type: 'string', default: '400' }, epochs: { type: 'string', default: '4' } } });
  const result = await runExperiment({ images: Number(values.images), epochs: Number(values.epochs) });
  console.log(`${result.backend}, test images ${result.testImages}: AUC ${result.auc.toFixed(3)}, sensitivity at 95 % specificity ${(100 * result.sensitivityAt95Specificity).toFixed(1)} %`);
}
