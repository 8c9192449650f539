import * as tf from '@tensorflow/tfjs-core';
import { loadReferenceCases, maxAbsDiff, toLevels } from '../test/helpers/reference-fixtures';
import { expectNoLeak } from '../test/helpers/tensor-helpers';
import { equalizeHistogram } from './equalize-histogram';

describe('equalizeHistogram', () => {
  test('matches OpenCV cv2.equalizeHist within ±1 level', () => {
    const [c] = loadReferenceCases('equalizeHistogram');
    const out = equalizeHistogram(c.input);
    expect(maxAbsDiff(toLevels(out.dataSync()), c.expected)).toBeLessThanOrEqual(1);
    tf.dispose([c.input, out]);
  });

  test('hand-computed: levels 10, 20, 20, 30 → 0, 170, 170, 255', () => {
    // OpenCV: scale = 255 / (4 - 1); cumulative counts after the first level: 2, 3 → 170, 255.
    const x = tf.tensor3d([10, 20, 20, 30].map((v) => v / 255), [2, 2, 1]);
    const out = equalizeHistogram(x);
    expect(Array.from(toLevels(out.dataSync()))).toEqual([0, 170, 170, 255]);
    expectNoLeak(() => equalizeHistogram(x));
    tf.dispose([x, out]);
  });

  test('a constant image is returned unchanged', () => {
    const x = tf.fill([3, 3, 1], 77 / 255) as tf.Tensor3D;
    const out = equalizeHistogram(x);
    expect(Array.from(toLevels(out.dataSync()))).toEqual(new Array(9).fill(77));
    tf.dispose([x, out]);
  });
});
