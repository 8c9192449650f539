import { averagePrecision, precisionRecallCurve } from './precision-recall-curve';

describe('precisionRecallCurve', () => {
  test("scikit-learn's documented example", () => {
    const c = precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(c.precision).toEqual([0.5, 2 / 3, 0.5, 1, 1]);
    expect(c.recall).toEqual([1, 1, 0.5, 0.5, 0]);
    expect(c.thresholds).toEqual([0.1, 0.35, 0.4, 0.8]);
  });

  test('no positive samples is an error; NaN and empty input too', () => {
    expect(() => precisionRecallCurve([0, 0], [0.1, 0.2])).toThrow('precisionRecallCurve: no positive samples in yTrue, so recall is undefined');
    expect(() => precisionRecallCurve([0, 1], [NaN, 0.2])).toThrow('precisionRecallCurve: scores[0] is NaN');
    expect(() => averagePrecision([], [])).toThrow('averagePrecision: scores is empty');
    expect(() => averagePrecision([], [0.5])).toThrow('averagePrecision: yTrue is empty');
  });
});

describe('averagePrecision', () => {
  test('step sum: (0.5 - 0) * 1 + (1 - 0.5) * 2/3', () => {
    expect(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.5 + 1 / 3, 15);
  });

  test('all positives ranked first gives 1; constant scores give the prevalence', () => {
    expect(averagePrecision([1, 1, 0, 0, 0], [0.9, 0.8, 0.3, 0.2, 0.1])).toBe(1);
    expect(averagePrecision([1, 0, 0, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.25);
  });
});

describe('averagePrecision, one-vs-rest', () => {
  test('macro and weighted means of per-class step sums', () => {
    const y = [0, 1, 2, 2];
    const p = [
      [0.2, 0.7, 0.1], // class 0 column 0.2, 0.8, 0.1, 0.3: the positive ranks 3rd, AP(0) = 1/3
      [0.8, 0.1, 0.1], // class 1 column 0.7, 0.1, 0.2, 0.4: the positive ranks last, AP(1) = 1/4
      [0.1, 0.2, 0.7],
      [0.3, 0.4, 0.3], // class 2: positives 0.7 and 0.3 vs 0.1, 0.1: AP(2) = 1
    ];
    expect(averagePrecision(y, p)).toBeCloseTo((1 / 3 + 0.25 + 1) / 3, 15);
    expect(averagePrecision(y, p, { average: 'weighted' })).toBeCloseTo((1 / 3 + 0.25 + 2) / 4, 15);
    expect(() => averagePrecision([0, 0], [[0.5, 0.5], [0.4, 0.6]])).toThrow('averagePrecision: class 1 has no samples');
  });
});
