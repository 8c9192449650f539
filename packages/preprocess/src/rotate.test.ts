import * as tf from '@tensorflow/tfjs-core';
import { loadReferenceCases, maxAbsDiff } from '../test/helpers/reference-fixtures';
import { expectNoLeak, patternImage } from '../test/helpers/tensor-helpers';
import { randomRotation, rotate } from './rotate';

describe('rotate against torchvision F.rotate (tensor path)', () => {
  const cases = loadReferenceCases('rotate');
  afterAll(() => cases.forEach((c) => c.input.dispose()));

  test('bilinear, 30°, fill 0.5: within 1e-4', () => {
    const c = cases.find((k) => k.name === 'rotate-bilinear')!;
    const out = rotate(c.input, 30, { fill: 0.5, interpolation: 'bilinear' });
    expect(maxAbsDiff(out.dataSync(), c.expected)).toBeLessThan(1e-4);
    out.dispose();
  });

  test('nearest, -47°, fill 0: identical except at most 1 % of pixels (float32 vs float64 sample positions on pixel boundaries)', () => {
    const c = cases.find((k) => k.name === 'rotate-nearest')!;
    const out = rotate(c.input, -47, { fill: 0, interpolation: 'nearest' });
    const v = out.dataSync();
    let mismatched = 0;
    for (let i = 0; i < v.length; i++) if (Math.abs(v[i] - c.expected[i]) > 1e-6) mismatched++;
    expect(mismatched / v.length).toBeLessThanOrEqual(0.01);
    out.dispose();
  });
});

describe('rotate', () => {
  test('90° turns a square counter-clockwise exactly (hand-computed)', () => {
    // [[1, 2], [3, 4]] rotated 90° counter-clockwise is [[2, 4], [1, 3]].
    const x = tf.tensor3d([1, 2, 3, 4], [2, 2, 1]);
    const out = rotate(x, 90);
    expect(maxAbsDiff(out.dataSync(), [2, 4, 1, 3])).toBeLessThan(1e-5);
    const back = rotate(out, -90);
    expect(maxAbsDiff(back.dataSync(), [1, 2, 3, 4])).toBeLessThan(1e-5);
    tf.dispose([x, out, back]);
  });

  test('per-channel fill colours the corners uncovered by a 45° turn', () => {
    const x = tf.zeros([9, 9, 3]) as tf.Tensor3D;
    const out = rotate(x, 45, { fill: [0.1, 0.2, 0.3], interpolation: 'nearest' });
    const v = out.dataSync();
    expect(Array.from(v.slice(0, 3), (k) => +k.toFixed(5))).toEqual([0.1, 0.2, 0.3]);
    const centre = (4 * 9 + 4) * 3;
    expect(Array.from(v.slice(centre, centre + 3))).toEqual([0, 0, 0]);
    tf.dispose([x, out]);
  });

  test('randomRotation: same seed same output, different seed differs, per-image angles, no leaks', () => {
    const a = patternImage(10, 10, 1);
    const batch = tf.stack([a, a]) as tf.Tensor4D;
    const r1 = randomRotation(batch, { degrees: 30, seed: 7 });
    const r2 = randomRotation(batch, { degrees: 30, seed: 7 });
    const r3 = randomRotation(batch, { degrees: 30, seed: 8 });
    expect(maxAbsDiff(r1.dataSync(), r2.dataSync())).toBe(0);
    expect(maxAbsDiff(r1.dataSync(), r3.dataSync())).toBeGreaterThan(0.01);
    const [first, second] = tf.unstack(r1);
    expect(maxAbsDiff(first.dataSync(), second.dataSync())).toBeGreaterThan(0.01);
    expectNoLeak(() => randomRotation(batch, { degrees: [-5, 5], seed: 1 }));
    expectNoLeak(() => rotate(a, 12.5));
    tf.dispose([a, batch, r1, r2, r3, first, second]);
  });

  test('validates and names itself', () => {
    const x = patternImage(4, 4, 1);
    expect(() => rotate(x, Number.NaN)).toThrow(/^rotate: expected a finite angle/);
    expect(() => rotate(x, 10, { fill: [1, 2] })).toThrow(/^rotate: expected fill/);
    expect(() => randomRotation(x, { degrees: 5 } as { degrees: number; seed: number })).toThrow(/^randomRotation: expected options.seed/);
    expect(() => randomRotation(x, { degrees: [5, -5], seed: 1 })).toThrow(/^randomRotation: expected degrees/);
    x.dispose();
  });
});
