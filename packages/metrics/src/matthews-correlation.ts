import { countConfusion } from './confusion-matrix';
import type { Label, LabelOrderOptions } from './types';

/**
 * Matthews correlation coefficient for any number of classes (Gorodkin's R_K), as scikit-learn's
 * `matthews_corrcoef`; 0 when either the true or the predicted labels hold a single class.
 */
export function matthewsCorrelation(yTrue: readonly Label[], yPred: readonly Label[], options: LabelOrderOptions = {}): number {
  const { matrix } = countConfusion('matthewsCorrelation', yTrue, yPred, options);
  const k = matrix.length;
  const tSum = new Array<number>(k).fill(0);
  const pSum = new Array<number>(k).fill(0);
  let correct = 0;
  for (let i = 0; i < k; i++) {
    correct += matrix[i][i];
    for (let j = 0; j < k; j++) {
      tSum[i] += matrix[i][j];
      pSum[j] += matrix[i][j];
    }
  }
  const n = yTrue.length;
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (let i = 0; i < k; i++) {
    tp += tSum[i] * pSum[i];
    pp += pSum[i] * pSum[i];
    tt += tSum[i] * tSum[i];
  }
  const covTP = correct * n - tp;
  const covPP = n * n - pp;
  const covTT = n * n - tt;
  if (covPP * covTT === 0) return 0;
  return covTP / Math.sqrt(covTT * covPP);
}
