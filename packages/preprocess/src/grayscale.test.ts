import * as tf from '@tensorflow/tfjs-core';
import { loadReferenceCases, maxAbsDiff } from '../test/helpers/reference-fixtures';
import { expectNoLeak, patternImage } from '../test/helpers/tensor-helpers';
import { toGrayscale, toRgb } from './grayscale';

describe('toGrayscale / toRgb', () => {
  test('toGrayscale equals torchvision F.rgb_to_grayscale within 1e-6', () => {
    const [c] = loadReferenceCases('toGrayscale');
    const out = toGrayscale(c.input);
    expect(out.shape).toEqual(c.expectedShape);
    expect(maxAbsDiff(out.dataSync(), c.expected)).toBeLessThan(1e-6);
    tf.dispose([c.input, out]);
  });

  test('keepChannels replicates; toRgb replicates gray; both leak-free and validated', () => {
    const rgb = tf.tensor4d([1, 0, 0, 0, 0, 1], [1, 1, 2, 3]);
    const kept = toGrayscale(rgb, { keepChannels: true });
    expect(maxAbsDiff(kept.dataSync(), [0.2989, 0.2989, 0.2989, 0.114, 0.114, 0.114])).toBeLessThan(1e-6);
    const gray = patternImage(3, 3, 1);
    const three = toRgb(gray);
    expect(three.shape).toEqual([3, 3, 3]);
    expect(Array.from(three.dataSync()).filter((_, i) => i % 3 === 0)).toEqual(Array.from(gray.dataSync()));
    expectNoLeak(() => toRgb(gray));
    expectNoLeak(() => toGrayscale(rgb));
    const two = tf.zeros([2, 2, 2]) as tf.Tensor3D;
    expect(() => toRgb(two)).toThrow('toRgb: expected 1 or 3 channels, got 2');
    tf.dispose([rgb, kept, gray, three, two]);
  });
});
