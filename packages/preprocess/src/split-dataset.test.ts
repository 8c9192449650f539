import type { DatasetItem, DatasetSplit } from './dataset-types';
import { createRng } from './rng';
import { blockId } from './fracatlas-layout';
import { findSharedSources, splitDataset } from './split-dataset';

/** A dataset shaped like the Kaggle one: per class, sources with 20-60 rotated copies each. */
function fakeDataset(sourcesPerClass: [number, number], seed = 1): DatasetItem[] {
  const rng = createRng(seed);
  const items: DatasetItem[] = [];
  ['fractured', 'not fractured'].forEach((className, label) => {
    for (let s = 0; s < sourcesPerClass[label]; s++) {
      const copies = rng.int(20, 61);
      for (let k = 0; k < copies; k++) {
        items.push({ path: `/d/train/${className}/${s}-rotated${k}.jpg`, label, className, split: 'train', sourceId: String(s) });
      }
    }
  });
  return items;
}

function flat(split: DatasetSplit): DatasetItem[] {
  return [...split.train, ...split.val, ...split.test];
}

function pathsOf(items: DatasetItem[]): string[] {
  return items.map((i) => i.path);
}

describe('splitDataset', () => {
  test("'paper' reproduces the study's 7,381 / 662 / 1,420 of 9,463 images", () => {
    const items = Array.from({ length: 9463 }, (_, i): DatasetItem => ({
      path: `/d/${i}.jpg`,
      label: i % 2,
      className: i % 2 ? 'not fractured' : 'fractured',
    }));
    const split = splitDataset(items, { protocol: 'paper', seed: 42 });
    expect([split.train.length, split.val.length, split.test.length]).toEqual([7381, 662, 1420]);
    expect(new Set(pathsOf(flat(split))).size).toBe(9463);
    expect(split.train.every((i) => i.split === 'train') && split.test.every((i) => i.split === 'test')).toBe(true);
    // int(0.78 * n), int(0.07 * n), remainder, as the study's notebook computed them.
    const sizes = (n: number) => {
      const s = splitDataset(items.slice(0, n), { protocol: 'paper', seed: 0 });
      return [s.train.length, s.val.length, s.test.length];
    };
    expect(sizes(100)).toEqual([78, 7, 15]);
    expect(sizes(10)).toEqual([7, 0, 3]);
    expect(sizes(0)).toEqual([0, 0, 0]);
  });

  test("'paper' is deterministic by seed and does not mutate its input", () => {
    const items = fakeDataset([5, 4]);
    const before = JSON.stringify(items);
    const a = splitDataset(items, { protocol: 'paper', seed: 7 });
    const b = splitDataset(items, { protocol: 'paper', seed: 7 });
    const c = splitDataset(items, { protocol: 'paper', seed: 8 });
    expect(pathsOf(a.test)).toEqual(pathsOf(b.test));
    expect(pathsOf(a.test)).not.toEqual(pathsOf(c.test));
    expect(JSON.stringify(items)).toBe(before);
    // An image-level split of rotated copies leaks radiographs: this is the study's flaw the grouped split fixes.
    expect(findSharedSources(a).length).toBeGreaterThan(0);
  });

  test("'paper' with stratify keeps the class balance in every part", () => {
    const items = fakeDataset([12, 6]);
    const split = splitDataset(items, { protocol: 'paper', seed: 3, stratify: true });
    const share = (part: DatasetItem[]) => part.filter((i) => i.label === 0).length / part.length;
    const overall = share(items);
    for (const part of [split.train, split.test]) expect(Math.abs(share(part) - overall)).toBeLessThan(0.01);
  });

  test("'grouped' shares no source between parts, keeps proportions per class within one group, covers everything", () => {
    const items = fakeDataset([121, 70]);
    const split = splitDataset(items, { protocol: 'grouped', seed: 11 });
    expect(findSharedSources(split)).toEqual([]);
    expect(pathsOf(flat(split)).sort()).toEqual(pathsOf(items).sort());
    const largestGroup = 60;
    for (const label of [0, 1]) {
      const total = items.filter((i) => i.label === label).length;
      const fractions = [0.78, 0.07, 0.15];
      [split.train, split.val, split.test].forEach((part, p) => {
        const count = part.filter((i) => i.label === label).length;
        expect(Math.abs(count - fractions[p] * total)).toBeLessThanOrEqual(largestGroup);
      });
    }
    const again = splitDataset(items, { protocol: 'grouped', seed: 11 });
    expect(pathsOf(again.val)).toEqual(pathsOf(split.val));
    expect(pathsOf(splitDataset(items, { protocol: 'grouped', seed: 12 }).val)).not.toEqual(pathsOf(split.val));
  });

  test("'grouped' treats the same source number in two classes as two radiographs", () => {
    const items: DatasetItem[] = [
      { path: '/a/1.jpg', label: 0, className: 'fractured', sourceId: '1' },
      { path: '/b/1.jpg', label: 1, className: 'not fractured', sourceId: '1' },
    ];
    const split = splitDataset(items, { protocol: 'grouped', seed: 0, fractions: [0.5, 0, 0.5] });
    expect(findSharedSources(split)).toEqual([]);
    // Each class has one group, which goes to the part with the largest target: train.
    expect(pathsOf(split.train)).toEqual(['/a/1.jpg', '/b/1.jpg']);
  });

  test("'grouped' derives missing source ids from file names", () => {
    const items: DatasetItem[] = ['3-rotated1', '3', '3-rotated2', '4', '5'].map((n) => ({
      path: `/x/${n}.jpg`,
      label: 0,
      className: 'fractured',
    }));
    const split = splitDataset(items, { protocol: 'grouped', seed: 5 });
    const partOf3 = ['train', 'val', 'test'].filter((p) =>
      split[p as keyof DatasetSplit].some((i) => i.path.startsWith('/x/3')),
    );
    expect(partOf3).toHaveLength(1);
    expect(findSharedSources(split)).toEqual([]);
  });

  test("'given' tests on the dataset's val folder and carves validation out of train by source", () => {
    const train = fakeDataset([30, 20]);
    const val: DatasetItem[] = [
      { path: '/d/val/fractured/900.jpg', label: 0, className: 'fractured', split: 'val', sourceId: '900' },
      { path: '/d/val/not fractured/901.jpg', label: 1, className: 'not fractured', split: 'val', sourceId: '901' },
    ];
    const split = splitDataset([...train, ...val], { protocol: 'given', seed: 1, valFraction: 0.2 });
    expect(pathsOf(split.test)).toEqual(pathsOf(val));
    expect(split.train.length + split.val.length).toBe(train.length);
    expect(findSharedSources(split)).toEqual([]);
    expect(Math.abs(split.val.length / train.length - 0.2)).toBeLessThan(0.06);
    expect(split.train.every((i) => i.split === 'train')).toBe(true);
  });

  test('findSharedSources names the leaking group and the parts it is in', () => {
    const item = (path: string, sourceId: string): DatasetItem => ({ path, label: 1, className: 'not fractured', sourceId });
    const shared = findSharedSources({ train: [item('/t/4-r.jpg', '4'), item('/t/5.jpg', '5')], val: [], test: [item('/v/4.jpg', '4')] });
    expect(shared).toEqual([{ className: 'not fractured', sourceId: '4', parts: ['train', 'test'] }]);
  });

  test('invalid options are errors that name the function', () => {
    const items = fakeDataset([2, 2]);
    expect(() => splitDataset(items, { protocol: 'random' as 'paper', seed: 0 })).toThrow(/^splitDataset: protocol must be/);
    expect(() => splitDataset(items, { protocol: 'paper', seed: NaN })).toThrow(/^splitDataset: expected a finite seed/);
    expect(() => splitDataset(items, { protocol: 'paper', seed: 0, fractions: [0.5, 0.5, 0.5] })).toThrow(/summing to 1/);
    const noSplit = items.map(({ split: _split, ...rest }) => rest);
    expect(() => splitDataset(noSplit, { protocol: 'given', seed: 0 })).toThrow(/^splitDataset: protocol 'given' needs/);
  });
});

