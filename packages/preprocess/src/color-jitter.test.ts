import * as tf from '@tensorflow/tfjs-core';
import { loadReferenceCases, maxAbsDiff } from '../test/helpers/reference-fixtures';
import { expectNoLeak, patternImage } from '../test/helpers/tensor-helpers';
import {
  adjustBrightness,
  adjustBrightnessPixels,
  adjustContrast,
  adjustContrastPixels,
  adjustSaturation,
  colorJitter,
  colorJitterPixels,
  colorJitterRanges,
} from './color-jitter';
import type { PixelImage } from './image-types';
import { createRng } from './rng';

const ops = { adjustBrightness, adjustContrast, adjustSaturation };

describe('adjustments against torchvision F.adjust_*', () => {
  const cases = [
    ...loadReferenceCases('adjustBrightness'),
    ...loadReferenceCases('adjustContrast'),
    ...loadReferenceCases('adjustSaturation'),
  ];
  afterAll(() => cases.forEach((c) => c.input.dispose()));

  test.each(['adjust-brightness', 'adjust-contrast', 'adjust-saturation', 'adjust-saturation-low', 'adjust-contrast-gray'])(
    '%s within 1e-5',
    (name) => {
      const c = cases.find((k) => k.name === name)!;
      const op = ops[c.op as keyof typeof ops];
      const out = op(c.input, (c.params as { factor: number }).factor);
      expect(maxAbsDiff(out.dataSync(), c.expected)).toBeLessThan(1e-5);
      out.dispose();
    },
  );
});

describe('colorJitter', () => {
  test('factor 1 everywhere is the identity; brightness range [2, 2] doubles then clamps', () => {
    const x = patternImage(4, 5, 3);
    const same = colorJitter(x, { brightness: [1, 1], contrast: [1, 1], saturation: [1, 1], seed: 3 });
    expect(maxAbsDiff(same.dataSync(), x.dataSync())).toBe(0);
    const doubled = colorJitter(x, { brightness: [2, 2], seed: 3 });
    expect(maxAbsDiff(doubled.dataSync(), Array.from(x.dataSync(), (v) => Math.min(1, 2 * v)))).toBeLessThan(1e-6);
    tf.dispose([x, same, doubled]);
  });

  test('brightness factors stay within [1 - s, 1 + s] (image mean ratio of an unclipped image)', () => {
    const x = tf.fill([20, 3, 3, 1], 0.4) as tf.Tensor4D;
    const out = colorJitter(x, { brightness: 0.2, seed: 11 });
    const means = tf.mean(out, [1, 2, 3]).dataSync();
    for (const m of means) {
      expect(m / 0.4).toBeGreaterThanOrEqual(0.8 - 1e-6);
      expect(m / 0.4).toBeLessThanOrEqual(1.2 + 1e-6);
    }
    expect(new Set(Array.from(means, (m) => m.toFixed(5))).size).toBeGreaterThan(10);
    tf.dispose([x, out]);
  });

  test('same seed same output, different seed differs, no leaks', () => {
    const x = tf.stack([patternImage(6, 6, 3), patternImage(6, 6, 3)]) as tf.Tensor4D;
    const options = { brightness: 0.3, contrast: 0.3, saturation: 0.3 };
    const a = colorJitter(x, { ...options, seed: 5 });
    const b = colorJitter(x, { ...options, seed: 5 });
    const c = colorJitter(x, { ...options, seed: 6 });
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBe(0);
    expect(maxAbsDiff(a.dataSync(), c.dataSync())).toBeGreaterThan(1e-3);
    expectNoLeak(() => colorJitter(x, { ...options, seed: 1 }));
    const gray = patternImage(2, 2, 1);
    expectNoLeak(() => adjustSaturation(gray, 0.5));
    expectNoLeak(() => adjustSaturation(x, 0.5));
    expectNoLeak(() => adjustBrightness(x, 1.2));
    expectNoLeak(() => adjustContrast(x, 0.7));
    tf.dispose([x, a, b, c, gray]);
  });

  test('on one channel (two fused passes) it equals the adjustments applied one by one, bit for bit', () => {
    const rng = createRng(5);
    const image: PixelImage = { data: Float32Array.from({ length: 40 * 30 }, () => rng.next()), width: 40, height: 30, channels: 1 };
    const rangeSets = [
      { brightness: 0.6, contrast: 0.6, saturation: 0.6 },
      { brightness: 0.6, contrast: 0.6 },
      { contrast: 0.6 },
      { brightness: 0.6 },
      { saturation: 0.6 },
    ];
    for (const options of rangeSets) {
      const ranges = colorJitterRanges(options, 'test');
      for (let seed = 0; seed < 12; seed++) {
        const fused = colorJitterPixels(image, ranges, createRng(seed)).data;
        // The same draws as colorJitterPixels documents: a Fisher-Yates order, then the factors in a fixed order.
        const draws = createRng(seed);
        const order = [0, 1, 2];
        for (let i = 2; i > 0; i--) {
          const j = draws.int(0, i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        const factors = ranges.map((range) => (range ? draws.uniform(range[0], range[1]) : null));
        let expected = image;
        for (const k of order) {
          const factor = factors[k];
          // Saturation blends with the gray level, which is the image itself on one channel.
          if (factor === null || k === 2) continue;
          expected = k === 0 ? adjustBrightnessPixels(expected, factor) : adjustContrastPixels(expected, factor);
        }
        expect(Array.from(fused)).toEqual(Array.from(expected.data));
      }
    }
  });

  test('validates and names itself', () => {
    const x = patternImage(2, 2, 3);
    expect(() => colorJitter(x, { brightness: -1, seed: 1 })).toThrow(/^colorJitter: expected brightness to be non-negative/);
    expect(() => colorJitter(x, { contrast: [2, 1], seed: 1 })).toThrow(/^colorJitter: expected contrast as \[min, max\]/);
    expect(() => adjustBrightness(x, -2)).toThrow(/^adjustBrightness: expected a non-negative factor/);
    x.dispose();
  });
});
