import type { DatasetItem } from './dataset-types';

/**
 * A deterministic subset of `size` items that keeps each class's share (largest remainder, so the
 * sizes add up exactly) and spreads over every source radiograph: each class is ordered by source
 * and path, then sampled at even intervals. Taking the first `size` items instead would, on a list
 * ordered by source, train on a handful of radiographs of one class.
 */
export function stratifiedSubset<T extends Pick<DatasetItem, 'path' | 'label' | 'sourceId'>>(items: readonly T[], size: number): T[] {
  if (!Number.isInteger(size) || size < 0) throw new Error(`stratifiedSubset: size must be a non-negative integer, got ${size}`);
  if (size >= items.length) return items.slice();
  const byClass = new Map<number, T[]>();
  for (const item of items) {
    const members = byClass.get(item.label) ?? [];
    members.push(item);
    byClass.set(item.label, members);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const exact = classes.map((label) => (size * byClass.get(label)!.length) / items.length);
  const counts = exact.map(Math.floor);
  const byRemainder = classes.map((_, k) => k).sort((a, b) => exact[b]! - counts[b]! - (exact[a]! - counts[a]!) || a - b);
  for (let k = 0, left = size - counts.reduce((a, b) => a + b, 0); left > 0; k++, left--) counts[byRemainder[k]!]! += 1;

  const subset: T[] = [];
  classes.forEach((label, k) => {
    const members = byClass.get(label)!.slice().sort((a, b) => compare(a.sourceId ?? '', b.sourceId ?? '') || compare(a.path, b.path));
    const take = counts[k]!;
    const step = members.length / take;
    for (let j = 0; j < take; j++) subset.push(members[Math.floor((j + 0.5) * step)]!);
  });
  return subset;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
