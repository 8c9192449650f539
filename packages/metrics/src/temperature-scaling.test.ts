import { applyTemperature, fitTemperature } from './temperature-scaling';

/** Probabilities of a model whose logit margin is m: p0 = sigmoid(m). */
function rows(margins: number[]): number[][] {
  return margins.map((m) => [1 / (1 + Math.exp(-m)), 1 / (1 + Math.exp(m))]);
}

describe('fitTemperature', () => {
  test('the fitted temperature zeroes the derivative of the NLL (checked by finite differences)', () => {
    const margins = [4, 3, -2, 5, -6, 2, -1, 6, -4, 1];
    const labels = [0, 0, 1, 1, 1, 0, 0, 0, 1, 1];
    const t = fitTemperature(labels, rows(margins));
    const nll = (temp: number) =>
      margins.reduce((sum, m, i) => {
        const p0 = 1 / (1 + Math.exp(-m / temp));
        return sum - Math.log(labels[i] === 0 ? p0 : 1 - p0);
      }, 0);
    const h = 1e-4;
    expect(Math.abs((nll(t + h) - nll(t - h)) / (2 * h))).toBeLessThan(1e-5);
    expect(nll(t)).toBeLessThan(nll(1));
    // Over-confident on two mistakes: softening helps.
    expect(t).toBeGreaterThan(1);
  });

  test('recovers the temperature of a model made over-confident by a known factor', () => {
    // Labels drawn so that sigmoid(m) is the true probability (frequencies exact by construction), then margins
    // multiplied by 3: the fitted temperature must undo the factor.
    const margins: number[] = [];
    const labels: number[] = [];
    for (const m of [-2, -1, -0.5, 0.5, 1, 2]) {
      const p0 = 1 / (1 + Math.exp(-m));
      const n = 1000;
      const zeros = Math.round(p0 * n);
      for (let k = 0; k < n; k++) {
        margins.push(3 * m);
        labels.push(k < zeros ? 0 : 1);
      }
    }
    expect(fitTemperature(labels, rows(margins))).toBeCloseTo(3, 1);
  });

  test('perfectly separated data pushes the temperature to the bottom of the range', () => {
    expect(fitTemperature([0, 1], rows([1, -1]), { range: [0.1, 10] })).toBeCloseTo(0.1, 4);
  });

  test('bad input names the function', () => {
    expect(() => fitTemperature([0], [[0.5, 0.3, 0.2]])).toThrow('fitTemperature: row 0 must hold two non-negative probabilities');
    expect(() => fitTemperature([2], [[0.5, 0.5]])).toThrow('fitTemperature: label 2 at 0 is neither of the classes 0, 1');
    expect(() => fitTemperature([0], [[0.5, 0.5]], { range: [1, 1] })).toThrow('fitTemperature: range must be two numbers 0 < low < high');
  });
});

describe('applyTemperature', () => {
  test('divides the logit margin by the temperature; T = 1 is the identity', () => {
    const [row] = applyTemperature(rows([2]), 2);
    expect(row[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(row[0] + row[1]).toBeCloseTo(1, 12);
    expect(applyTemperature([[0.8, 0.2]], 1)[0][0]).toBeCloseTo(0.8, 12);
    expect(() => applyTemperature([[0.8, 0.2]], 0)).toThrow('applyTemperature: temperature must be a positive number, got 0');
  });
});
