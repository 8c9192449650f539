import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRng } from '@fracture/preprocess';
import { randomGamma, runExperiment, sensitivityAtSpecificity } from './custom-stage.mjs';

test('the custom metric matches a hand-computed case', () => {
  // Positive label 1. Scores of positives: 0.9, 0.8, 0.3; negatives: 0.7, 0.2, 0.1.
  // Specificity 1 allows no false positive: the threshold stops above 0.7, sensitivity 2/3.
  // Specificity 2/3 allows one (0.7): the threshold can drop to 0.3, sensitivity 1.
  const labels = [1, 1, 1, 0, 0, 0];
  const scores = [0.9, 0.8, 0.3, 0.7, 0.2, 0.1];
  assert.equal(sensitivityAtSpecificity(labels, scores, 1, 1), 2 / 3);
  assert.equal(sensitivityAtSpecificity(labels, scores, 0.9, 1), 2 / 3);
  assert.equal(sensitivityAtSpecificity(labels, scores, 2 / 3, 1), 1);
  assert.equal(sensitivityAtSpecificity(labels, scores, 0, 1), 1);
});

test('the custom augmentation is seeded and leak-free', async () => {
  await tf.setBackend('cpu');
  const x = tf.fill([8, 8, 1], 0.25);
  const before = tf.memory().numTensors;
  const a = randomGamma(2)(x, createRng(4));
  const b = randomGamma(2)(x, createRng(4));
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  tf.dispose([a, b]);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('the experiment runs end to end and learns the synthetic task', { timeout: 240_000 }, async () => {
  const result = await runExperiment({ images: 240, epochs: 3, size: 32 });
  assert.ok(result.testImages > 0);
  assert.ok(result.auc > 0.5, `AUC ${result.auc} should beat chance`);
  assert.ok(result.sensitivityAt95Specificity >= 0 && result.sensitivityAt95Specificity <= 1);
});
