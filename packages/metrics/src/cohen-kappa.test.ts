import { cohenKappa } from './cohen-kappa';

// Hand-computed three-class case: rows are true classes, columns predictions.
//            pred 0  pred 1  pred 2
// true 0        2       0       0
// true 1        0       1       1
// true 2        0       1       1
const yTrue = [0, 1, 2, 2, 1, 0];
const yPred = [0, 2, 2, 1, 1, 0];

describe('cohenKappa', () => {
  test('unweighted: (p_o - p_e) / (1 - p_e) = (2/3 - 1/3) / (2/3)', () => {
    expect(cohenKappa(yTrue, yPred)).toBeCloseTo(0.5, 15);
  });

  test('linear weights: 1 - 2 / (2/3 * 8); quadratic: 1 - 2 / (2/3 * 12)', () => {
    expect(cohenKappa(yTrue, yPred, { weights: 'linear' })).toBeCloseTo(0.625, 15);
    expect(cohenKappa(yTrue, yPred, { weights: 'quadratic' })).toBeCloseTo(0.75, 15);
  });

  test('weights follow the label order, not the label values', () => {
    const reordered = cohenKappa(yTrue, yPred, { weights: 'linear', labels: [1, 0, 2] });
    expect(reordered).not.toBeCloseTo(0.625, 5);
  });

  test('errors: unknown weights, single shared class', () => {
    expect(() => cohenKappa([0, 1], [0, 1], { weights: 'cubic' as never })).toThrow("cohenKappa: weights must be null, 'linear' or 'quadratic'");
    expect(() => cohenKappa([1, 1], [1, 1])).toThrow('cohenKappa: undefined');
  });
});
