import * as tf from '@tensorflow/tfjs-core';
import { loadReferenceCases, maxAbsDiff, toLevels } from '../test/helpers/reference-fixtures';
import { expectNoLeak, patternImage } from '../test/helpers/tensor-helpers';
import { resize } from './resize';

describe('resize against torch / PIL references (scripts/make-reference-fixtures.py)', () => {
  const cases = loadReferenceCases('resize');
  afterAll(() => cases.forEach((c) => c.input.dispose()));

  for (const name of ['resize-down-plain', 'resize-down-antialias', 'resize-mixed-antialias', 'resize-up']) {
    test(`${name} equals torch F.interpolate within 1e-5`, () => {
      const c = cases.find((k) => k.name === name)!;
      const { size, antialias } = c.params as { size: [number, number]; antialias: boolean };
      const out = resize(c.input, size, { antialias });
      expect(out.shape).toEqual(c.expectedShape);
      expect(maxAbsDiff(out.dataSync(), c.expected)).toBeLessThan(1e-5);
      out.dispose();
    });
  }

  test('each channel resized on its own (the one-channel loops) equals torch too', () => {
    for (const name of ['resize-up', 'resize-down-antialias']) {
      const c = cases.find((k) => k.name === name)!;
      const { size, antialias } = c.params as { size: [number, number]; antialias: boolean };
      const channels = c.input.shape[c.input.rank - 1];
      const [outHeight, outWidth] = size;
      for (let ch = 0; ch < channels; ch++) {
        const plane = tf.tidy(() => tf.slice(c.input, [0, 0, ch], [-1, -1, 1]) as tf.Tensor3D);
        const out = resize(plane, size, { antialias });
        const expected = Array.from({ length: outHeight * outWidth }, (_, p) => c.expected[p * channels + ch]);
        expect(maxAbsDiff(out.dataSync(), expected)).toBeLessThan(1e-5);
        tf.dispose([plane, out]);
      }
    }
  });

  test('360x300 → 64x56 antialiased is within ±1 level of PIL BILINEAR; plain bilinear is far from it', () => {
    const c = cases.find((k) => k.name === 'resize-pil-large')!;
    const size = (c.params as { size: [number, number] }).size;
    const antialiased = resize(c.input, size);
    const plain = resize(c.input, size, { antialias: false });
    const aaDiff = maxAbsDiff(toLevels(antialiased.dataSync()), c.expected);
    const plainDiff = maxAbsDiff(toLevels(plain.dataSync()), c.expected);
    // PIL works in fixed point and rounds to uint8 between its two passes: ±1 level at most.
    expect(aaDiff).toBeLessThanOrEqual(1);
    // Plain bilinear samples 4 of ~30 source pixels per output here, so noise survives.
    expect(plainDiff).toBeGreaterThan(10);
    tf.dispose([antialiased, plain]);
  });
});

describe('resize', () => {
  test('a constant image stays constant at any size and with either filter', () => {
    const x = tf.fill([9, 14, 2], 0.3) as tf.Tensor3D;
    for (const antialias of [true, false]) {
      const out = resize(x, [4, 23], { antialias });
      expect(maxAbsDiff(out.dataSync(), new Float32Array(4 * 23 * 2).fill(0.3))).toBeLessThan(1e-6);
      out.dispose();
    }
    x.dispose();
  });

  test('halving with antialias averages each 2x2 block (triangle filter of support 2)', () => {
    // Hand computation: for scale 2 the PIL triangle filter puts weights 1/8, 3/8, 3/8, 1/8 on 4 taps.
    const x = tf.tensor3d([0, 1, 2, 3, 4, 5, 6, 7], [1, 8, 1]);
    const out = resize(x, [1, 4]);
    const v = [0, 1, 2, 3, 4, 5, 6, 7];
    const at = (i: number) => v[Math.min(Math.max(i, 0), 7)];
    const expected = [0, 1, 2, 3].map((o) => {
      const taps = [2 * o - 1, 2 * o, 2 * o + 1, 2 * o + 2];
      const w = [1 / 8, 3 / 8, 3 / 8, 1 / 8];
      // Out-of-range taps are dropped and the rest renormalised.
      let sum = 0;
      let total = 0;
      taps.forEach((t, k) => {
        if (t >= 0 && t < 8) {
          sum += at(t) * w[k];
          total += w[k];
        }
      });
      return sum / total;
    });
    expect(maxAbsDiff(out.dataSync(), expected)).toBeLessThan(1e-6);
    tf.dispose([x, out]);
  });

  test('rank 4 batches resize every image like rank 3', () => {
    const a = patternImage(10, 12, 3);
    const b = tf.sub(1, a) as tf.Tensor3D;
    const batch = tf.stack([a, b]) as tf.Tensor4D;
    const out = resize(batch, [5, 7]);
    expect(out.shape).toEqual([2, 5, 7, 3]);
    const single = resize(b, [5, 7]);
    const second = tf.slice(out, [1, 0, 0, 0], [1, -1, -1, -1]);
    expect(maxAbsDiff(second.dataSync(), single.dataSync())).toBeLessThan(1e-6);
    tf.dispose([a, b, batch, out, single, second]);
  });

  test('does not leak tensors', () => {
    const x = patternImage(20, 16, 1);
    expectNoLeak(() => resize(x, 7));
    expectNoLeak(() => resize(x, [40, 9]));
    expectNoLeak(() => resize(x, [20, 16]));
    expectNoLeak(() => resize(x, 5, { antialias: false }));
    x.dispose();
  });

  test('validates its inputs and names itself', () => {
    const x = tf.zeros([4, 4]);
    expect(() => resize(x as unknown as tf.Tensor3D, 2)).toThrow('resize: expected a rank-3 or rank-4 tensor, got rank 2');
    const y = tf.zeros([4, 4, 1]) as tf.Tensor3D;
    expect(() => resize(y, 0)).toThrow(/^resize: expected a positive integer size/);
    expect(() => resize(y, [2.5, 2])).toThrow(/^resize: /);
    tf.dispose([x, y]);
  });
});
