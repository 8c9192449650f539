import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '../test/helpers/tensor-helpers';
import type { DecodedImage } from './image-types';
import { fromTensor, toTensor } from './to-tensor';

const rgba: DecodedImage = {
  data: Uint8Array.from([255, 0, 0, 10, 0, 255, 0, 20, 0, 0, 255, 30, 51, 102, 153, 40]),
  width: 2,
  height: 2,
  channels: 4,
  bitDepth: 8,
};

describe('toTensor', () => {
  test('8-bit RGBA → [H, W, 3] in [0, 1] with alpha dropped', () => {
    const t = toTensor(rgba);
    expect(t.shape).toEqual([2, 2, 3]);
    expect(t.dtype).toBe('float32');
    const expected = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0.2, 0.4, 0.6];
    t.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    t.dispose();
  });

  test('RGB → 1 channel uses ITU-R 601-2 luma (PIL convert("L") weights)', () => {
    const t = toTensor(rgba, { channels: 1 });
    expect(t.shape).toEqual([2, 2, 1]);
    const expected = [0.299, 0.587, 0.114, (0.299 * 51 + 0.587 * 102 + 0.114 * 153) / 255];
    t.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    t.dispose();
  });

  test('16-bit gray → 3 identical channels divided by 65535', () => {
    const gray: DecodedImage = { data: Uint16Array.from([0, 65535, 32768]), width: 3, height: 1, channels: 1, bitDepth: 16 };
    const t = toTensor(gray, { channels: 3 });
    expect(t.shape).toEqual([1, 3, 3]);
    const v = t.dataSync();
    expect(Array.from(v.slice(3, 6))).toEqual([1, 1, 1]);
    expect(v[6]).toBeCloseTo(32768 / 65535, 7);
    t.dispose();
  });

  test('gray + alpha keeps one channel by default', () => {
    const t = toTensor({ data: Uint8Array.from([255, 0, 0, 255]), width: 2, height: 1, channels: 2, bitDepth: 8 });
    expect(t.shape).toEqual([1, 2, 1]);
    expect(Array.from(t.dataSync())).toEqual([1, 0]);
    t.dispose();
  });

  test('validates the image and names itself', () => {
    expect(() => toTensor({ ...rgba, width: 3 })).toThrow(/^toTensor: data has 16 samples, expected 3x2x4/);
    expect(() => toTensor(rgba, { channels: 2 as 1 })).toThrow(/^toTensor: expected options.channels to be 1 or 3/);
  });

  test('does not leak tensors', () => {
    expectNoLeak(() => toTensor(rgba));
  });
});

describe('fromTensor', () => {
  test('clamps, rounds to the nearest level, and round-trips toTensor exactly at 8 and 16 bits', () => {
    const t = tf.tensor3d([-0.5, 0.5, 1.5, 0.2 / 255, 0.6 / 255, Number.NaN], [1, 6, 1]);
    const out = fromTensor(t);
    expect(out).toMatchObject({ width: 6, height: 1, channels: 1, bitDepth: 8 });
    expect(Array.from(out.data)).toEqual([0, 128, 255, 0, 1, 0]);
    const sixteen: DecodedImage = { data: Uint16Array.from([0, 1, 1000, 65534, 65535, 12345]), width: 2, height: 1, channels: 3, bitDepth: 16 };
    const back = toTensor(sixteen);
    expect(Array.from(fromTensor(back, { bitDepth: 16 }).data)).toEqual(Array.from(sixteen.data));
    tf.dispose([t, back]);
  });

  test('rejects other ranks, names itself, and does not dispose or leak', () => {
    const x = tf.zeros([2, 2]);
    expect(() => fromTensor(x as unknown as tf.Tensor3D)).toThrow('fromTensor: expected a rank-3 [H, W, C] tensor, got rank 2');
    const before = tf.memory().numTensors;
    const y = tf.zeros([2, 2, 1]) as tf.Tensor3D;
    fromTensor(y);
    expect(y.isDisposed).toBe(false);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
