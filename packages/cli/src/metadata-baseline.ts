import { bootstrapCi, rocAuc } from '@fracture/metrics';
import type { BootstrapInterval } from '@fracture/metrics';
import type { DatasetItem } from '@fracture/preprocess';

/** What a score that only knows some of an image's metadata reaches on a dataset. */
export interface MetadataBaseline {
  /** `region`, `region and implant`: what the score knows. */
  name: string;
  /** AUC of the score, with a percentile bootstrap interval over the items' source groups. */
  auc: BootstrapInterval;
  /** Distinct metadata values the score tells apart. */
  values: number;
}

/** An image's body regions as one value ("hand+leg"): an image showing two regions is its own kind. */
const regionKey = (item: DatasetItem) => (item.metadata?.regions?.length ? [...item.metadata.regions].sort().join('+') : undefined);

/** The metadata an image's baseline score may know: its body regions, and whether an implant shows. */
export const METADATA_KEYS: Record<string, (item: DatasetItem) => string | undefined> = {
  region: regionKey,
  'region and implant': (item) => {
    const region = regionKey(item);
    return region !== undefined && item.metadata?.hardware !== undefined ? `${region}/${item.metadata.hardware ? 'implant' : 'none'}` : undefined;
  },
};

/**
 * The AUC of a classifier that sees only metadata: each image scores the share of fractured images among those
 * with the same metadata value (its body regions, say). A model trained elsewhere can reach this much by telling
 * a hand from a knee, without seeing a fracture; its own AUC means little unless it beats this. The shares are
 * taken from the very images scored, so the baseline is an upper bound on what the metadata alone can do.
 * Returns null when an item lacks the metadata or a class is missing.
 */
export function metadataBaseline(
  name: string,
  items: readonly DatasetItem[],
  options: { positiveLabel: number; seed?: number; nBoot?: number },
): MetadataBaseline | null {
  const keyOf = METADATA_KEYS[name];
  if (!keyOf) throw new Error(`metadataBaseline: unknown baseline ${JSON.stringify(name)}; expected one of ${Object.keys(METADATA_KEYS).join(', ')}`);
  const keys = items.map(keyOf);
  const labels = items.map((item) => item.label);
  const positives = labels.filter((label) => label === options.positiveLabel).length;
  if (keys.some((key) => key === undefined) || positives === 0 || positives === labels.length) return null;
  const counts = new Map<string, { positives: number; n: number }>();
  keys.forEach((key, i) => {
    const entry = counts.get(key!) ?? { positives: 0, n: 0 };
    entry.n++;
    if (labels[i] === options.positiveLabel) entry.positives++;
    counts.set(key!, entry);
  });
  const scores = keys.map((key) => counts.get(key!)!.positives / counts.get(key!)!.n);
  const groups = items.every((item) => item.sourceId !== undefined) ? items.map((item) => `${item.className}/${item.sourceId}`) : undefined;
  const auc = bootstrapCi((sample) => rocAuc(sample.labels, sample.scores as number[], { positiveLabel: options.positiveLabel }), {
    labels,
    scores,
    groups,
    seed: options.seed ?? 0,
    nBoot: options.nBoot ?? 1000,
  });
  return { name, auc, values: counts.size };
}
