import { brierScore } from './brier-score';
import { expectedCalibrationError, reliabilityBins } from './calibration';

describe('brierScore', () => {
  test('binary: mean of (outcome - p)^2', () => {
    expect(brierScore([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3])).toBeCloseTo((0.01 + 0.01 + 0.04 + 0.09) / 4, 15);
  });

  test('positiveLabel 0 scores the probability of class 0', () => {
    expect(brierScore([0, 1], [0.8, 0.4], { positiveLabel: 0 })).toBeCloseTo((0.04 + 0.16) / 2, 15);
  });

  test('multi-class: sum over classes, averaged over samples', () => {
    const p = [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]];
    expect(brierScore([0, 1], p, { labels: [0, 1, 2] })).toBeCloseTo((0.09 + 0.04 + 0.01 + 0.01 + 0.16 + 0.09) / 2, 15);
  });

  test('rejects probabilities outside [0, 1] and NaN', () => {
    expect(() => brierScore([0, 1], [0.5, 1.5])).toThrow('brierScore: probs[1] = 1.5 is not a probability in [0, 1]');
    expect(() => brierScore([0, 1], [NaN, 0.5])).toThrow('brierScore: probs[0] is NaN');
  });
});

describe('reliability bins and expected calibration error', () => {
  // Two bins [0, 0.5] and (0.5, 1]:
  //   bin 0: p 0.45 (y 1), 0.15 (y 0)            mean 0.3,    fraction 1/2, gap 0.2
  //   bin 1: p 0.95 (1), 0.85 (0), 0.55 (1)      mean 0.7833, fraction 2/3, gap 0.11667
  // ECE = 2/5 * 0.2 + 3/5 * 0.11667 = 0.15
  const y = [1, 0, 1, 1, 0];
  const p = [0.95, 0.85, 0.55, 0.45, 0.15];

  test('hand-computed two-bin case', () => {
    const r = expectedCalibrationError(y, p, { nBins: 2 });
    expect(r.ece).toBeCloseTo(0.15, 14);
    expect(r.mce).toBeCloseTo(0.2, 14);
    expect(r.mode).toBe('binary');
    expect(r.bins.map((b) => b.count)).toEqual([2, 3]);
    expect(r.bins[1].meanPredicted).toBeCloseTo(2.35 / 3, 15);
  });

  test('a probability on an edge belongs to the lower bin, as numpy.searchsorted(side=left)', () => {
    const bins = reliabilityBins([1, 0, 1], [0.5, 0.2, 1], { nBins: 2 });
    expect(bins.map((b) => b.count)).toEqual([2, 1]);
    expect(bins[0]).toMatchObject({ lower: 0, upper: 0.5 });
  });

  test('empty bins have NaN means and do not count', () => {
    const bins = reliabilityBins([1, 0], [0.95, 0.05], { nBins: 10 });
    expect(bins).toHaveLength(10);
    expect(bins[5].count).toBe(0);
    expect(bins[5].meanPredicted).toBeNaN();
    expect(expectedCalibrationError([1, 0], [0.95, 0.05]).ece).toBeCloseTo(0.05, 15);
  });

  test('top-label mode for a probability matrix: confidence of the arg-max, correctness', () => {
    // sample 0: top 0.7 correct; sample 1: top 0.6 wrong (true 0); one bin (0.5, 1] with nBins 2
    const r = expectedCalibrationError([0, 0], [[0.7, 0.3], [0.4, 0.6]], { nBins: 2 });
    expect(r.mode).toBe('top-label');
    expect(r.ece).toBeCloseTo(Math.abs(0.5 - 0.65), 15);
  });

  test('errors name the function', () => {
    expect(() => expectedCalibrationError(y, p, { nBins: 0 })).toThrow('expectedCalibrationError: nBins must be a positive integer');
    expect(() => reliabilityBins([0, 1], [0.1])).toThrow('reliabilityBins: yTrue has 2 entries but probs has 1');
  });
});
