import { evaluateBinaryClassifier } from './binary-evaluation';

// Positive class 0 (fractured). Hand counts at threshold 0.5: TP 2, FN 1, FP 1, TN 2.
const labels = [0, 0, 0, 1, 1, 1];
const p0 = [0.9, 0.8, 0.4, 0.3, 0.6, 0.1];
const probabilities = p0.map((p) => [p, 1 - p]);

describe('evaluateBinaryClassifier', () => {
  test('point estimates equal the hand-computed values', () => {
    const r = evaluateBinaryClassifier({ labels, probabilities, nBoot: 200, seed: 3 });
    expect(r.positiveLabel).toBe(0);
    expect(r.metrics.accuracy.estimate).toBeCloseTo(4 / 6, 12);
    expect(r.metrics.precision.estimate).toBeCloseTo(2 / 3, 12);
    expect(r.metrics.recall.estimate).toBeCloseTo(2 / 3, 12);
    expect(r.metrics.specificity.estimate).toBeCloseTo(2 / 3, 12);
    expect(r.metrics.f1.estimate).toBeCloseTo(2 / 3, 12);
    // 8 of the 9 (positive, negative) pairs are ordered correctly.
    expect(r.metrics.auc.estimate).toBeCloseTo(8 / 9, 12);
    // po = 2/3, pe = 1/2.
    expect(r.metrics.kappa.estimate).toBeCloseTo(1 / 3, 12);
    // (TP*TN - FP*FN) / sqrt(3^4)
    expect(r.metrics.mcc.estimate).toBeCloseTo(1 / 3, 12);
    expect(r.brier).toBeCloseTo(0.87 / 6, 12);
    expect(r.confusion.matrix).toEqual([
      [2, 1],
      [1, 2],
    ]);
  });

  test('intervals bracket the estimate and are reproducible by seed', () => {
    const a = evaluateBinaryClassifier({ labels, probabilities, nBoot: 300, seed: 11 });
    const b = evaluateBinaryClassifier({ labels, probabilities, nBoot: 300, seed: 11 });
    for (const m of Object.values(a.metrics)) {
      expect(m.lower).toBeLessThanOrEqual(m.estimate + 1e-12);
      expect(m.upper).toBeGreaterThanOrEqual(m.estimate - 1e-12);
    }
    expect(a.metrics.auc).toEqual(b.metrics.auc);
  });

  test('grouped bootstrap is flagged and leaves the point estimate unchanged', () => {
    const r = evaluateBinaryClassifier({ labels, probabilities, groups: ['a', 'a', 'b', 'c', 'c', 'd'], nBoot: 100, seed: 1 });
    expect(r.groupedBootstrap).toBe(true);
    expect(r.metrics.accuracy.estimate).toBeCloseTo(4 / 6, 12);
  });

  test('1-D scores of the positive class give the same evaluation as [N][2] rows, as rocAuc takes them', () => {
    const fromRows = evaluateBinaryClassifier({ labels, probabilities, nBoot: 200, seed: 3 });
    const fromScores = evaluateBinaryClassifier({ labels, probabilities: p0, nBoot: 200, seed: 3 });
    expect(fromScores).toEqual(fromRows);
    expect(fromScores.metrics.auc.estimate).toBeCloseTo(8 / 9, 12);
    // With positive class 1, a 1-D score is the probability of class 1.
    const positiveOne = evaluateBinaryClassifier({ labels, probabilities: p0.map((p) => 1 - p), positiveLabel: 1, nBoot: 50, seed: 3 });
    expect(positiveOne.metrics.auc.estimate).toBeCloseTo(8 / 9, 12);
    expect(positiveOne.confusion.matrix).toEqual(fromRows.confusion.matrix);
  });

  test('names itself in errors', () => {
    expect(() => evaluateBinaryClassifier({ labels: [0, 1], probabilities: [0.5, [0.5, 0.5]] as unknown as number[] })).toThrow(
      'evaluateBinaryClassifier: probabilities mixes scores and rows; probabilities[1] is not a number',
    );
    expect(() => evaluateBinaryClassifier({ labels: [0, 1], probabilities: [0.5, NaN] })).toThrow('evaluateBinaryClassifier: probabilities[1] must be a finite score');
    expect(() => evaluateBinaryClassifier({ labels: [], probabilities: [] })).toThrow('evaluateBinaryClassifier: labels is empty');
    expect(() => evaluateBinaryClassifier({ labels: [0, 1], probabilities: [[1, 0]] })).toThrow('evaluateBinaryClassifier: expected one probability row per label');
    expect(() => evaluateBinaryClassifier({ labels, probabilities, positiveLabel: 7 })).toThrow('positiveLabel 7 is not one of the classes');
  });
});
