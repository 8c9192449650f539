import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel, saveModel } from '@fracture/models';
import { encodePng, generateSyntheticRadiographs } from '@fracture/preprocess';
import { classify } from './classify.mjs';

test('classifies a synthetic X-ray with a saved model folder', async () => {
  await tf.setBackend('cpu');
  const dir = await mkdtemp(join(tmpdir(), 'node-app-'));
  try {
    const model = createModel('cnn', { inputSize: 32, channels: 1 });
    await saveModel(model, dir);
    model.dispose();
    await writeFile(join(dir, 'fracture-model.json'), JSON.stringify({ inputSize: 32, channels: 1, mean: [0.5], std: [0.25] }));
    const [sample] = generateSyntheticRadiographs({ count: 1, size: 48, seed: 1 });
    const file = join(dir, 'x.png');
    await writeFile(file, encodePng(sample.image));
    const before = tf.memory().numTensors;
    const [result] = await classify(dir, [file]);
    assert.equal(tf.memory().numTensors, before);
    assert.ok(['fractured', 'not fractured'].includes(result.predictedClass));
    assert.ok(result.probability >= 0.5 && result.probability <= 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
