// Compares every closed-form metric with scikit-learn's output on seeded random cases
// (ties, 95/5 imbalance, perfect separation, all-equal scores, three classes, string labels).
// The reference is committed; scripts/make-sklearn-fixtures.py regenerates it with /usr/bin/python3.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  accuracy,
  averagePrecision,
  balancedAccuracy,
  brierScore,
  classificationReport,
  cohenKappa,
  confusionMatrix,
  matthewsCorrelation,
  oneVsRestRoc,
  precisionRecallCurve,
  precisionRecallF1,
  reliabilityBins,
  rocAuc,
  rocCurve,
} from '../src/index';

const FIXTURE = join(__dirname, 'fixtures', 'sklearn-reference.json');
const reference = JSON.parse(readFileSync(FIXTURE, 'utf8'));
const TOL = 1e-12;

function expectAllClose(actual: readonly number[], expected: readonly number[], tol = TOL): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => {
    if (Math.abs(v - expected[i]) > tol) throw new Error(`index ${i}: got ${v}, expected ${expected[i]} (|diff| > ${tol})`);
  });
}

function expectClose(actual: number, expected: number, tol = TOL): void {
  if (!(Math.abs(actual - expected) <= tol)) throw new Error(`got ${actual}, expected ${expected}`);
}

// scikit-learn 1.2 starts the thresholds at max(score) + 1; we start at Infinity (as sklearn >= 1.3).
function expectRoc(actual: { fpr: number[]; tpr: number[]; thresholds: number[] }, expected: { fpr: number[]; tpr: number[]; thresholds: number[] }): void {
  expectAllClose(actual.fpr, expected.fpr);
  expectAllClose(actual.tpr, expected.tpr);
  expect(actual.thresholds[0]).toBe(Infinity);
  expect(expected.thresholds[0]).toBeCloseTo(expected.thresholds[1] + 1, 12);
  expect(actual.thresholds.slice(1)).toEqual(expected.thresholds.slice(1));
}

interface LabelRef {
  confusion_matrix: number[][];
  confusion_matrix_reversed: number[][];
  accuracy: number;
  balanced_accuracy: number;
  matthews: number;
  kappa: Record<'none' | 'linear' | 'quadratic', number>;
  prfs: Record<'none' | 'macro' | 'weighted' | 'micro', { precision: number[] | number; recall: number[] | number; f1: number[] | number; support: number[] | null }>;
  report_text: string;
  report_text_digits4: string;
  report_dict: Record<string, unknown>;
}

function checkLabelMetrics(yTrue: number[], yPred: number[], labels: number[], ref: LabelRef, targetNames?: string[]): void {
  expect(confusionMatrix(yTrue, yPred, { labels }).matrix).toEqual(ref.confusion_matrix);
  expect(confusionMatrix(yTrue, yPred, { labels: [...labels].reverse() }).matrix).toEqual(ref.confusion_matrix_reversed);
  expectClose(accuracy(yTrue, yPred), ref.accuracy);
  expectClose(balancedAccuracy(yTrue, yPred), ref.balanced_accuracy);
  expectClose(matthewsCorrelation(yTrue, yPred), ref.matthews);
  expectClose(cohenKappa(yTrue, yPred, { labels }), ref.kappa.none);
  expectClose(cohenKappa(yTrue, yPred, { labels, weights: 'linear' }), ref.kappa.linear);
  expectClose(cohenKappa(yTrue, yPred, { labels, weights: 'quadratic' }), ref.kappa.quadratic);

  const m = precisionRecallF1(yTrue, yPred, { labels });
  expectAllClose(m.perClass.map((c) => c.precision), ref.prfs.none.precision as number[]);
  expectAllClose(m.perClass.map((c) => c.recall), ref.prfs.none.recall as number[]);
  expectAllClose(m.perClass.map((c) => c.f1), ref.prfs.none.f1 as number[]);
  expect(m.perClass.map((c) => c.support)).toEqual(ref.prfs.none.support);
  for (const avg of ['macro', 'weighted', 'micro'] as const) {
    expectClose(m[avg].precision, ref.prfs[avg].precision as number);
    expectClose(m[avg].recall, ref.prfs[avg].recall as number);
    expectClose(m[avg].f1, ref.prfs[avg].f1 as number);
  }

  const report = classificationReport(yTrue, yPred, { labels, targetNames });
  expect(report.text).toBe(ref.report_text);
  expect(classificationReport(yTrue, yPred, { labels, digits: 4 }).text).toBe(ref.report_text_digits4);
  // The fixture is written with sorted keys, so compare key sets.
  expect(Object.keys(report.dict).sort()).toEqual(Object.keys(ref.report_dict).sort());
  for (const [key, value] of Object.entries(ref.report_dict)) {
    if (typeof value === 'number') expectClose(report.dict[key] as number, value);
    else for (const [k, v] of Object.entries(value as Record<string, number>)) expectClose((report.dict[key] as unknown as Record<string, number>)[k], v);
  }
}