describe("splitDataset({ protocol: 'blocks' })", () => {
  /** 60 blocks of 20 ids; the rare class clusters in a few blocks, as FracAtlas's fractured images do. */
  function clusteredItems() {
    const items = [];
    for (let id = 0; id < 1200; id++) {
      const block = Math.floor(id / 20);
      const fractured = block % 15 === 3 ? true : block % 15 === 7 ? id % 20 < 10 : id % 20 === 0 && block % 2 === 0;
      items.push({ path: `/d/IMG${String(id).padStart(7, '0')}.jpg`, label: fractured ? 0 : 1, className: fractured ? 'fractured' : 'not fractured', sourceId: blockId(`IMG${id}`, 20) });
    }
    return items;
  }

  test('every block lands in one part, whatever its classes', () => {
    const split = splitDataset(clusteredItems(), { protocol: 'blocks', seed: 3, fractions: [0.7, 0.1, 0.2] });
    const partsOf = new Map<string, Set<string>>();
    for (const part of ['train', 'val', 'test'] as const) {
      for (const item of split[part]) {
        expect(item.split).toBe(part);
        partsOf.set(item.sourceId as string, (partsOf.get(item.sourceId as string) ?? new Set()).add(part));
      }
    }
    expect(partsOf.size).toBe(60);
    for (const parts of partsOf.values()) expect(parts.size).toBe(1);
    expect(findSharedSources(split)).toEqual([]);
  });

  test('each part gets its share of each class, within one block', () => {
    const items = clusteredItems();
    const positives = items.filter((i) => i.label === 0).length;
    const negatives = items.length - positives;
    for (const seed of [0, 1, 2]) {
      const split = splitDataset(items, { protocol: 'blocks', seed, fractions: [0.7, 0.1, 0.2] });
      (['train', 'val', 'test'] as const).forEach((part, p) => {
        const fraction = [0.7, 0.1, 0.2][p];
        const pos = split[part].filter((i) => i.label === 0).length;
        expect(Math.abs(pos - fraction * positives)).toBeLessThanOrEqual(20);
        expect(Math.abs(split[part].length - pos - fraction * negatives)).toBeLessThanOrEqual(20);
      });
    }
  });

  test('deterministic for a seed, different across seeds, items kept in input order', () => {
    const items = clusteredItems();
    const a = splitDataset(items, { protocol: 'blocks', seed: 5 });
    expect(splitDataset(items, { protocol: 'blocks', seed: 5 })).toEqual(a);
    expect(splitDataset(items, { protocol: 'blocks', seed: 6 }).test.map((i) => i.path)).not.toEqual(a.test.map((i) => i.path));
    const order = new Map(items.map((item, index) => [item.path, index]));
    for (const part of [a.train, a.val, a.test]) {
      const indices = part.map((i) => order.get(i.path) as number);
      expect(indices).toEqual([...indices].sort((x, y) => x - y));
    }
  });

  test('an unknown protocol names all four', () => {
    expect(() => splitDataset([], { protocol: 'random' as never, seed: 0 })).toThrow(
      "splitDataset: protocol must be 'paper', 'grouped', 'given' or 'blocks', got random",
    );
  });
});
