import { erfc, normalSurvival } from './normal-distribution';

describe('normal distribution helpers', () => {
  test('erfc matches scipy.special.erfc to ~1e-14 relative', () => {
    const reference: [number, number][] = [
      [0.25, 0.7236736098317631],
      [1, 0.15729920705028516],
      [1.96, 0.005573724535172135],
      [2.5, 0.00040695201744495886],
      [5, 1.5374597944280347e-12],
      [8, 1.1224297172982928e-29],
      [-1, 1.8427007929497148],
    ];
    for (const [x, e] of reference) expect(Math.abs(erfc(x) - e) / e).toBeLessThan(1e-13);
    expect(normalSurvival(1.959963984540054)).toBeCloseTo(0.025, 14);
    expect(normalSurvival(Infinity)).toBe(0);
  });
});
