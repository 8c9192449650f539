import { assertLabels, assertSameLength } from './input-validation';
import { encodeLabels, resolveLabels } from './label-encoding';
import type { ConfusionMatrix, Label, LabelOrderOptions } from './types';

/** Validates a true/predicted pair and counts it; shared by every label-based metric. */
export function countConfusion(fn: string, yTrue: readonly Label[], yPred: readonly Label[], options: LabelOrderOptions = {}): ConfusionMatrix {
  assertLabels(fn, 'yTrue', yTrue);
  assertLabels(fn, 'yPred', yPred);
  assertSameLength(fn, 'yTrue', yTrue, 'yPred', yPred);
  const labels = resolveLabels(fn, options.labels, yTrue, yPred);
  const t = encodeLabels(fn, 'yTrue', yTrue, labels);
  const p = encodeLabels(fn, 'yPred', yPred, labels);
  const k = labels.length;
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < t.length; i++) matrix[t[i]][p[i]] += 1;
  return { labels, matrix };
}

/**
 * Counts true classes (rows) against predicted classes (columns), as scikit-learn's `confusion_matrix`.
 *
 * @example confusionMatrix([0, 1, 1], [0, 0, 1], { labels: [0, 1] }).matrix // [[1, 0], [1, 1]]
 */
export function confusionMatrix(yTrue: readonly Label[], yPred: readonly Label[], options: LabelOrderOptions = {}): ConfusionMatrix {
  return countConfusion('confusionMatrix', yTrue, yPred, options);
}
