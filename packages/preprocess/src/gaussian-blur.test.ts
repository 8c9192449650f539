import * as tf from '@tensorflow/tfjs-core';
import { loadReferenceCases, maxAbsDiff } from '../test/helpers/reference-fixtures';
import { expectNoLeak, patternImage } from '../test/helpers/tensor-helpers';
import { gaussianBlur, gaussianKernel1d } from './gaussian-blur';

describe('gaussianBlur against torchvision F.gaussian_blur', () => {
  const cases = loadReferenceCases('gaussianBlur');
  afterAll(() => cases.forEach((c) => c.input.dispose()));

  test.each(['gaussian-blur', 'gaussian-blur-default-sigma'])('%s within 1e-5', (name) => {
    const c = cases.find((k) => k.name === name)!;
    const out = gaussianBlur(c.input, c.params as { kernelSize: [number, number]; sigma?: [number, number] });
    expect(out.shape).toEqual(c.expectedShape);
    expect(maxAbsDiff(out.dataSync(), c.expected)).toBeLessThan(1e-5);
    out.dispose();
  });
});

describe('gaussianBlur', () => {
  test('kernel taps are the normalised Gaussian (hand-computed for size 3, sigma 1)', () => {
    const e = Math.exp(-0.5);
    const expected = [e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e)];
    expect(maxAbsDiff(gaussianKernel1d(3, 1), expected)).toBeLessThan(1e-7);
  });

  test('an impulse spreads into the outer product of the two 1-D kernels', () => {
    const data = new Float32Array(49);
    data[24] = 1;
    const x = tf.tensor3d(data, [7, 7, 1]);
    const out = gaussianBlur(x, { kernelSize: [3, 5], sigma: [0.7, 1.3] });
    const kx = gaussianKernel1d(3, 0.7);
    const ky = gaussianKernel1d(5, 1.3);
    const v = out.dataSync();
    expect(v[2 * 7 + 3]).toBeCloseTo(ky[1] * kx[1], 6);
    expect(v[3 * 7 + 2]).toBeCloseTo(ky[2] * kx[0], 6);
    expect(v[5 * 7 + 4]).toBeCloseTo(ky[4] * kx[2], 6);
    tf.dispose([x, out]);
  });

  test('leak-free, batched, validated', () => {
    const x = tf.stack([patternImage(8, 9, 3), patternImage(8, 9, 3)]) as tf.Tensor4D;
    expectNoLeak(() => gaussianBlur(x, { kernelSize: 3 }));
    expect(() => gaussianBlur(x, { kernelSize: 4 })).toThrow(/^gaussianBlur: expected odd positive kernel sizes/);
    expect(() => gaussianBlur(x, { kernelSize: 19 })).toThrow(/^gaussianBlur: kernel 19x19 needs/);
    expect(() => gaussianBlur(x, { kernelSize: 3, sigma: 0 })).toThrow(/^gaussianBlur: expected sigma > 0/);
    x.dispose();
  });
});
