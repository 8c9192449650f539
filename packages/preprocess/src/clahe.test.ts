import * as tf from '@tensorflow/tfjs-core';
import { loadReferenceCases, maxAbsDiff, toLevels } from '../test/helpers/reference-fixtures';
import { expectNoLeak, patternImage } from '../test/helpers/tensor-helpers';
import { clahe } from './clahe';

describe('clahe against OpenCV cv2.createCLAHE (8-bit)', () => {
  const cases = loadReferenceCases('clahe');
  afterAll(() => cases.forEach((c) => c.input.dispose()));

  test.each(['clahe-8x8', 'clahe-odd', 'clahe-noclip', 'clahe-strong'])('%s: every pixel within ±1 level, ≥ 99 %% exact', (name) => {
    const c = cases.find((k) => k.name === name)!;
    const { clipLimit, tileGridSize } = c.params as { clipLimit: number; tileGridSize: [number, number] };
    const out = clahe(c.input, { clipLimit, tileGridSize });
    const levels = toLevels(out.dataSync());
    const exact = levels.filter((v, i) => v === c.expected[i]).length;
    expect(maxAbsDiff(levels, c.expected)).toBeLessThanOrEqual(1);
    expect(exact / levels.length).toBeGreaterThanOrEqual(0.99);
    out.dispose();
  });
});

describe('clahe at 16 bits against OpenCV on uint16', () => {
  test('clahe-16bit (65536 bins, 4x3 tiles, clip 3): every pixel within ±1 of 65535 levels', () => {
    const [c] = loadReferenceCases('clahe').filter((k) => k.name === 'clahe-16bit');
    const out = clahe(c.input, { clipLimit: 3, tileGridSize: [4, 3], bitDepth: 16 });
    const levels = Float32Array.from(out.dataSync(), (v) => Math.round(v * 65535));
    expect(maxAbsDiff(levels, c.expected)).toBeLessThanOrEqual(1);
    // The 8-bit path quantises to 256 levels and cannot get this close.
    const coarse = clahe(c.input, { clipLimit: 3, tileGridSize: [4, 3] });
    expect(maxAbsDiff(Float32Array.from(coarse.dataSync(), (v) => Math.round(v * 65535)), c.expected)).toBeGreaterThan(100);
    tf.dispose([c.input, out, coarse]);
  });
});

describe('clahe', () => {
  test('a constant image maps every pixel to the cumulative share of its level (hand-computed)', () => {
    // One 4x4 tile, all pixels at level 100, clip limit 0: LUT[100] = 16 * 255 / 16 = 255.
    const x = tf.fill([4, 4, 1], 100 / 255) as tf.Tensor3D;
    const out = clahe(x, { clipLimit: 0, tileGridSize: [1, 1] });
    expect(Array.from(toLevels(out.dataSync()))).toEqual(new Array(16).fill(255));
    // With clipLimit 40 on a 16-pixel tile: clip = max(trunc(40 * 16 / 256), 1) = 2, 14 excess pixels spread
    // one each over bins 0, 18, 36, ... (step 256 / 14 = 18): bins ≤ 100 get 6 of them, so LUT[100] = 8 * 255 / 16.
    const clipped = clahe(x, { clipLimit: 40, tileGridSize: [1, 1] });
    expect(Array.from(toLevels(clipped.dataSync()))).toEqual(new Array(16).fill(Math.round((8 * 255) / 16)));
    tf.dispose([x, out, clipped]);
  });

  test('batched input is processed per image and channel; leak-free; validated', () => {
    const x = tf.stack([patternImage(16, 16, 3), tf.zeros([16, 16, 3])]) as tf.Tensor4D;
    const out = clahe(x, { tileGridSize: [2, 2] });
    expect(out.shape).toEqual([2, 16, 16, 3]);
    const single = clahe(tf.zeros([16, 16, 3]) as tf.Tensor3D, { tileGridSize: [2, 2] });
    expect(Array.from(tf.unstack(out)[1].dataSync())).toEqual(Array.from(single.dataSync()));
    expectNoLeak(() => clahe(x));
    expect(() => clahe(x, { bitDepth: 12 as 8 })).toThrow('clahe: expected bitDepth 8 or 16, got 12');
    expect(() => clahe(x, { clipLimit: -1 })).toThrow(/^clahe: expected clipLimit >= 0/);
    expect(() => clahe(x, { tileGridSize: [32, 2] })).toThrow(/^clahe: a 32x2 tile grid needs/);
    tf.dispose([x, out, single]);
  });
});
