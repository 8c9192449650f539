import { countConfusion } from './confusion-matrix';
import type { Label, LabelOrderOptions } from './types';

/** Fraction of samples whose prediction equals the true label. */
export function accuracy(yTrue: readonly Label[], yPred: readonly Label[], options: LabelOrderOptions = {}): number {
  const { matrix } = countConfusion('accuracy', yTrue, yPred, options);
  let correct = 0;
  for (let i = 0; i < matrix.length; i++) correct += matrix[i][i];
  return correct / yTrue.length;
}
