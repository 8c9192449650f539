import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CLASS_NAMES } from './class-names';
import type { DatasetItem, SyntheticDatasetSummary, WriteSyntheticDatasetOptions } from './dataset-types';
import { encodePng } from './encode-png';
import { createRng } from './rng';
import { generateSyntheticRadiographs } from './synthetic-radiographs';

/**
 * Writes synthetic radiographs as 8-bit gray PNGs in the Kaggle layout (`dir/{train,val}/<class>/`) or as a
 * plain image folder (`dir/<class>/`). Each source radiograph is written as `N.png` and its variants as
 * `N-rotatedK.png`, like the Kaggle set, so grouped splits have something to group. In the Kaggle layout,
 * `valFraction` of each class's sources go to `val`, whole. Refuses a directory that is not empty.
 */
export async function writeSyntheticDataset(dir: string, options: WriteSyntheticDatasetOptions): Promise<SyntheticDatasetSummary> {
  const layout = options?.layout ?? 'kaggle';
  if (layout !== 'kaggle' && layout !== 'image-folder') {
    throw new Error(`writeSyntheticDataset: layout must be 'kaggle' or 'image-folder', got ${String(layout)}`);
  }
  const valFraction = options.valFraction ?? 0.2;
  if (!(valFraction >= 0 && valFraction <= 1)) {
    throw new Error(`writeSyntheticDataset: valFraction must be in [0, 1], got ${valFraction}`);
  }
  const root = path.resolve(dir);
  const existing = await readdir(root).catch(() => [] as string[]);
  if (existing.length > 0) throw new Error(`writeSyntheticDataset: ${root} is not empty`);

  const radiographs = generateSyntheticRadiographs({ variantsPerSource: 4, ...options });

  // Val sources are drawn per class so that both splits hold both classes.
  const valSources = new Set<string>();
  if (layout === 'kaggle') {
    const rng = createRng(options.seed ^ 0x51f15e);
    for (const className of CLASS_NAMES) {
      const sources = [...new Set(radiographs.filter((r) => r.className === className).map((r) => r.sourceId))];
      for (let i = sources.length - 1; i > 0; i--) {
        const j = rng.int(0, i + 1);
        [sources[i], sources[j]] = [sources[j], sources[i]];
      }
      sources.slice(0, Math.round(valFraction * sources.length)).forEach((s) => valSources.add(s));
    }
  }

  const items: DatasetItem[] = [];
  const variantIndex = new Map<string, number>();
  for (const radiograph of radiographs) {
    const k = variantIndex.get(radiograph.sourceId) ?? 0;
    variantIndex.set(radiograph.sourceId, k + 1);
    const fileName = k === 0 ? `${radiograph.sourceId}.png` : `${radiograph.sourceId}-rotated${k}.png`;
    const split = layout === 'kaggle' ? (valSources.has(radiograph.sourceId) ? 'val' : 'train') : undefined;
    const file = path.join(root, ...(split ? [split] : []), radiograph.className, fileName);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, encodePng(radiograph.image));
    const item: DatasetItem = { path: file, label: radiograph.label, className: radiograph.className, sourceId: radiograph.sourceId };
    if (split) item.split = split;
    items.push(item);
  }
  // The order scanImageFolder reports: split, class, file name by code point.
  items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, layout, items, classNames: [...CLASS_NAMES] };
}
