import '@tensorflow/tfjs-backend-wasm';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { rocAuc } from '@fracture/metrics';
import { decodeImageAsync, parseSplitManifest } from '@fracture/preprocess';
import { loadPretrainedModel } from '../src/node';
import { getModelCard, PRETRAINED_MODEL_NAMES } from '../src/registry';

const FRACATLAS = path.resolve(__dirname, '../../../../shared/data/fracatlas');
const slow = process.env.FRACTURE_SLOW_TESTS === '1' && existsSync(path.join(FRACATLAS, 'images'));
if (!slow) console.warn('skipping the full test-split check of the card (FRACTURE_SLOW_TESTS=1 and ../shared/data/fracatlas run it; about a minute)');

/** The card's test numbers, recomputed from the shipped weights on the committed split. */
(slow ? describe : describe.skip)('the model card reproduces', () => {
  test.each(PRETRAINED_MODEL_NAMES)('%s: AUC, sensitivity and specificity on the test part', async (name) => {
    // wasm: the cpu backend needs tens of minutes for 625 MobileNetV2 passes.
    await tf.setBackend('wasm');
    const card = getModelCard(name);
    const split = parseSplitManifest(readFileSync(path.join(__dirname, 'fracatlas-split.csv'), 'utf8'), FRACATLAS);
    const model = await loadPretrainedModel(name);
    const labels: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < split.test.length; i += 16) {
      const items = split.test.slice(i, i + 16);
      const predictions = model.predict(await Promise.all(items.map((item) => decodeImageAsync(readFileSync(item.path), { path: item.path }))));
      items.forEach((item, k) => {
        labels.push(item.label);
        scores.push(predictions[k].probability);
      });
    }
    model.dispose();
    const positive = card.classNames.indexOf(card.positiveClass);
    const rate = (label: number, hit: (s: number) => boolean) => {
      const mine = scores.filter((_, i) => labels[i] === label);
      return mine.filter(hit).length / mine.length;
    };
    expect(labels.length).toBe(card.metrics.test.n);
    expect(rocAuc(labels, scores, { positiveLabel: positive })).toBeCloseTo(card.metrics.test.auc.estimate, 3);
    expect(rate(positive, (s) => s >= card.threshold.value)).toBeCloseTo(card.metrics.test.sensitivity.estimate, 2);
    expect(rate(1 - positive, (s) => s < card.threshold.value)).toBeCloseTo(card.metrics.test.specificity.estimate, 2);
  });
});
