import { assertFiniteScores, assertLabels, assertNonEmpty, assertSameLength } from './input-validation';
import type { Label } from './types';

/** The operating point {@link thresholdForSensitivity} chose, and what it gives on the data it was chosen on. */
export interface OperatingPoint {
  /** Say "positive" when the score is at least this. */
  threshold: number;
  sensitivity: number;
  specificity: number;
}

/**
 * The highest threshold whose sensitivity (share of positives scored at or above it) reaches `target`, on data
 * held out from training: the most specific operating point that still finds the stated share of fractures.
 * With `P` positives it is the `ceil(target * P)`-th highest positive score.
 */
export function thresholdForSensitivity(
  labels: readonly Label[],
  scores: readonly number[],
  target: number,
  options: { positiveLabel?: Label } = {},
): OperatingPoint {
  const fn = 'thresholdForSensitivity';
  assertLabels(fn, 'labels', labels);
  assertNonEmpty(fn, 'labels', labels);
  assertSameLength(fn, 'labels', labels, 'scores', scores);
  assertFiniteScores(fn, 'scores', scores);
  if (!(target > 0 && target <= 1)) throw new Error(`${fn}: target must be in (0, 1], got ${target}`);
  const positiveLabel = options.positiveLabel ?? 1;
  const positives = scores.filter((_, i) => labels[i] === positiveLabel).sort((a, b) => b - a);
  const negatives = scores.filter((_, i) => labels[i] !== positiveLabel);
  if (positives.length === 0) throw new Error(`${fn}: no sample has the positive label ${String(positiveLabel)}`);
  // A small tolerance so that 0.9 * 10 = 9.000000000000002 asks for 9 positives, not 10.
  const needed = Math.max(1, Math.ceil(target * positives.length - 1e-9));
  const threshold = positives[needed - 1];
  const sensitivity = positives.filter((s) => s >= threshold).length / positives.length;
  const specificity = negatives.length === 0 ? NaN : negatives.filter((s) => s < threshold).length / negatives.length;
  return { threshold, sensitivity, specificity };
}
