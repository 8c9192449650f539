import { createBatchLoader } from './batch-loader';
import type { Batch, BatchLoader, BatchLoaderOptions, DatasetItem, SkippedFile } from './dataset-types';
import { createRng } from './rng';

/** Options for `createClassBalancedLoader`: the loader's, plus how many images of each class an epoch draws. */
export interface ClassBalancedLoaderOptions extends Omit<BatchLoaderOptions, 'shuffle'> {
  /**
   * Images per epoch for each label. A label absent here contributes all its images. Fewer than the class has:
   * a fresh seeded sample every epoch (undersampling); more: every image, then a seeded sample of repeats.
   */
  perEpoch: Readonly<Record<number, number>>;
}

/**
 * A batch source that redraws its epoch from each class (for example all 340 fractured images and 680 of the
 * 2,200 not fractured ones): on data with a 1 : 5 imbalance, every epoch then sees the rare class as often as the
 * common one is worth, and the common class's images rotate through the epochs. The draw and the order are seeded
 * by `(seed, epoch)`, so a resumed run sees the same epochs.
 */
export function createClassBalancedLoader(items: readonly DatasetItem[], options: ClassBalancedLoaderOptions): BatchLoader {
  const fn = 'createClassBalancedLoader';
  if (!Array.isArray(items) || items.length === 0) throw new Error(`${fn}: expected a non-empty array of dataset items`);
  const byLabel = new Map<number, DatasetItem[]>();
  for (const item of items) {
    const list = byLabel.get(item.label) ?? [];
    list.push(item);
    byLabel.set(item.label, list);
  }
  const counts = new Map<number, number>();
  for (const [label, list] of byLabel) counts.set(label, list.length);
  for (const [key, value] of Object.entries(options.perEpoch ?? {})) {
    const label = Number(key);
    if (!byLabel.has(label)) throw new Error(`${fn}: perEpoch names label ${key}, which no item has`);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${fn}: perEpoch[${key}] must be a non-negative integer, got ${value}`);
    counts.set(label, value);
  }
  const size = [...counts.values()].reduce((a, b) => a + b, 0);
  if (size === 0) throw new Error(`${fn}: an epoch would have no images`);
  const batchSize = options.batchSize;
  const failures: SkippedFile[] = [];
  const cacheStats = { hits: 0, misses: 0 };
  const seed = options.seed ?? 0;

  const epochItems = (epoch: number): DatasetItem[] => {
    const rng = createRng(seed * 7919 + epoch * 104729 + 1);
    const chosen: DatasetItem[] = [];
    for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
      const list = byLabel.get(label) as DatasetItem[];
      const wanted = counts.get(label) as number;
      const shuffled = list.slice();
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rng.int(0, i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      for (let k = 0; k < wanted; k++) chosen.push(shuffled[k % shuffled.length]);
    }
    return chosen;
  };

  return {
    size,
    batchSize,
    numBatches: options.dropLast ? Math.floor(size / batchSize) : Math.ceil(size / batchSize),
    failures,
    cacheStats,
    supportsStartBatch: true,
    async *batches(epoch = 0, batchesOptions: { startBatch?: number } = {}): AsyncGenerator<Batch> {
      const loader = createBatchLoader(epochItems(epoch), { ...options, shuffle: true, seed: seed + epoch });
      try {
        yield* loader.batches(epoch, batchesOptions);
      } finally {
        for (const failure of loader.failures) if (!failures.some((f) => f.path === failure.path)) failures.push(failure);
        cacheStats.hits += loader.cacheStats.hits;
        cacheStats.misses += loader.cacheStats.misses;
      }
    },
  };
}
