import { accuracy } from './accuracy';
import { bootstrapCi } from './bootstrap-ci';
import { brierScore } from './brier-score';
import { expectedCalibrationError } from './calibration';
import { cohenKappa } from './cohen-kappa';
import { confusionMatrix } from './confusion-matrix';
import { matthewsCorrelation } from './matthews-correlation';
import { averagePrecision, precisionRecallCurve } from './precision-recall-curve';
import { precisionRecallF1 } from './precision-recall-f1';
import { rocAuc, rocCurve } from './roc-curve';
import type { BinaryEvaluation, BinaryEvaluationOptions, BinaryMetricName } from './binary-evaluation-types';
import type { BootstrapInterval, BootstrapSample, Label } from './types';

/**
 * Every number a fracture report shows for one model on one test set, each with a percentile
 * bootstrap interval: accuracy, precision, recall (sensitivity), specificity and F1 of the positive
 * class, ROC AUC, Cohen's kappa, Matthews correlation, balanced error measures, plus the confusion
 * matrix and the ROC and precision-recall curves to plot.
 *
 * With `groups` (source radiograph ids) the bootstrap resamples whole radiographs, which is the
 * honest interval when a test set holds several rotated copies of one image.
 */
export function evaluateBinaryClassifier(options: BinaryEvaluationOptions): BinaryEvaluation {
  const fn = 'evaluateBinaryClassifier';
  const { labels, probabilities } = options;
  if (!Array.isArray(labels) || labels.length === 0) throw new Error(`${fn}: labels is empty`);
  if (!Array.isArray(probabilities) || probabilities.length !== labels.length) {
    throw new Error(`${fn}: expected one probability row per label (${labels.length}), got ${probabilities?.length}`);
  }
  const classes: Label[] = options.classes ? [...options.classes] : [0, 1];
  if (classes.length !== 2) throw new Error(`${fn}: expected exactly two classes, got ${classes.length}`);
  const positive = options.positiveLabel ?? classes[0];
  const positiveIndex = classes.indexOf(positive);
  if (positiveIndex < 0) throw new Error(`${fn}: positiveLabel ${String(positive)} is not one of the classes ${JSON.stringify(classes)}`);
  const negative = classes[1 - positiveIndex];
  const threshold = options.threshold ?? 0.5;

  const oneDimensional = typeof probabilities[0] === 'number';
  const scores = (probabilities as readonly (number | readonly number[])[]).map((row, i) => {
    if (oneDimensional) {
      if (typeof row !== 'number') throw new Error(`${fn}: probabilities mixes scores and rows; probabilities[${i}] is not a number`);
      if (!Number.isFinite(row)) throw new Error(`${fn}: probabilities[${i}] must be a finite score, got ${row}`);
      return row;
    }
    if (!Array.isArray(row) || row.length !== 2) throw new Error(`${fn}: probabilities[${i}] must hold two values`);
    return row[positiveIndex] as number;
  });
  const predict = (s: readonly number[]) => s.map((p) => (p >= threshold ? positive : negative));
  const predictions = predict(scores);

  const positiveClassMetrics = (y: readonly Label[], s: readonly number[]) =>
    precisionRecallF1(y, predict(s), { labels: classes }).perClass[positiveIndex];
  const metricFns: Record<BinaryMetricName, (y: readonly Label[], s: readonly number[]) => number> = {
    accuracy: (y, s) => accuracy(y, predict(s), { labels: classes }),
    precision: (y, s) => positiveClassMetrics(y, s).precision,
    recall: (y, s) => positiveClassMetrics(y, s).recall,
    specificity: (y, s) => positiveClassMetrics(y, s).specificity,
    f1: (y, s) => positiveClassMetrics(y, s).f1,
    auc: (y, s) => rocAuc(y, s, { positiveLabel: positive }),
    kappa: (y, s) => cohenKappa(y, predict(s), { labels: classes }),
    mcc: (y, s) => matthewsCorrelation(y, predict(s), { labels: classes }),
  };

  const nBoot = options.nBoot ?? 1000;
  const seed = options.seed ?? 0;
  const intervals = {} as Record<BinaryMetricName, BootstrapInterval>;
  // One set of resamples shared by every metric would be cheaper, but bootstrapCi draws per call;
  // the same seed keeps the draws identical across metrics, so intervals stay comparable.
  for (const name of Object.keys(metricFns) as BinaryMetricName[]) {
    intervals[name] = bootstrapCi<number>((sample: BootstrapSample<number>) => metricFns[name](sample.labels, sample.scores!), {
      labels,
      scores,
      groups: options.groups,
      nBoot,
      alpha: options.alpha ?? 0.05,
      seed,
    });
  }

  return {
    n: labels.length,
    classes,
    positiveLabel: positive,
    threshold,
    metrics: intervals,
    brier: brierScore(labels, scores, { positiveLabel: positive }),
    ece: expectedCalibrationError(labels, scores, { positiveLabel: positive }).ece,
    averagePrecision: averagePrecision(labels, scores, { positiveLabel: positive }),
    confusion: confusionMatrix(labels, predictions, { labels: classes }),
    roc: rocCurve(labels, scores, { positiveLabel: positive }),
    precisionRecall: precisionRecallCurve(labels, scores, { positiveLabel: positive }),
    groupedBootstrap: options.groups !== undefined,
  };
}
