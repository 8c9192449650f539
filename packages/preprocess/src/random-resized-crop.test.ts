import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak, patternImage } from '../test/helpers/tensor-helpers';
import { randomResizedCrop, sampleResizedCropBox } from './random-resized-crop';
import { resize } from './resize';
import { createRng } from './rng';

describe('sampleResizedCropBox (torchvision RandomResizedCrop.get_params)', () => {
  test('boxes fit, and area / aspect stay within the scale and ratio ranges (up to rounding)', () => {
    const rng = createRng(1);
    const [height, width] = [300, 400];
    const problems: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const box = sampleResizedCropBox(height, width, [0.08, 1], [3 / 4, 4 / 3], rng);
      const fits = box.top >= 0 && box.left >= 0 && box.top + box.height <= height && box.left + box.width <= width;
      const area = (box.width * box.height) / (height * width);
      const aspect = box.width / box.height;
      // Rounding w and h to integers moves area and aspect slightly outside the exact ranges.
      if (!fits || area <= 0.07 || area > 1 || aspect <= 0.74 || aspect >= 1.35) problems.push(JSON.stringify(box));
    }
    expect(problems).toEqual([]);
  });

  test('falls back to the central crop clamped to the ratio range when nothing fits (hand-computed)', () => {
    // A 10x100 strip cannot host any box with ratio ≤ 4/3 and area ≥ 50 %; fallback: h = 10, w = round(10 * 4/3) = 13.
    const box = sampleResizedCropBox(10, 100, [0.5, 1], [3 / 4, 4 / 3], createRng(2));
    expect(box).toEqual({ top: 0, left: Math.floor((100 - 13) / 2), height: 10, width: 13 });
  });
});

describe('randomResizedCrop', () => {
  test('scale [1, 1] and ratio equal to the image aspect is a plain resize', () => {
    const x = patternImage(12, 16, 3);
    const out = randomResizedCrop(x, { size: [6, 8], scale: [1, 1], ratio: [4 / 3, 4 / 3], seed: 3 });
    expect(out.shape).toEqual([6, 8, 3]);
    const plain = resize(x, [6, 8]);
    expect(Array.from(out.dataSync())).toEqual(Array.from(plain.dataSync()));
    tf.dispose([x, out, plain]);
  });

  test('same seed same output, different seed differs, each image of a batch gets its own box, no leaks', () => {
    const image = patternImage(24, 24, 1);
    const batch = tf.stack([image, image, image]) as tf.Tensor4D;
    const a = randomResizedCrop(batch, { size: 8, seed: 10 });
    const b = randomResizedCrop(batch, { size: 8, seed: 10 });
    const c = randomResizedCrop(batch, { size: 8, seed: 11 });
    expect(a.shape).toEqual([3, 8, 8, 1]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    const [first, second] = tf.unstack(a);
    expect(Array.from(first.dataSync())).not.toEqual(Array.from(second.dataSync()));
    expectNoLeak(() => randomResizedCrop(batch, { size: [5, 7], seed: 1 }));
    tf.dispose([image, batch, a, b, c, first, second]);
  });

  test('validates and names itself', () => {
    const x = patternImage(4, 4, 1);
    expect(() => randomResizedCrop(x, { size: 2, scale: [0.9, 0.1], seed: 1 })).toThrow(/^randomResizedCrop: expected scale/);
    expect(() => randomResizedCrop(x, { size: 2, ratio: [0, 1], seed: 1 })).toThrow(/^randomResizedCrop: expected ratio/);
    expect(() => randomResizedCrop(x, { size: 0, seed: 1 })).toThrow(/^randomResizedCrop: expected a positive integer size/);
    x.dispose();
  });
});
