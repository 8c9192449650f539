import type { DatasetItem, DatasetSplit, SharedSource, SplitOptions, SplitPart } from './dataset-types';
import { createRng } from './rng';
import { sourceGroupKey, sourceIdFromFileName } from './source-id';
import type { Rng } from './types';

/** The study's proportions: 78 % train, 7 % validation, 15 % test. */
export const PAPER_FRACTIONS: readonly [number, number, number] = [0.78, 0.07, 0.15];
const PARTS: readonly SplitPart[] = ['train', 'val', 'test'];

/**
 * Splits a dataset into train, validation and test parts, deterministically for a seed.
 *
 * - `paper` pools everything and cuts a seeded permutation into `floor(0.78 n)`, `floor(0.07 n)` and the rest,
 *   which gives the study's 7,381 / 662 / 1,420 for 9,463 images. Copies of one radiograph land in several parts.
 * - `grouped` keeps every `(className, sourceId)` group in one part and splits each class separately, so that
 *   parts have the same class balance and no radiograph leaks from train into test.
 * - `blocks` keeps every `sourceId` in one part whatever its classes (FracAtlas's blocks of consecutive ids,
 *   duplicates included) and balances every class's share across parts.
 * - `given` keeps the dataset's own split: its `val` (and `test`) folders become the test part, and `train` is
 *   divided into train and validation by source group.
 *
 * The result holds copies of the items whose `split` is the part they were assigned to.
 */
export function splitDataset(items: readonly DatasetItem[], options: SplitOptions): DatasetSplit {
  if (!Array.isArray(items)) throw new Error('splitDataset: expected an array of dataset items');
  if (!options || !['paper', 'grouped', 'given', 'blocks'].includes(options.protocol)) {
    throw new Error(`splitDataset: protocol must be 'paper', 'grouped', 'given' or 'blocks', got ${String(options?.protocol)}`);
  }
  if (!Number.isFinite(options.seed)) throw new Error(`splitDataset: expected a finite seed, got ${options.seed}`);
  const fractions = validateFractions(options.fractions ?? PAPER_FRACTIONS);
  const rng = createRng(options.seed);

  switch (options.protocol) {
    case 'paper': {
      if (!options.stratify) return assemble(cutByFractions(shuffled(items, rng), fractions));
      const parts: DatasetItem[][] = [[], [], []];
      for (const classItems of byClass(items)) {
        cutByFractions(shuffled(classItems, rng.fork()), fractions).forEach((part, i) => parts[i].push(...part));
      }
      return assemble(parts);
    }
    case 'grouped':
      return assemble(groupedParts(items, fractions, rng));
    case 'blocks':
      return assemble(blockParts(items, fractions, rng));
    case 'given': {
      const valFraction = options.valFraction ?? PAPER_FRACTIONS[1] / (PAPER_FRACTIONS[0] + PAPER_FRACTIONS[1]);
      if (!(valFraction >= 0 && valFraction < 1)) {
        throw new Error(`splitDataset: valFraction must be in [0, 1), got ${valFraction}`);
      }
      const unknown = items.find((item) => !['train', 'val', 'test'].includes(item.split ?? ''));
      if (unknown) {
        throw new Error(
          `splitDataset: protocol 'given' needs every item's split to be 'train', 'val' or 'test' (scan a Kaggle layout); ` +
            `${unknown.path} has ${unknown.split === undefined ? 'none' : `'${unknown.split}'`}`,
        );
      }
      const [train, val] = groupedParts(
        items.filter((item) => item.split === 'train'),
        [1 - valFraction, valFraction, 0],
        rng,
      );
      return assemble([train, val, items.filter((item) => item.split !== 'train')]);
    }
  }
}

/** Source groups that appear in more than one part: empty for a leak-free split. */
export function findSharedSources(split: DatasetSplit): SharedSource[] {
  const partsByGroup = new Map<string, { className: string; sourceId: string; parts: Set<SplitPart> }>();
  for (const part of PARTS) {
    for (const item of split[part]) {
      const sourceId = sourceOf(item);
      const key = sourceGroupKey(item.className, sourceId);
      const entry = partsByGroup.get(key) ?? { className: item.className, sourceId, parts: new Set<SplitPart>() };
      entry.parts.add(part);
      partsByGroup.set(key, entry);
    }
  }
  return [...partsByGroup.values()]
    .filter((entry) => entry.parts.size > 1)
    .map((entry) => ({ className: entry.className, sourceId: entry.sourceId, parts: PARTS.filter((p) => entry.parts.has(p)) }));
}

function validateFractions(fractions: readonly number[]): [number, number, number] {
  const valid =
    Array.isArray(fractions) &&
    fractions.length === 3 &&
    fractions.every((f) => Number.isFinite(f) && f >= 0) &&
    Math.abs(fractions[0] + fractions[1] + fractions[2] - 1) < 1e-9;
  if (!valid) {
    throw new Error(`splitDataset: fractions must be three non-negative numbers summing to 1, got [${String(fractions)}]`);
  }
  return [fractions[0], fractions[1], fractions[2]];
}

function sourceOf(item: DatasetItem): string {
  return item.sourceId ?? sourceIdFromFileName(item.path);
}

