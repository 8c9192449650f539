import { bootstrapCi, rocAuc } from '@fracture/metrics';
import type { BootstrapInterval, BootstrapSample } from '@fracture/metrics';
import type { DatasetItem } from '@fracture/preprocess';

/** Metrics of one subgroup; a metric whose class is absent from the subgroup is `null`. */
export interface SubgroupRow {
  /** `all`, `region: hand`, `implant: yes`, ... */
  group: string;
  n: number;
  positives: number;
  auc: BootstrapInterval | null;
  sensitivity: BootstrapInterval | null;
  specificity: BootstrapInterval | null;
}

export interface SubgroupOptions {
  /** Column of the positive class in `probabilities`. */
  positiveLabel: number;
  /** Positive when the positive class's probability is at least this. */
  threshold: number;
  seed?: number;
  nBoot?: number;
}

/**
 * Rows for the whole set and for each subgroup the items' metadata defines: every body region (an image showing
 * two regions counts in both) and with / without a visible implant. Intervals are percentile bootstraps that
 * resample the items' source groups (FracAtlas: blocks of ids) when they have them.
 */
export function evaluateSubgroups(
  items: readonly DatasetItem[],
  labels: readonly number[],
  probabilities: readonly (readonly number[])[],
  options: SubgroupOptions,
): SubgroupRow[] {
  const groups: [string, number[]][] = [['all', items.map((_, i) => i)]];
  const regions = [...new Set(items.flatMap((item) => item.metadata?.regions ?? []))].sort();
  for (const region of regions) groups.push([`region: ${region}`, indicesWhere(items, (item) => item.metadata?.regions?.includes(region) ?? false)]);
  if (items.some((item) => item.metadata?.hardware !== undefined)) {
    groups.push(['implant: yes', indicesWhere(items, (item) => item.metadata?.hardware === true)]);
    groups.push(['implant: no', indicesWhere(items, (item) => item.metadata?.hardware === false)]);
  }
  return groups.filter(([, indices]) => indices.length > 0).map(([group, indices]) => subgroupRow(group, indices, items, labels, probabilities, options));
}

function indicesWhere(items: readonly DatasetItem[], keep: (item: DatasetItem) => boolean): number[] {
  const indices: number[] = [];
  items.forEach((item, i) => keep(item) && indices.push(i));
  return indices;
}

function subgroupRow(
  group: string,
  indices: number[],
  items: readonly DatasetItem[],
  allLabels: readonly number[],
  probabilities: readonly (readonly number[])[],
  options: SubgroupOptions,
): SubgroupRow {
  const { positiveLabel, threshold } = options;
  const labels = indices.map((i) => allLabels[i]);
  const scores = indices.map((i) => probabilities[i][positiveLabel]);
  const predictions = scores.map((s) => (s >= threshold ? positiveLabel : 1 - positiveLabel));
  const hasSources = indices.every((i) => items[i].sourceId !== undefined);
  const common = {
    labels,
    scores,
    predictions,
    groups: hasSources ? indices.map((i) => `${items[i].className}/${items[i].sourceId}`) : undefined,
    seed: options.seed ?? 0,
    nBoot: options.nBoot ?? 1000,
  };
  const positives = labels.filter((label) => label === positiveLabel).length;
  const negatives = labels.length - positives;
  const rate = (wanted: number) => (sample: BootstrapSample<number>) => {
    let hits = 0;
    let total = 0;
    sample.labels.forEach((label, i) => {
      if (label !== wanted) return;
      total++;
      if (sample.predictions?.[i] === wanted) hits++;
    });
    return hits / total;
  };
  return {
    group,
    n: labels.length,
    positives,
    auc: positives > 0 && negatives > 0 ? bootstrapCi((s) => rocAuc(s.labels, s.scores as number[], { positiveLabel }), common) : null,
    sensitivity: positives > 0 ? bootstrapCi(rate(positiveLabel), common) : null,
    specificity: negatives > 0 ? bootstrapCi(rate(1 - positiveLabel), common) : null,
  };
}
