import { balancedAccuracy } from './balanced-accuracy';

// Hand-computed three-class case: rows are true classes, columns predictions.
//            pred 0  pred 1  pred 2
// true 0        2       0       0
// true 1        0       1       1
// true 2        0       1       1
const yTrue = [0, 1, 2, 2, 1, 0];
const yPred = [0, 2, 2, 1, 1, 0];

describe('balancedAccuracy', () => {
  test('mean recall (1 + 1/2 + 1/2) / 3', () => {
    expect(balancedAccuracy(yTrue, yPred)).toBeCloseTo(2 / 3, 15);
  });

  test('balanced accuracy leaves out classes that only appear in predictions', () => {
    // class 2 is predicted but absent from yTrue: mean of recalls of 0 (1/2) and 1 (1)
    expect(balancedAccuracy([0, 0, 1], [0, 2, 1])).toBeCloseTo(0.75, 15);
  });
});
