import { matthewsCorrelation } from './matthews-correlation';

// Hand-computed three-class case: rows are true classes, columns predictions.
//            pred 0  pred 1  pred 2
// true 0        2       0       0
// true 1        0       1       1
// true 2        0       1       1
const yTrue = [0, 1, 2, 2, 1, 0];
const yPred = [0, 2, 2, 1, 1, 0];

describe('matthewsCorrelation', () => {
  test('Matthews correlation: (4*6 - 12) / sqrt(24 * 24) = 0.5; 0 when one side is constant', () => {
    expect(matthewsCorrelation(yTrue, yPred)).toBeCloseTo(0.5, 15);
    expect(matthewsCorrelation([0, 1, 1], [1, 1, 1])).toBe(0);
    expect(matthewsCorrelation([1, 0, 1, 0], [1, 0, 1, 0])).toBe(1);
    expect(matthewsCorrelation([1, 0, 1, 0], [0, 1, 0, 1])).toBe(-1);
  });
});