describe(`scikit-learn ${reference.sklearn_version} reference, binary cases`, () => {
  for (const c of reference.binary) {
    describe(c.name, () => {
      test('confusion matrix, accuracy, balanced accuracy, MCC, kappa, precision/recall/F1 and report', () => {
        checkLabelMetrics(c.y_true, c.y_pred, [0, 1], c.labels);
      });

      test('Brier score and calibration bins (5 and 10)', () => {
        expectClose(brierScore(c.y_true, c.scores), c.brier);
        for (const nBins of [5, 10]) {
          const bins = reliabilityBins(c.y_true, c.scores, { nBins }).filter((b) => b.count > 0);
          expectAllClose(bins.map((b) => b.fractionPositive), c.calibration[nBins].prob_true);
          expectAllClose(bins.map((b) => b.meanPredicted), c.calibration[nBins].prob_pred);
        }
      });

      if (c.roc) {
        test('ROC curve (dropped intermediates, all points, positive class 0) and AUC', () => {
          expectRoc(rocCurve(c.y_true, c.scores), c.roc);
          expectRoc(rocCurve(c.y_true, c.scores, { dropIntermediate: false }), c.roc_all);
          const negated = c.scores.map((s: number) => 1 - s);
          expectRoc(rocCurve(c.y_true, negated, { positiveLabel: 0 }), c.roc_pos0);
          expectClose(rocAuc(c.y_true, c.scores), c.roc_auc);
          expectClose(rocAuc(c.y_true, negated, { positiveLabel: 0 }), c.roc_pos0.auc);
        });

        test('precision-recall curve and average precision', () => {
          const pr = precisionRecallCurve(c.y_true, c.scores);
          expectAllClose(pr.precision, c.pr.precision);
          expectAllClose(pr.recall, c.pr.recall);
          expectAllClose(pr.thresholds, c.pr.thresholds);
          expectClose(averagePrecision(c.y_true, c.scores), c.average_precision);
          expectClose(averagePrecision(c.y_true, c.scores.map((s: number) => 1 - s), { positiveLabel: 0 }), c.average_precision_pos0);
        });
      }
    });
  }
});

describe(`scikit-learn ${reference.sklearn_version} reference, three classes`, () => {
  for (const c of reference.multiclass) {
    describe(c.name, () => {
      test('label metrics and classification report', () => {
        checkLabelMetrics(c.y_true, c.y_pred, [0, 1, 2], c.labels, c.target_names ?? undefined);
      });

      test('one-vs-rest ROC curves and macro / weighted AUC', () => {
        const curves = oneVsRestRoc(c.y_true, c.probs);
        curves.forEach((curve, k) => {
          expectRoc(curve.curve, c.ovr[k]);
          expectClose(curve.auc, c.ovr[k].auc);
        });
        expectClose(rocAuc(c.y_true, c.probs), c.roc_auc_macro);
        expectClose(rocAuc(c.y_true, c.probs, { average: 'weighted' }), c.roc_auc_weighted);
      });

      test('one-vs-rest average precision, macro and weighted', () => {
        expectClose(averagePrecision(c.y_true, c.probs), c.average_precision_macro);
        expectClose(averagePrecision(c.y_true, c.probs, { average: 'weighted' }), c.average_precision_weighted);
      });

      test('top-label reliability bins', () => {
        const bins = reliabilityBins(c.y_true, c.probs).filter((b) => b.count > 0);
        expectAllClose(bins.map((b) => b.fractionPositive), c.top_label_calibration.prob_true);
        expectAllClose(bins.map((b) => b.meanPredicted), c.top_label_calibration.prob_pred);
      });
    });
  }
});

describe(`scikit-learn ${reference.sklearn_version} reference, other cases`, () => {
  test('ordinal five-class Cohen kappa: unweighted, linear, quadratic', () => {
    const { a, b, kappa } = reference.ordinal;
    expectClose(cohenKappa(a, b), kappa.none);
    expectClose(cohenKappa(a, b, { weights: 'linear' }), kappa.linear);
    expectClose(cohenKappa(a, b, { weights: 'quadratic' }), kappa.quadratic);
  });

  test('string labels in an explicit order: confusion matrix and report text', () => {
    const s = reference.strings;
    expect(confusionMatrix(s.y_true, s.y_pred, { labels: s.labels }).matrix).toEqual(s.confusion_matrix);
    expect(classificationReport(s.y_true, s.y_pred, { labels: s.labels }).text).toBe(s.report_text);
  });
});

const python = '/usr/bin/python3';
const hasSklearn = spawnSync(python, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0;
if (!hasSklearn) console.log(`sklearn-reference: ${python} with scikit-learn not found; skipping the check that the committed fixture is current`);
(hasSklearn ? test : test.skip)('the committed fixture is what scripts/make-sklearn-fixtures.py produces now', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fracture-metrics-'));
  try {
    const out = join(dir, 'reference.json');
    execFileSync(python, [join(__dirname, '..', 'scripts', 'make-sklearn-fixtures.py'), out], { stdio: 'pipe' });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(reference);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
