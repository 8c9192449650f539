import { thresholdForSensitivity } from './threshold-for-sensitivity';

describe('thresholdForSensitivity', () => {
  // Positives (label 0) scored 0.9 0.8 0.7 0.6 0.2; negatives 0.75 0.5 0.3 0.1.
  const labels = [0, 0, 0, 0, 0, 1, 1, 1, 1];
  const scores = [0.9, 0.8, 0.7, 0.6, 0.2, 0.75, 0.5, 0.3, 0.1];

  test('the highest threshold that finds the target share of positives, by hand', () => {
    // 80 % of 5 positives = 4: the 4th highest positive score, 0.6; negatives below 0.6: 0.5, 0.3, 0.1.
    expect(thresholdForSensitivity(labels, scores, 0.8, { positiveLabel: 0 })).toEqual({ threshold: 0.6, sensitivity: 0.8, specificity: 0.75 });
    // 90 % needs ceil(4.5) = 5 positives: down to 0.2, where only 0.1 is below.
    expect(thresholdForSensitivity(labels, scores, 0.9, { positiveLabel: 0 })).toEqual({ threshold: 0.2, sensitivity: 1, specificity: 0.25 });
    expect(thresholdForSensitivity(labels, scores, 0.2, { positiveLabel: 0 }).threshold).toBe(0.9);
  });

  test('floating-point products do not ask for one positive too many', () => {
    const tenPositives = Array.from({ length: 10 }, (_, i) => (i + 1) / 10);
    expect(thresholdForSensitivity(new Array(10).fill(1), tenPositives, 0.9).threshold).toBe(0.2);
  });

  test('bad input names the function', () => {
    expect(() => thresholdForSensitivity(labels, scores, 0, { positiveLabel: 0 })).toThrow('thresholdForSensitivity: target must be in (0, 1], got 0');
    expect(() => thresholdForSensitivity([1, 1], [0.1, 0.2], 0.9, { positiveLabel: 0 })).toThrow('thresholdForSensitivity: no sample has the positive label 0');
  });
});
