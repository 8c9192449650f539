import * as tf from '@tensorflow/tfjs-core';
import { maxAbsDiff } from '../test/helpers/reference-fixtures';
import { expectNoLeak } from '../test/helpers/tensor-helpers';
import { minMaxScale, scaleToUnit } from './scale-intensity';

describe('scaleToUnit / minMaxScale', () => {
  test('divide by the maximum value; stretch each image to [0, 1] (constant → 0)', () => {
    const x = tf.tensor4d([0, 51, 255, 10, 10, 10], [2, 1, 3, 1]);
    const unit = scaleToUnit(x);
    expect(maxAbsDiff(unit.dataSync(), [0, 0.2, 1, 10 / 255, 10 / 255, 10 / 255])).toBeLessThan(1e-7);
    const stretched = minMaxScale(x);
    expect(maxAbsDiff(stretched.dataSync(), [0, 0.2, 1, 0, 0, 0])).toBeLessThan(1e-7);
    expectNoLeak(() => minMaxScale(x));
    expectNoLeak(() => scaleToUnit(x, 65535));
    expect(() => scaleToUnit(x, 0)).toThrow('scaleToUnit: expected maxValue > 0, got 0');
    tf.dispose([x, unit, stretched]);
  });
});
