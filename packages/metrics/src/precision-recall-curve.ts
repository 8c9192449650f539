import { thresholdCounts } from './binary-clf-curve';
import { assertLabels, assertSameLength, assertScoreMatrix, isScoreMatrix } from './input-validation';
import { encodeLabels, resolveMatrixLabels } from './label-encoding';
import type { Label, LabelOrderOptions, PositiveLabelOptions, PrecisionRecallCurve } from './types';

function curveImpl(fn: string, yTrue: readonly Label[], scores: readonly number[], options: PositiveLabelOptions): PrecisionRecallCurve {
  const { fps, tps, thresholds, positives } = thresholdCounts(fn, yTrue, scores, options.positiveLabel);
  if (positives === 0) {
    // scikit-learn warns and sets recall to 1; a curve without positives answers nothing useful.
    throw new Error(`${fn}: no positive samples in yTrue, so recall is undefined`);
  }
  const n = tps.length;
  const precision: number[] = [];
  const recall: number[] = [];
  const ordered: number[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const predicted = tps[i] + fps[i];
    precision.push(predicted === 0 ? 0 : tps[i] / predicted);
    recall.push(tps[i] / positives);
    ordered.push(thresholds[i]);
  }
  precision.push(1);
  recall.push(0);
  return { precision, recall, thresholds: ordered };
}

/**
 * Precision and recall at every distinct score threshold, as scikit-learn's `precision_recall_curve`
 * (thresholds increasing, recall decreasing, ending at recall 0 / precision 1).
 */
export function precisionRecallCurve(yTrue: readonly Label[], scores: readonly number[], options: PositiveLabelOptions = {}): PrecisionRecallCurve {
  return curveImpl('precisionRecallCurve', yTrue, scores, options);
}

/**
 * Average precision as scikit-learn's `average_precision_score`: the step-function sum
 * Σ (R_n − R_{n−1}) P_n over thresholds, without interpolation. With a probability matrix, the
 * macro (default) or support-weighted mean of the one-vs-rest values, as scikit-learn computes it on
 * one-hot labels (`label_binarize`).
 */
export function averagePrecision(
  yTrue: readonly Label[],
  scores: readonly number[] | readonly (readonly number[])[],
  options: PositiveLabelOptions & LabelOrderOptions & { average?: 'macro' | 'weighted' } = {},
): number {
  const fn = 'averagePrecision';
  if (!Array.isArray(scores) || scores.length === 0) throw new Error(`${fn}: scores is empty`);
  if (isScoreMatrix(scores)) {
    const average = options.average ?? 'macro';
    if (average !== 'macro' && average !== 'weighted') throw new Error(`${fn}: average must be 'macro' or 'weighted', got ${String(average)}`);
    assertLabels(fn, 'yTrue', yTrue);
    const labels = resolveMatrixLabels(fn, options.labels, yTrue, Array.isArray(scores[0]) ? scores[0].length : 0);
    assertScoreMatrix(fn, 'scores', scores, labels.length);
    assertSameLength(fn, 'yTrue', yTrue, 'scores', scores);
    const encoded = encodeLabels(fn, 'yTrue', yTrue, labels);
    let sum = 0;
    let weightSum = 0;
    labels.forEach((label, c) => {
      const isClass = Array.from(encoded, (k) => (k === c ? 1 : 0));
      const support = isClass.reduce((a: number, b) => a + b, 0);
      if (support === 0) throw new Error(`${fn}: class ${JSON.stringify(label)} has no samples, so its recall is undefined`);
      const ap = stepSum(curveImpl(fn, isClass, scores.map((row) => row[c]), { positiveLabel: 1 }));
      const w = average === 'macro' ? 1 : support;
      sum += w * ap;
      weightSum += w;
    });
    return sum / weightSum;
  }
  return stepSum(curveImpl(fn, yTrue, scores as readonly number[], options));
}

function stepSum({ precision, recall }: PrecisionRecallCurve): number {
  let sum = 0;
  for (let i = 0; i < recall.length - 1; i++) sum += (recall[i + 1] - recall[i]) * precision[i];
  return -sum;
}
