import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readImageDimensions } from './image-size';
import { scanImageFolder } from './scan-image-folder';
import type { DatasetItem, DatasetLayout, SkippedFile } from './dataset-types';

/** What `inspectDataset` finds in a dataset folder. */
export interface DatasetInspection {
  root: string;
  layout: DatasetLayout;
  total: number;
  /** Images per split folder and class: `counts[split][className]` (split `all` for a flat layout). */
  counts: Record<string, Record<string, number>>;
  classNames: string[];
  skipped: SkippedFile[];
  unreadable: SkippedFile[];
  /** Groups of byte-identical files (by SHA-1), each with two or more paths relative to the root. */
  duplicates: string[][];
  /** Source radiographs `(className, sourceId)` whose images appear in more than one split folder: leakage. */
  sharedSources: { className: string; sourceId: string; splits: string[]; images: number }[];
  /** Number of distinct sources per split and class. */
  sources: Record<string, Record<string, number>>;
  /** Image widths bucketed by powers of two (`'128-255'`, `'256-511'`, ...) and the exact size extremes. */
  widthHistogram: Record<string, number>;
  sizes: { minWidth: number; maxWidth: number; minHeight: number; maxHeight: number };
}

/**
 * Reads every image header of a dataset folder and reports counts, unreadable files, exact
 * duplicates, source radiographs shared between splits and the distribution of image sizes.
 */
export async function inspectDataset(root: string, options: { onProgress?: (done: number, total: number) => void } = {}): Promise<DatasetInspection> {
  const scan = await scanImageFolder(root);
  const counts: Record<string, Record<string, number>> = {};
  const sourceSplits = new Map<string, { className: string; sourceId: string; splits: Set<string>; images: number }>();
  const sources: Record<string, Record<string, Set<string>>> = {};
  const byHash = new Map<string, string[]>();
  const widthHistogram: Record<string, number> = {};
  const sizes = { minWidth: Infinity, maxWidth: 0, minHeight: Infinity, maxHeight: 0 };
  const unreadable = [...scan.unreadable];

  let done = 0;
  for (const item of scan.items) {
    const split = item.split ?? 'all';
    counts[split] ??= {};
    counts[split][item.className] = (counts[split][item.className] ?? 0) + 1;
    recordSource(item, split, sourceSplits, sources);
    try {
      const bytes = new Uint8Array(await fs.readFile(item.path));
      const hash = createHash('sha1').update(bytes).digest('hex');
      const group = byHash.get(hash);
      const relative = path.relative(scan.root, item.path);
      if (group) group.push(relative);
      else byHash.set(hash, [relative]);
      const { width, height } = readImageDimensions(bytes, { path: item.path });
      const bucket = widthBucket(width);
      widthHistogram[bucket] = (widthHistogram[bucket] ?? 0) + 1;
      sizes.minWidth = Math.min(sizes.minWidth, width);
      sizes.maxWidth = Math.max(sizes.maxWidth, width);
      sizes.minHeight = Math.min(sizes.minHeight, height);
      sizes.maxHeight = Math.max(sizes.maxHeight, height);
    } catch (error) {
      unreadable.push({ path: item.path, reason: (error as Error).message });
    }
    options.onProgress?.(++done, scan.items.length);
  }

  return {
    root: scan.root,
    layout: scan.layout,
    total: scan.items.length,
    counts,
    classNames: scan.classNames,
    skipped: scan.skipped,
    unreadable,
    duplicates: [...byHash.values()].filter((paths) => paths.length > 1),
    sharedSources: [...sourceSplits.values()]
      .filter((s) => s.splits.size > 1)
      .map((s) => ({ className: s.className, sourceId: s.sourceId, splits: [...s.splits].sort(), images: s.images })),
    sources: Object.fromEntries(
      Object.entries(sources).map(([split, byClass]) => [split, Object.fromEntries(Object.entries(byClass).map(([c, ids]) => [c, ids.size]))]),
    ),
    widthHistogram: sortBuckets(widthHistogram),
    sizes: scan.items.length > unreadable.length ? sizes : { minWidth: 0, maxWidth: 0, minHeight: 0, maxHeight: 0 },
  };
}

function recordSource(
  item: DatasetItem,
  split: string,
  sourceSplits: Map<string, { className: string; sourceId: string; splits: Set<string>; images: number }>,
  sources: Record<string, Record<string, Set<string>>>,
): void {
  const sourceId = item.sourceId ?? path.basename(item.path);
  const key = `${item.className}\u0000${sourceId}`;
  const entry = sourceSplits.get(key) ?? { className: item.className, sourceId, splits: new Set<string>(), images: 0 };
  entry.splits.add(split);
  entry.images += 1;
  sourceSplits.set(key, entry);
  sources[split] ??= {};
  (sources[split][item.className] ??= new Set()).add(sourceId);
}

function widthBucket(width: number): string {
  const low = 2 ** Math.floor(Math.log2(Math.max(1, width)));
  return `${low}-${2 * low - 1}`;
}

function sortBuckets(histogram: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(histogram).sort(([a], [b]) => parseInt(a, 10) - parseInt(b, 10)));
}
