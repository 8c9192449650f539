import { assertFiniteScores, assertLabels, assertSameLength } from './input-validation';
import { binarize } from './label-encoding';
import { normalSurvival } from './normal-distribution';
import type { DelongAuc, DelongResult, DelongTestOptions, Label } from './types';

/** 1-based ranks with ties sharing their mean rank. */
function midranks(values: readonly number[]): number[] {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = mid;
    i = j + 1;
  }
  return ranks;
}

interface Placements {
  auc: number;
  /** Per positive: fraction of negatives scored lower (ties count half). */
  v10: number[];
  /** Per negative: fraction of positives scored higher (ties count half). */
  v01: number[];
}

// Sun & Xu (2014): the placement values come from three midrank passes instead of m * n comparisons.
function placements(positives: readonly number[], negatives: readonly number[]): Placements {
  const m = positives.length;
  const n = negatives.length;
  const tx = midranks(positives);
  const ty = midranks(negatives);
  const tz = midranks([...positives, ...negatives]);
  const v10 = tx.map((r, i) => (tz[i] - r) / n);
  const v01 = ty.map((r, j) => 1 - (tz[m + j] - r) / m);
  const auc = v10.reduce((a, b) => a + b, 0) / m;
  return { auc, v10, v01 };
}

function covariance(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n < 2) return 0;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let c = 0;
  for (let i = 0; i < n; i++) c += (a[i] - ma) * (b[i] - mb);
  return c / (n - 1);
}

function split(fn: string, yTrue: readonly Label[], scores: readonly number[], name: string, positiveLabel: Label | undefined) {
  assertFiniteScores(fn, name, scores);
  assertSameLength(fn, 'yTrue', yTrue, name, scores);
  const positive = binarize(fn, yTrue, positiveLabel);
  const pos: number[] = [];
  const neg: number[] = [];
  scores.forEach((s, i) => (positive[i] ? pos : neg).push(s));
  if (pos.length === 0 || neg.length === 0) {
    throw new Error(`${fn}: only one class present in yTrue; ROC AUC is not defined in that case`);
  }
  return { pos, neg };
}

/**
 * AUC with its DeLong variance, var(V10)/m + var(V01)/n over the placement values, and a
 * normal-approximation interval at level 1 - alpha (default 0.05, clipped to [0, 1]).
 */
export function delongAuc(yTrue: readonly Label[], scores: readonly number[], options: DelongTestOptions & { alpha?: number } = {}): DelongAuc {
  const fn = 'delongAuc';
  assertLabels(fn, 'yTrue', yTrue);
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`${fn}: alpha must be in (0, 1), got ${alpha}`);
  const { pos, neg } = split(fn, yTrue, scores, 'scores', options.positiveLabel);
  const p = placements(pos, neg);
  const variance = covariance(p.v10, p.v10) / pos.length + covariance(p.v01, p.v01) / neg.length;
  const z = normalQuantileUpper(alpha / 2);
  const se = Math.sqrt(variance);
  return { auc: p.auc, variance, standardError: se, lower: Math.max(0, p.auc - z * se), upper: Math.min(1, p.auc + z * se) };
}

// Upper-tail normal quantile by bisection on the survival function: exact enough and dependency-free.
function normalQuantileUpper(tail: number): number {
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (normalSurvival(mid) > tail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * DeLong's test for the difference between two correlated AUCs (two models scored on the same
 * samples), with the fast algorithm of Sun & Xu (2014). Two-sided p-value from the standard normal.
 * When the variance is 0 (for example both models separate the classes perfectly) z is 0 for equal
 * AUCs (p = 1) and ±Infinity otherwise (p = 0).
 */
export function delongTest(
  yTrue: readonly Label[],
  scoresA: readonly number[],
  scoresB: readonly number[],
  options: DelongTestOptions = {},
): DelongResult {
  const fn = 'delongTest';
  assertLabels(fn, 'yTrue', yTrue);
  const a = split(fn, yTrue, scoresA, 'scoresA', options.positiveLabel);
  const b = split(fn, yTrue, scoresB, 'scoresB', options.positiveLabel);
  const m = a.pos.length;
  const n = a.neg.length;
  const pa = placements(a.pos, a.neg);
  const pb = placements(b.pos, b.neg);
  const s10 = covariance(pa.v10, pa.v10) + covariance(pb.v10, pb.v10) - 2 * covariance(pa.v10, pb.v10);
  const s01 = covariance(pa.v01, pa.v01) + covariance(pb.v01, pb.v01) - 2 * covariance(pa.v01, pb.v01);
  const variance = Math.max(0, s10 / m + s01 / n);
  const difference = pa.auc - pb.auc;
  let z: number;
  if (variance > 0) z = difference / Math.sqrt(variance);
  else z = difference === 0 ? 0 : difference > 0 ? Infinity : -Infinity;
  const pValue = Math.min(1, 2 * normalSurvival(Math.abs(z)));
  return { aucA: pa.auc, aucB: pb.auc, difference, variance, z, pValue };
}
