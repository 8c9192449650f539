import { thresholdCounts } from './binary-clf-curve';
import { assertLabels, assertSameLength, assertScoreMatrix, isScoreMatrix } from './input-validation';
import { encodeLabels, resolveMatrixLabels } from './label-encoding';
import type { Label, LabelOrderOptions, OneVsRestRoc, RocAucOptions, RocCurve, RocCurveOptions } from './types';

const SINGLE_CLASS = 'only one class present in yTrue; ROC AUC is not defined in that case';

/**
 * Receiver operating characteristic from scores, with the points of scikit-learn's `roc_curve`:
 * tied scores form one point, collinear intermediate points are dropped (unless
 * `dropIntermediate: false`), and a first point (0, 0) at threshold `Infinity` is added.
 * `scores` are the positive-class probabilities (or any score that grows with it).
 *
 * @example rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).tpr // [0, 0.5, 0.5, 1, 1]
 */
export function rocCurve(yTrue: readonly Label[], scores: readonly number[], options: RocCurveOptions = {}): RocCurve {
  return rocCurveImpl('rocCurve', yTrue, scores, options);
}

function rocCurveImpl(fn: string, yTrue: readonly Label[], scores: readonly number[], options: RocCurveOptions): RocCurve {
  let { fps, tps, thresholds, positives, negatives } = thresholdCounts(fn, yTrue, scores, options.positiveLabel);
  if (positives === 0 || negatives === 0) {
    throw new Error(`${fn}: ${SINGLE_CLASS} (${positives === 0 ? 'no positive' : 'no negative'} samples)`);
  }
  if ((options.dropIntermediate ?? true) && fps.length > 2) {
    // Keep a point when the second difference of fps or tps is non-zero (a corner), plus both ends.
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      if (fps[i + 1] - 2 * fps[i] + fps[i - 1] !== 0 || tps[i + 1] - 2 * tps[i] + tps[i - 1] !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    fps = keep.map((i) => fps[i]);
    tps = keep.map((i) => tps[i]);
    thresholds = keep.map((i) => thresholds[i]);
  }
  return {
    fpr: [0, ...fps.map((f) => f / negatives)],
    tpr: [0, ...tps.map((t) => t / positives)],
    thresholds: [Infinity, ...thresholds],
  };
}

/** Area under a curve by the trapezoidal rule (`x` must be monotonic), as scikit-learn's `auc`. */
export function trapezoidArea(x: readonly number[], y: readonly number[]): number {
  assertSameLength('trapezoidArea', 'x', x, 'y', y);
  if (x.length < 2) throw new Error(`trapezoidArea: at least 2 points are needed, got ${x.length}`);
  let increasing = true;
  let decreasing = true;
  for (let i = 1; i < x.length; i++) {
    if (x[i] < x[i - 1]) increasing = false;
    if (x[i] > x[i - 1]) decreasing = false;
  }
  if (!increasing && !decreasing) throw new Error('trapezoidArea: x is neither increasing nor decreasing');
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return increasing ? area : -area;
}

function ovr(fn: string, yTrue: readonly Label[], scores: readonly (readonly number[])[], options: LabelOrderOptions & { checkSum?: boolean }): OneVsRestRoc[] {
  assertLabels(fn, 'yTrue', yTrue);
  const labels = resolveMatrixLabels(fn, options.labels, yTrue, Array.isArray(scores[0]) ? scores[0].length : 0);
  assertScoreMatrix(fn, 'scores', scores, labels.length);
  assertSameLength(fn, 'yTrue', yTrue, 'scores', scores);
  const encoded = encodeLabels(fn, 'yTrue', yTrue, labels);
  if (options.checkSum) {
    scores.forEach((row, i) => {
      const s = row.reduce((a, b) => a + b, 0);
      // numpy.allclose(1, s): the tolerance scikit-learn applies.
      if (Math.abs(1 - s) > 1e-8 + 1e-5 * Math.abs(s)) {
        throw new Error(`${fn}: scores[${i}] sums to ${s}; multi-class ROC AUC needs probabilities that sum to 1`);
      }
    });
  }
  return labels.map((label, c) => {
    const isClass = Array.from(encoded, (k) => (k === c ? 1 : 0));
    const column = scores.map((row) => row[c]);
    const support = isClass.reduce((a: number, b) => a + b, 0);
    if (support === 0 || support === yTrue.length) {
      throw new Error(`${fn}: class ${JSON.stringify(label)} ${support === 0 ? 'has no samples' : 'is the only class'}; ${SINGLE_CLASS}`);
    }
    const curve = rocCurveImpl(fn, isClass, column, { positiveLabel: 1 });
    return { label, curve, auc: trapezoidArea(curve.fpr, curve.tpr), support };
  });
}

/**
 * One ROC curve per class, that class against all others on its own probability column, as the
 * study plotted them. `scores[i][c]` is the probability of `labels[c]` for sample i.
 */
export function oneVsRestRoc(yTrue: readonly Label[], scores: readonly (readonly number[])[], options: LabelOrderOptions = {}): OneVsRestRoc[] {
  return ovr('oneVsRestRoc', yTrue, scores, options);
}

/**
 * Area under the ROC curve, as scikit-learn's `roc_auc_score`. Binary: `scores` are positive-class
 * scores. Multi-class: `scores` is a matrix of probabilities (rows sum to 1) and the result is the
 * macro (or support-weighted) mean of the one-vs-rest AUCs (`multi_class='ovr'`).
 * Throws when only one class is present, where AUC is not defined.
 */
export function rocAuc(yTrue: readonly Label[], scores: readonly number[] | readonly (readonly number[])[], options: RocAucOptions = {}): number {
  const fn = 'rocAuc';
  if (!Array.isArray(scores) || scores.length === 0) {
    throw new Error(`${fn}: scores is empty`);
  }
  if (isScoreMatrix(scores)) {
    const average = options.average ?? 'macro';
    if (average !== 'macro' && average !== 'weighted') throw new Error(`${fn}: average must be 'macro' or 'weighted', got ${String(average)}`);
    const curves = ovr(fn, yTrue, scores, { labels: options.labels, checkSum: true });
    if (average === 'macro') return curves.reduce((a, c) => a + c.auc, 0) / curves.length;
    const total = curves.reduce((a, c) => a + c.support, 0);
    return curves.reduce((a, c) => a + c.auc * c.support, 0) / total;
  }
  const curve = rocCurveImpl(fn, yTrue, scores as readonly number[], { positiveLabel: options.positiveLabel });
  return trapezoidArea(curve.fpr, curve.tpr);
}
