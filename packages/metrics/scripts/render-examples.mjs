// Renders the example charts linked from the README into docs/. Run `npm run render-examples`
// (it builds first, as this script imports the built package).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  averagePrecision,
  confusionMatrix,
  expectedCalibrationError,
  plotConfusionMatrixPng,
  plotPrecisionRecallPng,
  plotReliabilityPng,
  plotRocPng,
  precisionRecallCurve,
  rocAuc,
  rocCurve,
} from '../dist/node.js';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');
mkdirSync(docs, { recursive: true });

// Seeded synthetic test set: 0 = fractured (positive), 1 = not fractured; three models of different skill.
let state = 20240607;
function uniform() {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
const n = 400;
const labels = Array.from({ length: n }, () => (uniform() < 0.45 ? 0 : 1));
const models = [
  { name: 'ResNet18', separation: 3.2, temperature: 1.6 },
  { name: 'EfficientNet-B3', separation: 2.6, temperature: 1.0 },
  { name: 'MobileNetV2', separation: 1.2, temperature: 0.6 },
];
// Probability of "fractured" from a logistic of a noisy logit; temperature < 1 makes a model over-confident.
const scores = models.map((m) =>
  labels.map((y) => 1 / (1 + Math.exp(-((y === 0 ? m.separation / 2 : -m.separation / 2) + normal()) / m.temperature))),
);

const roc = models.map((m, i) => ({ name: m.name, ...rocCurve(labels, scores[i], { positiveLabel: 0 }), auc: rocAuc(labels, scores[i], { positiveLabel: 0 }) }));
writeFileSync(join(docs, 'roc.png'), plotRocPng(roc, { title: 'ROC, fractured vs not fractured (synthetic)' }));

const pr = models.map((m, i) => ({
  name: m.name,
  ...precisionRecallCurve(labels, scores[i], { positiveLabel: 0 }),
  averagePrecision: averagePrecision(labels, scores[i], { positiveLabel: 0 }),
}));
const prevalence = labels.filter((y) => y === 0).length / n;
writeFileSync(join(docs, 'precision-recall.png'), plotPrecisionRecallPng(pr, { title: 'Precision-recall, fractured positive (synthetic)', prevalence }));

const predicted = scores[1].map((s) => (s >= 0.5 ? 0 : 1));
const cm = confusionMatrix(labels, predicted, { labels: [0, 1] });
writeFileSync(join(docs, 'confusion-matrix.png'), plotConfusionMatrixPng(cm, { title: 'EfficientNet-B3 (synthetic)', classNames: ['fractured', 'not fractured'] }));

const reliability = models.map((m, i) => {
  const { bins, ece } = expectedCalibrationError(labels, scores[i], { positiveLabel: 0, nBins: 10 });
  return { name: m.name, bins, ece };
});
writeFileSync(join(docs, 'reliability.png'), plotReliabilityPng(reliability, { title: 'Reliability, P(fractured) (synthetic)' }));
console.log(`wrote roc.png, precision-recall.png, confusion-matrix.png, reliability.png to ${docs}`);
