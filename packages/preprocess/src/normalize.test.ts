import * as tf from '@tensorflow/tfjs-core';
import { maxAbsDiff } from '../test/helpers/reference-fixtures';
import { expectNoLeak } from '../test/helpers/tensor-helpers';
import { denormalize, IMAGENET_MEAN, IMAGENET_STD, normalize } from './normalize';

describe('normalize', () => {
  test('ImageNet statistics by default: (x - mean) / std per channel (hand-computed)', () => {
    expect(IMAGENET_MEAN).toEqual([0.485, 0.456, 0.406]);
    expect(IMAGENET_STD).toEqual([0.229, 0.224, 0.225]);
    const x = tf.tensor3d([0.485, 0.456, 0.406, 1, 1, 1], [1, 2, 3]);
    const out = normalize(x);
    expect(maxAbsDiff(out.dataSync(), [0, 0, 0, 0.515 / 0.229, 0.544 / 0.224, 0.594 / 0.225])).toBeLessThan(1e-5);
    const back = denormalize(out);
    expect(maxAbsDiff(back.dataSync(), x.dataSync())).toBeLessThan(1e-6);
    expectNoLeak(() => normalize(x, [0.5], [0.25]));
    expectNoLeak(() => denormalize(x));
    tf.dispose([x, out, back]);
  });

  test('a single value broadcasts over one channel; mismatched lengths and zero std are rejected', () => {
    const x = tf.tensor4d([0, 0.5, 1], [1, 1, 3, 1]);
    const out = normalize(x, 0.5, 0.5);
    expect(Array.from(out.dataSync())).toEqual([-1, 0, 1]);
    expect(() => normalize(x, [0.1, 0.2], 1)).toThrow(/^normalize: expected mean to be a number or 1 finite numbers/);
    expect(() => normalize(x, 0, 0)).toThrow(/^normalize: std must not contain zero/);
    tf.dispose([x, out]);
  });
});
