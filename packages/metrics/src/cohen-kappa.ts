import { countConfusion } from './confusion-matrix';
import type { CohenKappaOptions, Label } from './types';

/**
 * Cohen's kappa between two raters (or truth and prediction), as scikit-learn's `cohen_kappa_score`.
 * Weights grow with the distance between class positions in `labels`, so give an ordinal order
 * when using `linear` or `quadratic`.
 */
export function cohenKappa(a: readonly Label[], b: readonly Label[], options: CohenKappaOptions = {}): number {
  const weights = options.weights ?? null;
  if (weights !== null && weights !== 'linear' && weights !== 'quadratic') {
    throw new Error(`cohenKappa: weights must be null, 'linear' or 'quadratic', got ${JSON.stringify(weights)}`);
  }
  const { matrix } = countConfusion('cohenKappa', a, b, options);
  const k = matrix.length;
  const colSum = new Array<number>(k).fill(0);
  const rowSum = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      rowSum[i] += matrix[i][j];
      colSum[j] += matrix[i][j];
    }
  }
  const n = a.length;
  const weight = (i: number, j: number): number =>
    weights === null ? (i === j ? 0 : 1) : weights === 'linear' ? Math.abs(i - j) : (i - j) * (i - j);
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = weight(i, j);
      observed += w * matrix[i][j];
      // scikit-learn's expected[i][j] = colSum[i] * rowSum[j] / n (outer(sum0, sum1)).
      expected += w * ((colSum[i] * rowSum[j]) / n);
    }
  }
  if (expected === 0) {
    throw new Error('cohenKappa: undefined when both raters use a single, identical class (expected disagreement is 0)');
  }
  return 1 - observed / expected;
}
