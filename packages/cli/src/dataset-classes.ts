import { CLASS_NAMES } from '@fracture/preprocess';
import type { DatasetItem } from '@fracture/preprocess';

const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');

/**
 * Refuses class folders other than exactly the study's two. Labels come from folder names, so any other names
 * would be mapped by sort order (`negative` would become "fractured"), and a third folder would only fail after
 * the split was written; a wrong mapping cannot be noticed later, so it is refused before anything is written.
 */
export function checkClassFolders(classNames: readonly string[], root: string, fn: string): void {
  const expected = [...CLASS_NAMES];
  const same = classNames.length === expected.length && classNames.every((name, i) => name === expected[i]);
  if (same) return;
  const extra = classNames.filter((name) => !expected.includes(name as (typeof CLASS_NAMES)[number]));
  const missing = expected.filter((name) => !classNames.includes(name));
  throw new Error(
    `${fn}: ${root}: class folders are ${quoted(classNames)}; expected exactly ${quoted(expected)}` +
      `${extra.length ? ` (unexpected: ${quoted(extra)})` : ''}${missing.length ? ` (missing: ${quoted(missing)})` : ''}. ` +
      'Labels are not guessed from folder order: rename the folders to fracture\'s class names (or move the others out).',
  );
}

/**
 * Refuses a part of a split where a class has no images: a model trained on one class, or validated on one,
 * reports a perfect score that means nothing.
 */
export function checkClassCounts(items: readonly DatasetItem[], part: string, root: string, fn: string): void {
  if (items.length === 0) return;
  const counts = new Map<string, number>(CLASS_NAMES.map((name) => [name, 0]));
  for (const item of items) counts.set(item.className, (counts.get(item.className) ?? 0) + 1);
  const empty = [...counts].filter(([, n]) => n === 0).map(([name]) => name);
  if (empty.length === 0) return;
  const summary = [...counts].map(([name, n]) => `${name} ${n}`).join(', ');
  throw new Error(`${fn}: ${root}: the ${part} images have no ${quoted(empty)} images (${summary}); training needs readable images of both classes`);
}
