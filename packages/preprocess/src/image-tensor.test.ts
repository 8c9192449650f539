import * as tf from '@tensorflow/tfjs-core';
import '../test/helpers/tensor-helpers';
import { assertImageTensor, channelVector, parseSize, roundHalfEven } from './image-tensor';

describe('image-tensor helpers', () => {
  test('roundHalfEven is Python 3 round()', () => {
    // Python: [round(v) for v in (0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6)] == [0, 2, 2, 0, -2, 2, 3]
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, 2, 3]);
  });

  test('parseSize takes a side or [height, width] and names the caller', () => {
    expect(parseSize(224, 'op')).toEqual([224, 224]);
    expect(parseSize([300, 200], 'op')).toEqual([300, 200]);
    expect(() => parseSize([0, 3], 'op')).toThrow(/^op: expected a positive integer size/);
  });

  test('channelVector broadcasts one value and rejects wrong lengths', () => {
    expect(channelVector(0.5, 3, 'op', 'fill')).toEqual([0.5, 0.5, 0.5]);
    expect(channelVector([0.2], 3, 'op', 'fill')).toEqual([0.2, 0.2, 0.2]);
    expect(() => channelVector([1, 2], 3, 'op', 'fill')).toThrow(/^op: expected fill to be a number or 3 finite numbers/);
  });

  test('assertImageTensor rejects other ranks, dtypes and non-tensors', () => {
    const int = tf.zeros([2, 2, 1], 'int32');
    expect(() => assertImageTensor(int, 'op')).toThrow('op: expected a float32 tensor, got int32');
    expect(() => assertImageTensor([1, 2], 'op')).toThrow('op: expected a tf.Tensor, got object');
    int.dispose();
  });
});
