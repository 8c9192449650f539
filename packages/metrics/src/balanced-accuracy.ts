import { countConfusion } from './confusion-matrix';
import type { Label, LabelOrderOptions } from './types';

/**
 * Mean recall over the classes present in `yTrue`, as scikit-learn's `balanced_accuracy_score`:
 * a class that only appears among the predictions has no recall and is left out of the mean.
 */
export function balancedAccuracy(yTrue: readonly Label[], yPred: readonly Label[], options: LabelOrderOptions = {}): number {
  const { matrix } = countConfusion('balancedAccuracy', yTrue, yPred, options);
  let sum = 0;
  let classes = 0;
  for (let i = 0; i < matrix.length; i++) {
    const support = matrix[i].reduce((a, b) => a + b, 0);
    if (support === 0) continue;
    sum += matrix[i][i] / support;
    classes += 1;
  }
  return sum / classes;
}
