import { assertLabels, assertNonEmpty, assertSameLength } from './input-validation';
import { toRandomSource } from './seeded-random';
import type { BootstrapInterval, BootstrapOptions, BootstrapSample, Label } from './types';

/** numpy.quantile's default (linear interpolation between order statistics). */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function evaluate<S>(metric: (sample: BootstrapSample<S>) => number, sample: BootstrapSample<S>): number {
  try {
    const v = metric(sample);
    return typeof v === 'number' && Number.isFinite(v) ? v : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Percentile bootstrap confidence interval for any metric of (labels, scores, predictions).
 * Resamples are drawn with replacement, by default within each class (stratified) so every resample
 * keeps the class counts; with `groups`, whole groups (for example all rotated copies of one source
 * radiograph) are drawn instead of single images. Resamples where the metric throws or is not finite
 * (AUC of a single-class resample) are skipped and counted in `skipped`.
 *
 * @example
 * bootstrapCi((s) => rocAuc(s.labels, s.scores!, { positiveLabel: 0 }), { labels, scores, seed: 1 })
 */
export function bootstrapCi<S = number>(metric: (sample: BootstrapSample<S>) => number, options: BootstrapOptions<S>): BootstrapInterval {
  const fn = 'bootstrapCi';
  if (typeof metric !== 'function') throw new Error(`${fn}: expected a metric function as first argument`);
  const { labels, scores, predictions, groups } = options;
  assertLabels(fn, 'labels', labels);
  if (scores !== undefined) assertSameLength(fn, 'labels', labels, 'scores', scores);
  if (predictions !== undefined) assertSameLength(fn, 'labels', labels, 'predictions', predictions);
  if (groups !== undefined) {
    assertNonEmpty(fn, 'groups', groups);
    assertSameLength(fn, 'labels', labels, 'groups', groups);
  }
  const nBoot = options.nBoot ?? 1000;
  const alpha = options.alpha ?? 0.05;
  if (!Number.isInteger(nBoot) || nBoot < 1) throw new Error(`${fn}: nBoot must be a positive integer, got ${nBoot}`);
  if (!(alpha > 0 && alpha < 1)) throw new Error(`${fn}: alpha must be in (0, 1), got ${alpha}`);
  if (options.seed === undefined) throw new Error(`${fn}: a seed is required so that intervals are reproducible`);
  const rng = toRandomSource(fn, options.seed);

  const build = (indices: number[]): BootstrapSample<S> => ({
    labels: indices.map((i) => labels[i]),
    scores: scores ? indices.map((i) => scores[i]) : undefined,
    predictions: predictions ? indices.map((i) => predictions[i]) : undefined,
    indices,
  });
  const all = Array.from(labels.keys());
  const estimate = evaluate(metric, build(all));
  if (Number.isNaN(estimate)) throw new Error(`${fn}: the metric is undefined (threw or was not finite) on the full data`);

  // Resampling units: single samples, or whole groups. Strata: units sharing one class.
  let units: number[][];
  if (groups) {
    const byGroup = new Map<string | number, number[]>();
    groups.forEach((g, i) => {
      const list = byGroup.get(g);
      if (list) list.push(i);
      else byGroup.set(g, [i]);
    });
    units = [...byGroup.values()];
  } else {
    units = all.map((i) => [i]);
  }
  let stratified = options.stratified ?? true;
  const strata = new Map<Label, number[][]>();
  for (const unit of units) {
    const label = labels[unit[0]];
    if (unit.some((i) => labels[i] !== label)) stratified = false;
    const list = strata.get(label);
    if (list) list.push(unit);
    else strata.set(label, [unit]);
  }
  const pools = stratified ? [...strata.values()] : [units];

  const draw = (n: number): number => {
    const k = (rng.next() * n) | 0;
    return k < n ? k : n - 1;
  };
  const singles = units.every((u) => u.length === 1);
  const flatPools = pools.map((pool) => pool.map((u) => u[0]));
  const values: number[] = [];
  let skipped = 0;
  for (let b = 0; b < nBoot; b++) {
    const indices: number[] = [];
    if (singles) {
      // Fast path without groups: one index per draw.
      for (const pool of flatPools) for (let k = 0; k < pool.length; k++) indices.push(pool[draw(pool.length)]);
    } else {
      for (const pool of pools) {
        for (let k = 0; k < pool.length; k++) for (const i of pool[draw(pool.length)]) indices.push(i);
      }
    }
    const v = evaluate(metric, build(indices));
    if (Number.isNaN(v)) skipped += 1;
    else values.push(v);
  }
  if (values.length === 0) throw new Error(`${fn}: the metric was undefined in all ${nBoot} resamples`);
  const sorted = [...values].sort((x, y) => x - y);
  return {
    estimate,
    lower: quantile(sorted, alpha / 2),
    upper: quantile(sorted, 1 - alpha / 2),
    alpha,
    nBoot,
    skipped,
    stratified,
    method: 'percentile',
    ...(options.returnSamples ? { samples: values } : {}),
  };
}
