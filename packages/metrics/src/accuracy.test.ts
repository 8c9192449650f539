import { accuracy } from './accuracy';

// Hand-computed three-class case: rows are true classes, columns predictions.
//            pred 0  pred 1  pred 2
// true 0        2       0       0
// true 1        0       1       1
// true 2        0       1       1
const yTrue = [0, 1, 2, 2, 1, 0];
const yPred = [0, 2, 2, 1, 1, 0];

describe('accuracy', () => {
  test('4 of 6 right', () => {
    expect(accuracy(yTrue, yPred)).toBeCloseTo(4 / 6, 15);
    expect(accuracy(['a', 'b'], ['a', 'a'])).toBe(0.5);
  });

  test('rejects a length mismatch', () => {
    expect(() => accuracy([0, 1], [0])).toThrow('accuracy: yTrue has 2 entries but yPred has 1');
  });
});
