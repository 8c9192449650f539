import { bootstrapCi } from './bootstrap-ci';
import { delongAuc, delongTest } from './delong-test';
import { rocAuc } from './roc-curve';

// Small case worked by hand (positives first; label 1 positive):
//   A: positives .9 .8 .3, negatives .4 .2 .1 -> V10 = [1, 1, 2/3], V01 = [2/3, 1, 1], AUC 8/9
//   B: positives .7 .45 .8, negatives .5 .65 .1 -> V10 = [1, 1/3, 1], V01 = [2/3, 2/3, 1], AUC 7/9
//   S10 of the difference: 1/27 + 4/27 + 2 * 1/27 = 7/27; S01: 1/27 + 1/27 - 2 * 1/54 = 1/27
//   variance = (7/27)/3 + (1/27)/3 = 8/81, z = (1/9) / sqrt(8/81) = 1/sqrt(8), p = erfc(0.25)
const y = [1, 1, 1, 0, 0, 0];
const a = [0.9, 0.8, 0.3, 0.4, 0.2, 0.1];
const b = [0.7, 0.45, 0.8, 0.5, 0.65, 0.1];

// Independent reference: DeLong's placement values by direct pair comparison (O(m n)).
function naivePlacements(labels: number[], scores: number[]): { v10: number[]; v01: number[] } {
  const pos = scores.filter((_, i) => labels[i] === 1);
  const neg = scores.filter((_, i) => labels[i] === 0);
  const psi = (x: number, z: number): number => (x > z ? 1 : x === z ? 0.5 : 0);
  return {
    v10: pos.map((x) => neg.reduce((s, z) => s + psi(x, z), 0) / neg.length),
    v01: neg.map((z) => pos.reduce((s, x) => s + psi(x, z), 0) / pos.length),
  };
}
const sampleVariance = (v: number[]): number => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1);
};

function mulberry(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('delongTest', () => {
  test('hand-computed small case', () => {
    const r = delongTest(y, a, b);
    expect(r.aucA).toBeCloseTo(8 / 9, 15);
    expect(r.aucB).toBeCloseTo(7 / 9, 15);
    expect(r.difference).toBeCloseTo(1 / 9, 15);
    expect(r.variance).toBeCloseTo(8 / 81, 15);
    expect(r.z).toBeCloseTo(1 / Math.sqrt(8), 14);
    expect(r.pValue).toBeCloseTo(0.7236736098317631, 13); // erfc(0.25), scipy
  });

  test('symmetric in the two models; identical models give z = 0, p = 1', () => {
    const r = delongTest(y, b, a);
    expect(r.z).toBeCloseTo(-1 / Math.sqrt(8), 14);
    expect(delongTest(y, a, a)).toMatchObject({ difference: 0, variance: 0, z: 0, pValue: 1 });
  });

  test('single-model variance equals var(V10)/m + var(V01)/n from direct pair comparisons, with ties', () => {
    const rnd = mulberry(7);
    const labels = Array.from({ length: 60 }, () => (rnd() < 0.4 ? 1 : 0));
    const scores = labels.map((l) => Math.round((rnd() + 0.4 * l) * 10) / 10); // heavy ties
    const { v10, v01 } = naivePlacements(labels, scores);
    const r = delongAuc(labels, scores);
    expect(r.variance).toBeCloseTo(sampleVariance(v10) / v10.length + sampleVariance(v01) / v01.length, 14);
    expect(r.auc).toBeCloseTo(rocAuc(labels, scores), 14);
    expect(r.lower).toBeCloseTo(r.auc - 1.959963984540054 * r.standardError, 10);
  });

  test('variance of the difference agrees with a seeded bootstrap estimate (within 25 %)', () => {
    const rnd = mulberry(11);
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    const labels: number[] = [];
    const sa: number[] = [];
    const sb: number[] = [];
    for (let i = 0; i < 300; i++) {
      const l = rnd() < 0.4 ? 1 : 0;
      const shared = gauss(); // correlated models: common case difficulty
      labels.push(l);
      sa.push(1.2 * l + shared + 0.6 * gauss());
      sb.push(0.8 * l + shared + 0.6 * gauss());
    }
    const r = delongTest(labels, sa, sb);
    const boot = bootstrapCi<[number, number]>(
      (s) => rocAuc(s.labels, s.scores!.map((v) => v[0])) - rocAuc(s.labels, s.scores!.map((v) => v[1])),
      { labels, scores: sa.map((v, i) => [v, sb[i]] as [number, number]), nBoot: 1500, seed: 3, returnSamples: true },
    );
    const v = sampleVariance(boot.samples!);
    expect(v / r.variance).toBeGreaterThan(0.8);
    expect(v / r.variance).toBeLessThan(1.25);
    expect(r.pValue).toBeLessThan(0.05); // a real difference of this size is detected
  });

  test('errors: single class, length mismatch, NaN', () => {
    expect(() => delongTest([1, 1], [0.1, 0.2], [0.3, 0.4])).toThrow('delongTest: only one class present');
    expect(() => delongTest([0, 1], [0.1, 0.2], [0.3])).toThrow('delongTest: yTrue has 2 entries but scoresB has 1');
    expect(() => delongAuc([0, 1], [0.1, NaN])).toThrow('delongAuc: scores[1] is NaN');
  });
});
