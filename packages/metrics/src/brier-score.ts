import { assertLabels, assertProbabilities, assertSameLength, assertScoreMatrix, isScoreMatrix } from './input-validation';
import { binarize, encodeLabels, resolveMatrixLabels } from './label-encoding';
import type { Label, LabelOrderOptions, PositiveLabelOptions } from './types';

/**
 * Brier score: mean squared difference between predicted probability and outcome (lower is better).
 * Binary (`probs` = positive-class probabilities) it equals scikit-learn's `brier_score_loss`.
 * With a probability matrix it is Brier's original multi-class score, Σ_c (p_c − [y = c])² averaged
 * over samples, which is twice the binary value for two classes.
 */
export function brierScore(
  yTrue: readonly Label[],
  probs: readonly number[] | readonly (readonly number[])[],
  options: PositiveLabelOptions & LabelOrderOptions = {},
): number {
  const fn = 'brierScore';
  assertLabels(fn, 'yTrue', yTrue);
  if (!Array.isArray(probs) || probs.length === 0) throw new Error(`${fn}: probs is empty`);
  assertSameLength(fn, 'yTrue', yTrue, 'probs', probs);
  if (isScoreMatrix(probs)) {
    const labels = resolveMatrixLabels(fn, options.labels, yTrue, Array.isArray(probs[0]) ? probs[0].length : 0);
    assertScoreMatrix(fn, 'probs', probs, labels.length);
    probs.forEach((row, i) => assertProbabilities(fn, `probs[${i}]`, row));
    const encoded = encodeLabels(fn, 'yTrue', yTrue, labels);
    let sum = 0;
    probs.forEach((row: readonly number[], i: number) => row.forEach((p: number, c: number) => (sum += (p - (encoded[i] === c ? 1 : 0)) ** 2)));
    return sum / yTrue.length;
  }
  const p = probs as readonly number[];
  assertProbabilities(fn, 'probs', p);
  const positive = binarize(fn, yTrue, options.positiveLabel);
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += (positive[i] - p[i]) ** 2;
  return sum / p.length;
}
