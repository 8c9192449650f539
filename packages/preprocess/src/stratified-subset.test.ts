import { stratifiedSubset } from './stratified-subset';

/** 2 classes; class 0 has 3 sources of 20 images, class 1 has 2 sources of 10, listed source by source. */
function items() {
  const list = [];
  for (const [label, sources, per] of [[0, 3, 20], [1, 2, 10]] as const) {
    for (let s = 0; s < sources; s++) for (let k = 0; k < per; k++) list.push({ path: `c${label}/s${s}-${String(k).padStart(2, '0')}.jpg`, label, sourceId: `s${s}` });
  }
  return list;
}

describe('stratifiedSubset', () => {
  test('keeps the class shares exactly and reaches every source', () => {
    const subset = stratifiedSubset(items(), 16);
    expect(subset).toHaveLength(16);
    // 60:20 of 80 -> 12 and 4.
    expect(subset.filter((item) => item.label === 0)).toHaveLength(12);
    expect(subset.filter((item) => item.label === 1)).toHaveLength(4);
    // Even spacing over each class ordered by source: 4 per source of class 0, 2 per source of class 1.
    for (const s of ['s0', 's1', 's2']) expect(subset.filter((item) => item.label === 0 && item.sourceId === s)).toHaveLength(4);
    for (const s of ['s0', 's1']) expect(subset.filter((item) => item.label === 1 && item.sourceId === s)).toHaveLength(2);
    expect(new Set(subset.map((item) => item.path)).size).toBe(16);
  });

  test('is the same whatever the input order', () => {
    const list = items();
    const reversed = list.slice().reverse();
    const paths = (xs: { path: string }[]) => xs.map((x) => x.path).sort();
    expect(paths(stratifiedSubset(reversed, 10))).toEqual(paths(stratifiedSubset(list, 10)));
  });

  test('hands the rounding remainder to the class with the largest fraction', () => {
    // 7 of 80: exact shares 5.25 and 1.75 -> 5 and 2.
    const subset = stratifiedSubset(items(), 7);
    expect(subset.filter((item) => item.label === 0)).toHaveLength(5);
    expect(subset.filter((item) => item.label === 1)).toHaveLength(2);
  });

  test('returns a copy of everything when size is at least the count, and rejects bad sizes', () => {
    const list = items();
    const all = stratifiedSubset(list, 500);
    expect(all).toEqual(list);
    expect(all).not.toBe(list);
    expect(stratifiedSubset(list, 0)).toEqual([]);
    expect(() => stratifiedSubset(list, -1)).toThrow('stratifiedSubset: size must be a non-negative integer, got -1');
    expect(() => stratifiedSubset(list, 2.5)).toThrow('stratifiedSubset: size must be a non-negative integer');
  });
});
