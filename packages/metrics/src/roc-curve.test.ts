import { oneVsRestRoc, rocAuc, rocCurve, trapezoidArea } from './roc-curve';

describe('rocCurve', () => {
  test("scikit-learn's documented example", () => {
    expect(rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toEqual({
      fpr: [0, 0, 0.5, 0.5, 1],
      tpr: [0, 0.5, 0.5, 1, 1],
      thresholds: [Infinity, 0.8, 0.4, 0.35, 0.1],
    });
  });

  test('drops collinear points, keeps them with dropIntermediate: false', () => {
    const y = [1, 1, 1, 0, 0, 0];
    const s = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1];
    expect(rocCurve(y, s)).toEqual({ fpr: [0, 0, 0, 1], tpr: [0, 1 / 3, 1, 1], thresholds: [Infinity, 0.9, 0.7, 0.1] });
    expect(rocCurve(y, s, { dropIntermediate: false }).fpr).toEqual([0, 0, 0, 0, 1 / 3, 2 / 3, 1]);
  });

  test('tied scores form a single point', () => {
    // positive 0.5 ties with negative 0.5: one diagonal step from (0, 0.5) to (0.5, 1)
    expect(rocCurve([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toEqual({ fpr: [0, 0, 0.5, 1], tpr: [0, 0.5, 1, 1], thresholds: [Infinity, 0.9, 0.5, 0.2] });
  });

  test('positiveLabel 0 with the probability of class 0 (fractured)', () => {
    const y = [0, 0, 1, 1];
    const pFractured = [0.9, 0.6, 0.65, 0.2];
    expect(rocCurve(y, pFractured, { positiveLabel: 0 }).tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(rocAuc(y, pFractured, { positiveLabel: 0 })).toBe(0.75);
  });

  test('string labels need an explicit positive class', () => {
    expect(() => rocCurve(['a', 'b'], [0.1, 0.9])).toThrow('rocCurve: positiveLabel 1 is not among the labels ["a","b"]; pass { positiveLabel } explicitly');
    expect(rocCurve(['neg', 'pos'], [0.1, 0.9], { positiveLabel: 'pos' }).tpr).toEqual([0, 1, 1]);
  });

  test('leaves its inputs untouched', () => {
    const y = [1, 0, 1, 0];
    const s = [0.2, 0.9, 0.4, 0.1];
    rocCurve(y, s);
    rocAuc(y, s);
    expect(y).toEqual([1, 0, 1, 0]);
    expect(s).toEqual([0.2, 0.9, 0.4, 0.1]);
  });

  test('bad input: empty, length mismatch, NaN score, single class, three classes', () => {
    expect(() => rocCurve([], [])).toThrow('rocCurve: yTrue is empty');
    expect(() => rocCurve([0, 1], [0.5])).toThrow('rocCurve: yTrue has 2 entries but scores has 1');
    expect(() => rocCurve([0, 1], [0.5, NaN])).toThrow('rocCurve: scores[1] is NaN; scores must be finite numbers');
    expect(() => rocCurve([1, 1], [0.5, 0.6])).toThrow('rocCurve: only one class present in yTrue; ROC AUC is not defined in that case (no negative samples)');
    expect(() => rocAuc([0, 0], [0.5, 0.6])).toThrow('rocAuc: only one class present in yTrue');
    expect(() => rocCurve([0, 1, 2], [0.1, 0.2, 0.3])).toThrow('rocCurve: expected binary labels, got 3 classes');
  });
});

describe('rocAuc', () => {
  test('equals the Mann-Whitney pair count with ties as half', () => {
    // pairs (pos, neg): (0.5, 0.5) = 1/2, (0.5, 0.2) = 1, (0.9, 0.5) = 1, (0.9, 0.2) = 1
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
  });

  test('perfect separation is 1, perfect inversion 0, constant scores 0.5', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])).toBe(0);
    expect(rocAuc([0, 0, 1, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });

  test('multi-class: macro and weighted one-vs-rest, rows must sum to 1', () => {
    const y = [0, 1, 2, 2];
    const p = [
      [0.8, 0.1, 0.1],
      [0.2, 0.7, 0.1],
      [0.1, 0.2, 0.7],
      [0.3, 0.4, 0.3],
    ];
    // class 0: 1; class 1: negatives 0.1, 0.2, 0.4 vs 0.7 -> 1; class 2: positives 0.7, 0.3 vs 0.1, 0.1 -> 1
    expect(rocAuc(y, p)).toBe(1);
    const skewed = [[0.2, 0.7, 0.1], [0.8, 0.1, 0.1], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3]];
    // class 0: 0.2 vs (0.8, 0.1, 0.3) -> 1/3; class 1: 0.1 vs (0.7, 0.2, 0.4) -> 0; class 2: 1
    expect(rocAuc(y, skewed)).toBeCloseTo((1 / 3 + 0 + 1) / 3, 15);
    expect(rocAuc(y, skewed, { average: 'weighted' })).toBeCloseTo((1 / 3 + 0 + 2) / 4, 15);
    expect(() => rocAuc(y, [[0.5, 0.5, 0.5], ...p.slice(1)])).toThrow('rocAuc: scores[0] sums to 1.5');
  });
});

describe('oneVsRestRoc and trapezoidArea', () => {
  test('one curve per class with its AUC and support', () => {
    const curves = oneVsRestRoc(['a', 'b', 'a'], [[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]]);
    expect(curves.map((c) => [c.label, c.auc, c.support])).toEqual([['a', 1, 2], ['b', 1, 1]]);
    expect(() => oneVsRestRoc([0, 0], [[1, 0, 0], [1, 0, 0]], { labels: [0, 1, 2] })).toThrow('oneVsRestRoc: class 0 is the only class');
  });

  test('trapezoid area of a triangle and a decreasing x', () => {
    expect(trapezoidArea([0, 1], [0, 1])).toBe(0.5);
    expect(trapezoidArea([1, 0.5, 0], [1, 1, 0])).toBe(0.75);
    expect(() => trapezoidArea([0, 1, 0.5], [0, 1, 1])).toThrow('trapezoidArea: x is neither increasing nor decreasing');
  });
});
