import { countConfusion } from './confusion-matrix';
import type { AveragedMetrics, ClassMetrics, ConfusionMatrix, Label, LabelOrderOptions, PrecisionRecallF1 } from './types';

// A zero denominator gives 0, as scikit-learn's default zero_division='warn' does after warning.
function ratio(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

// The same expression as scikit-learn, so results agree to the last bits.
function fScore(precision: number, recall: number): number {
  const den = precision + recall;
  return (2 * precision * recall) / (den === 0 ? 1 : den);
}

/** Per-class and averaged metrics from a confusion matrix. */
export function metricsFromConfusion(cm: ConfusionMatrix): PrecisionRecallF1 {
  const { labels, matrix } = cm;
  const k = labels.length;
  let total = 0;
  const tp: number[] = [];
  const predSum = new Array<number>(k).fill(0);
  const trueSum: number[] = [];
  for (let i = 0; i < k; i++) {
    tp.push(matrix[i][i]);
    trueSum.push(matrix[i].reduce((a, b) => a + b, 0));
    for (let j = 0; j < k; j++) predSum[j] += matrix[i][j];
    total += trueSum[i];
  }
  const perClass: ClassMetrics[] = labels.map((label, i) => {
    const precision = ratio(tp[i], predSum[i]);
    const recall = ratio(tp[i], trueSum[i]);
    const fp = predSum[i] - tp[i];
    const tn = total - trueSum[i] - fp;
    return { label, precision, recall, f1: fScore(precision, recall), specificity: ratio(tn, tn + fp), support: trueSum[i] };
  });

  const keys = ['precision', 'recall', 'f1', 'specificity'] as const;
  const macro = { support: total } as AveragedMetrics;
  const weighted = { support: total } as AveragedMetrics;
  for (const key of keys) {
    let m = 0;
    let w = 0;
    for (const c of perClass) {
      m += c[key];
      w += c[key] * c.support;
    }
    macro[key] = m / k;
    weighted[key] = ratio(w, total);
  }

  const tpSum = tp.reduce((a, b) => a + b, 0);
  const microPrecision = ratio(tpSum, predSum.reduce((a, b) => a + b, 0));
  const microRecall = ratio(tpSum, total);
  // Micro specificity pools the TN and FP counts of the one-vs-rest problems.
  let tnSum = 0;
  let fpSum = 0;
  for (let i = 0; i < k; i++) {
    const fp = predSum[i] - tp[i];
    fpSum += fp;
    tnSum += total - trueSum[i] - fp;
  }
  const micro: AveragedMetrics = {
    precision: microPrecision,
    recall: microRecall,
    f1: fScore(microPrecision, microRecall),
    specificity: ratio(tnSum, tnSum + fpSum),
    support: total,
  };
  return { labels, perClass, macro, weighted, micro };
}

/**
 * Precision, recall, F1, specificity and support per class, with macro, support-weighted and micro
 * averages: scikit-learn's `precision_recall_fscore_support` for `average` None, 'macro', 'weighted'
 * and 'micro', plus specificity. Undefined ratios (no predictions or no samples of a class) are 0.
 */
export function precisionRecallF1(yTrue: readonly Label[], yPred: readonly Label[], options: LabelOrderOptions = {}): PrecisionRecallF1 {
  return metricsFromConfusion(countConfusion('precisionRecallF1', yTrue, yPred, options));
}
