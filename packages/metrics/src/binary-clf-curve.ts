import { assertFiniteScores, assertLabels, assertSameLength } from './input-validation';
import { binarize } from './label-encoding';
import type { Label } from './types';

/** Cumulative counts at each distinct threshold, highest threshold first (scikit-learn's `_binary_clf_curve`). */
export interface ThresholdCounts {
  fps: number[];
  tps: number[];
  thresholds: number[];
  positives: number;
  negatives: number;
}

export function thresholdCounts(fn: string, yTrue: readonly Label[], scores: readonly number[], positiveLabel: Label | undefined): ThresholdCounts {
  assertLabels(fn, 'yTrue', yTrue);
  assertFiniteScores(fn, 'scores', scores);
  assertSameLength(fn, 'yTrue', yTrue, 'scores', scores);
  const positive = binarize(fn, yTrue, positiveLabel);
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let r = 0; r < order.length; r++) {
    tp += positive[order[r]];
    // A threshold ends where the next score differs, so tied scores form one point.
    if (r === order.length - 1 || scores[order[r + 1]] !== scores[order[r]]) {
      tps.push(tp);
      fps.push(r + 1 - tp);
      thresholds.push(scores[order[r]]);
    }
  }
  return { fps, tps, thresholds, positives: tp, negatives: order.length - tp };
}
