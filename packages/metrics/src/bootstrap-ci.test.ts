import { accuracy } from './accuracy';
import { bootstrapCi, quantile } from './bootstrap-ci';
import { rocAuc } from './roc-curve';

function mulberry(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Fraction of samples predicted right, without validation overhead: the simulation calls it 80,000 times.
const hitRate = (s: { labels: (number | string)[]; predictions?: (number | string)[] }): number => {
  let hits = 0;
  for (let i = 0; i < s.labels.length; i++) if (s.labels[i] === s.predictions![i]) hits++;
  return hits / s.labels.length;
};

describe('quantile', () => {
  test('linear interpolation as numpy.quantile', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 15);
    expect(quantile([7], 0.9)).toBe(7);
  });
});

describe('bootstrapCi', () => {
  test('a 95 % interval for a Bernoulli accuracy covers the true value in ~95 % of 200 seeded repetitions', () => {
    const p = 0.8;
    const n = 150;
    const reps = 200;
    const rnd = mulberry(2024);
    let covered = 0;
    for (let r = 0; r < reps; r++) {
      const labels = Array.from({ length: n }, () => (rnd() < 0.5 ? 0 : 1));
      const predictions = labels.map((l) => (rnd() < p ? l : 1 - l));
      const ci = bootstrapCi(hitRate, { labels, predictions, nBoot: 400, seed: r });
      if (ci.lower <= p && p <= ci.upper) covered++;
    }
    // Binomial(200, 0.95): sd 3.1 repetitions. Percentile intervals run slightly narrow at this n,
    // so the band is asymmetric: [0.90, 0.99].
    expect(covered / reps).toBeGreaterThanOrEqual(0.9);
    expect(covered / reps).toBeLessThanOrEqual(0.99);
  });

  test('seeded: same seed, same interval; another seed, another interval', () => {
    const labels = [0, 0, 0, 1, 1, 1, 1, 0, 1, 0];
    const predictions = [0, 1, 0, 1, 1, 0, 1, 0, 1, 1];
    const a = bootstrapCi(hitRate, { labels, predictions, nBoot: 200, seed: 5, returnSamples: true });
    expect(bootstrapCi(hitRate, { labels, predictions, nBoot: 200, seed: 5, returnSamples: true })).toEqual(a);
    expect(bootstrapCi(hitRate, { labels, predictions, nBoot: 200, seed: 6, returnSamples: true }).samples).not.toEqual(a.samples);
    expect(a.estimate).toBe(0.7);
    expect(a.lower).toBeLessThanOrEqual(0.7);
    expect(a.upper).toBeGreaterThanOrEqual(0.7);
  });

  test('stratified resamples keep the class counts; unstratified ones do not', () => {
    const labels = [0, 0, 0, 1, 1, 1, 1, 1, 1, 1];
    const scores = [0.1, 0.4, 0.6, 0.3, 0.7, 0.8, 0.9, 0.65, 0.75, 0.2];
    const positivesSeen = new Set<number>();
    const ci = bootstrapCi((s) => {
      positivesSeen.add(s.labels.filter((l) => l === 1).length);
      return rocAuc(s.labels, s.scores!);
    }, { labels, scores, nBoot: 300, seed: 1 });
    expect([...positivesSeen]).toEqual([7]);
    expect(ci.skipped).toBe(0);
    expect(ci.stratified).toBe(true);
  });

  test('resamples where the metric is undefined are skipped and counted', () => {
    const labels = [0, 1, 1, 1, 1, 1, 1, 1];
    const scores = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    const ci = bootstrapCi((s) => rocAuc(s.labels, s.scores!), { labels, scores, nBoot: 300, seed: 1, stratified: false, returnSamples: true });
    // P(no negative in 8 draws) = (7/8)^8 = 0.34: about 100 of 300 skipped
    expect(ci.skipped).toBeGreaterThan(60);
    expect(ci.skipped).toBeLessThan(150);
    expect(ci.samples).toHaveLength(300 - ci.skipped);
  });

  test('groups: whole groups are resampled, and near-copies widen the interval', () => {
    // 30 source radiographs, 10 identical copies each: the information is 30 cases, not 300 images.
    const rnd = mulberry(99);
    const labels: number[] = [];
    const predictions: number[] = [];
    const groups: string[] = [];
    for (let g = 0; g < 30; g++) {
      const label = g % 2;
      const right = rnd() < 0.7;
      for (let c = 0; c < 10; c++) {
        labels.push(label);
        predictions.push(right ? label : 1 - label);
        groups.push(`radiograph-${g}`);
      }
    }
    const perImage = bootstrapCi(hitRate, { labels, predictions, nBoot: 400, seed: 2 });
    const perGroup = bootstrapCi(
      (s) => {
        const counts = new Map<string, number>();
        for (const i of s.indices) counts.set(groups[i], (counts.get(groups[i]) ?? 0) + 1);
        for (const c of counts.values()) if (c % 10 !== 0) throw new Error('a group was split');
        return hitRate(s);
      },
      { labels, predictions, groups, nBoot: 400, seed: 2 },
    );
    expect(perGroup.skipped).toBe(0);
    expect(perGroup.stratified).toBe(true);
    // Width scales with 1/sqrt(effective n): about sqrt(10) = 3.2 times wider.
    expect(perGroup.upper - perGroup.lower).toBeGreaterThan(2 * (perImage.upper - perImage.lower));
  });

  test('groups that mix classes fall back to unstratified group resampling', () => {
    const ci = bootstrapCi((s) => accuracy(s.labels, s.predictions!, { labels: [0, 1] }), {
      labels: [0, 1, 0, 1],
      predictions: [0, 1, 1, 1],
      groups: ['a', 'a', 'b', 'b'],
      nBoot: 50,
      seed: 1,
    });
    expect(ci.stratified).toBe(false);
  });

  test('bad input names the function', () => {
    expect(() => bootstrapCi(hitRate, { labels: [], seed: 1 })).toThrow('bootstrapCi: labels is empty');
    expect(() => bootstrapCi(hitRate, { labels: [0, 1], predictions: [0], seed: 1 })).toThrow('bootstrapCi: labels has 2 entries but predictions has 1');
    expect(() => bootstrapCi(hitRate, { labels: [0, 1], predictions: [0, 1], seed: 1, alpha: 2 })).toThrow('bootstrapCi: alpha must be in (0, 1)');
    expect(() => bootstrapCi(hitRate, { labels: [0, 1], predictions: [0, 1] } as never)).toThrow('bootstrapCi: a seed is required');
    expect(() => bootstrapCi(() => NaN, { labels: [0, 1], seed: 1 })).toThrow('bootstrapCi: the metric is undefined');
  });
});
