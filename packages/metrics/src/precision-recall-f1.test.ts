import { precisionRecallF1 } from './precision-recall-f1';

// Hand-computed three-class case: rows are true classes, columns predictions.
//            pred 0  pred 1  pred 2
// true 0        2       0       0
// true 1        0       1       1
// true 2        0       1       1
const yTrue = [0, 1, 2, 2, 1, 0];
const yPred = [0, 2, 2, 1, 1, 0];

describe('precisionRecallF1', () => {
  test('precision, recall, F1, specificity and support per class and averaged', () => {
    const m = precisionRecallF1(yTrue, yPred);
    expect(m.perClass.map((c) => c.precision)).toEqual([1, 0.5, 0.5]);
    expect(m.perClass.map((c) => c.recall)).toEqual([1, 0.5, 0.5]);
    expect(m.perClass.map((c) => c.f1)).toEqual([1, 0.5, 0.5]);
    // class 1: FP = 1 (a 2 predicted as 1), TN = 6 - 2 - 1 = 3
    expect(m.perClass.map((c) => c.specificity)).toEqual([1, 0.75, 0.75]);
    expect(m.perClass.map((c) => c.support)).toEqual([2, 2, 2]);
    expect(m.macro.precision).toBeCloseTo(2 / 3, 15);
    expect(m.weighted.recall).toBeCloseTo(2 / 3, 15);
    expect(m.micro.f1).toBeCloseTo(2 / 3, 15);
    // pooled: TN = 4 + 3 + 3, FP = 0 + 1 + 1
    expect(m.micro.specificity).toBeCloseTo(10 / 12, 15);
    expect(m.macro.specificity).toBeCloseTo((1 + 0.75 + 0.75) / 3, 15);
  });

  test('undefined precision (nothing predicted) is 0, as scikit-learn zero_division', () => {
    const m = precisionRecallF1([0, 1, 1], [0, 0, 0]);
    expect(m.perClass[1]).toEqual({ label: 1, precision: 0, recall: 0, f1: 0, specificity: 1, support: 2 });
  });
});
