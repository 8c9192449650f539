import * as tf from '@tensorflow/tfjs-core';
import { loadReferenceCases, maxAbsDiff } from '../test/helpers/reference-fixtures';
import { expectNoLeak, patternImage } from '../test/helpers/tensor-helpers';
import { centerCrop, crop, resizedCrop } from './center-crop';

describe('centerCrop / resizedCrop against torchvision', () => {
  const cases = [...loadReferenceCases('centerCrop'), ...loadReferenceCases('resizedCrop')];
  afterAll(() => cases.forEach((c) => c.input.dispose()));

  test.each(['center-crop', 'center-crop-pad'])('%s equals torchvision F.center_crop exactly', (name) => {
    const c = cases.find((k) => k.name === name)!;
    const out = centerCrop(c.input, (c.params as { size: [number, number] }).size);
    expect(out.shape).toEqual(c.expectedShape);
    expect(maxAbsDiff(out.dataSync(), c.expected)).toBe(0);
    out.dispose();
  });

  test('resized-crop equals torchvision F.resized_crop (antialias) within 1e-5', () => {
    const c = cases.find((k) => k.name === 'resized-crop')!;
    const { size, ...box } = c.params as { size: [number, number]; top: number; left: number; height: number; width: number };
    const out = resizedCrop(c.input, box, size);
    expect(out.shape).toEqual(c.expectedShape);
    expect(maxAbsDiff(out.dataSync(), c.expected)).toBeLessThan(1e-5);
    out.dispose();
  });
});

describe('crop', () => {
  test('odd margins follow Python round-half-even placement (hand-computed)', () => {
    // 1x6 row [0..5], crop width 3: margin 3 / 2 = 1.5 → round → 2, so columns 2..4.
    const x = tf.tensor3d([0, 1, 2, 3, 4, 5], [1, 6, 1]);
    const out = centerCrop(x, [1, 3]);
    expect(Array.from(out.dataSync())).toEqual([2, 3, 4]);
    // Width 5 → 1: margin 2 → columns 2.
    const one = centerCrop(tf.tensor3d([0, 1, 2, 3, 4], [1, 5, 1]), [1, 1]);
    expect(Array.from(one.dataSync())).toEqual([2]);
    tf.dispose([x, out, one]);
  });

  test('boxes outside the image are zero-filled, batches keep rank 4', () => {
    const x = tf.ones([2, 2, 2, 1]) as tf.Tensor4D;
    const out = crop(x, { top: -1, left: 1, height: 2, width: 2 });
    expect(out.shape).toEqual([2, 2, 2, 1]);
    expect(Array.from(out.dataSync())).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
    tf.dispose([x, out]);
  });

  test('leak-free and validated', () => {
    const x = patternImage(9, 8, 3);
    expectNoLeak(() => centerCrop(x, 5));
    expectNoLeak(() => centerCrop(x, [12, 11]));
    expectNoLeak(() => resizedCrop(x, { top: 1, left: 1, height: 6, width: 6 }, 3));
    expect(() => crop(x, { top: 0, left: 0, height: 0, width: 2 })).toThrow(/^crop: expected integer top/);
    expect(() => centerCrop(x, -1)).toThrow(/^centerCrop: /);
    x.dispose();
  });
});
