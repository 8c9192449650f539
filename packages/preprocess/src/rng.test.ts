import { createRng, restoreRng, toRng } from './rng';

describe('createRng', () => {
  test('same seed gives the same sequence, different seeds differ', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 100 }, () => a.next());
    const sb = Array.from({ length: 100 }, () => b.next());
    const sc = Array.from({ length: 100 }, () => c.next());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  test('uniform output has the moments of U(0,1) and normal those of N(0,1)', () => {
    const rng = createRng(7);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      sumSq += u * u;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sumSq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
    let zs = 0;
    let zsq = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      zs += z;
      zsq += z * z;
    }
    expect(zs / n).toBeCloseTo(0, 1);
    expect(zsq / n).toBeCloseTo(1, 1);
  });

  test('int stays in [low, high) and hits every value', () => {
    const rng = createRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const k = rng.int(3, 8);
      expect(k).toBeGreaterThanOrEqual(3);
      expect(k).toBeLessThan(8);
      seen.add(k);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  test('restoreRng continues the exact sequence from a JSON round-tripped state', () => {
    const rng = createRng(99);
    for (let i = 0; i < 37; i++) rng.next();
    const saved = JSON.parse(JSON.stringify(rng.state()));
    const expected = Array.from({ length: 20 }, () => rng.next());
    const resumed = restoreRng(saved);
    expect(Array.from({ length: 20 }, () => resumed.next())).toEqual(expected);
  });

  test('rejects bad seeds and states with a named error', () => {
    expect(() => createRng(Number.NaN)).toThrow('createRng: expected a finite numeric seed');
    expect(() => restoreRng({ words: [1, 2] } as never)).toThrow('restoreRng:');
  });

  test('toRng accepts a seed or a generator', () => {
    const g = createRng(5);
    expect(toRng(g)).toBe(g);
    expect(toRng(5).next()).toBe(createRng(5).next());
  });
});