function shuffled<T>(values: readonly T[], rng: Rng): T[] {
  const result = values.slice();
  for (let i = result.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

/** Sizes as the study computed them: `int(f * n)` for train and validation, the remainder for test. */
function cutByFractions(values: DatasetItem[], fractions: [number, number, number]): DatasetItem[][] {
  const trainSize = Math.floor(fractions[0] * values.length);
  const valSize = Math.floor(fractions[1] * values.length);
  return [values.slice(0, trainSize), values.slice(trainSize, trainSize + valSize), values.slice(trainSize + valSize)];
}

function byClass(items: readonly DatasetItem[]): DatasetItem[][] {
  const classes = new Map<string, DatasetItem[]>();
  for (const item of items) {
    const list = classes.get(item.className) ?? [];
    list.push(item);
    classes.set(item.className, list);
  }
  return [...classes.keys()].sort().map((name) => classes.get(name) as DatasetItem[]);
}

/**
 * Per class, visits source groups in seeded random order and gives each to the part furthest below its target
 * number of images. The parts then miss their targets by at most about one group.
 */
function groupedParts(items: readonly DatasetItem[], fractions: [number, number, number], rng: Rng): DatasetItem[][] {
  const order = new Map(items.map((item, index) => [item, index]));
  const parts: DatasetItem[][] = [[], [], []];
  for (const classItems of byClass(items)) {
    const groups = new Map<string, DatasetItem[]>();
    for (const item of classItems) {
      const key = sourceOf(item);
      const group = groups.get(key) ?? [];
      group.push(item);
      groups.set(key, group);
    }
    const targets = fractions.map((f) => f * classItems.length);
    const counts = [0, 0, 0];
    for (const group of shuffled([...groups.values()], rng.fork())) {
      let best = -1;
      for (let p = 0; p < 3; p++) {
        if (fractions[p] === 0) continue;
        if (best < 0 || targets[p] - counts[p] > targets[best] - counts[best]) best = p;
      }
      parts[best].push(...group);
      counts[best] += group.length;
    }
  }
  return parts.map((part) => part.sort((a, b) => (order.get(a) as number) - (order.get(b) as number)));
}

/**
 * Deals blocks in seeded random order to the part furthest below its share of images, then moves single blocks
 * between parts while that lowers the summed squared relative error of every part's count of every class against
 * its target. The greedy pass alone cannot balance a rare class whose images cluster in a few blocks (FracAtlas);
 * the moves do, to within about one block.
 */
function blockParts(items: readonly DatasetItem[], fractions: [number, number, number], rng: Rng): DatasetItem[][] {
  const order = new Map(items.map((item, index) => [item, index]));
  const classNames = [...new Set(items.map((item) => item.className))].sort();
  const classIndex = new Map(classNames.map((name, index) => [name, index]));
  const totals = classNames.map(() => 0);
  const blockMap = new Map<string, DatasetItem[]>();
  for (const item of items) {
    totals[classIndex.get(item.className) as number]++;
    const key = sourceOf(item);
    const block = blockMap.get(key) ?? [];
    block.push(item);
    blockMap.set(key, block);
  }
  const blocks = shuffled([...blockMap.values()], rng).map((members) => {
    const counts = classNames.map(() => 0);
    for (const item of members) counts[classIndex.get(item.className) as number]++;
    return { members, counts, part: -1 };
  });
  const live = [0, 1, 2].filter((p) => fractions[p] > 0);
  const targets = [0, 1, 2].map((p) => totals.map((total) => fractions[p] * total));
  const placed = [0, 1, 2].map(() => classNames.map(() => 0));
  const error = (p: number, c: number, count: number) => (targets[p][c] > 0 ? ((count - targets[p][c]) / targets[p][c]) ** 2 : 0);
  const place = (block: (typeof blocks)[number], p: number, sign: 1 | -1) => {
    block.counts.forEach((n, c) => (placed[p][c] += sign * n));
  };

  const sizes = [0, 0, 0];
  for (const block of blocks) {
    const best = live.reduce((a, b) => (sizes[b] / fractions[b] < sizes[a] / fractions[a] ? b : a));
    block.part = best;
    place(block, best, 1);
    sizes[best] += block.members.length;
  }
  for (let pass = 0; pass < 50; pass++) {
    let moved = false;
    for (const block of blocks) {
      const from = block.part;
      let best = from;
      let bestGain = 1e-12;
      for (const to of live) {
        if (to === from) continue;
        let gain = 0;
        block.counts.forEach((n, c) => {
          if (n === 0) return;
          gain += error(from, c, placed[from][c]) + error(to, c, placed[to][c]);
          gain -= error(from, c, placed[from][c] - n) + error(to, c, placed[to][c] + n);
        });
        if (gain > bestGain) {
          bestGain = gain;
          best = to;
        }
      }
      if (best !== from) {
        place(block, from, -1);
        place(block, best, 1);
        block.part = best;
        moved = true;
      }
    }
    if (!moved) break;
  }
  const parts: DatasetItem[][] = [[], [], []];
  for (const block of blocks) parts[block.part].push(...block.members);
  return parts.map((part) => part.sort((a, b) => (order.get(a) as number) - (order.get(b) as number)));
}

function assemble(parts: DatasetItem[][]): DatasetSplit {
  const [train, val, test] = parts.map((part, i) => part.map((item) => ({ ...item, split: PARTS[i] })));
  return { train, val, test };
}
