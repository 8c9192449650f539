import { sumInputChannels, tfjsToTorch, torchToTfjs, transposeArray } from './weight-layout';

describe('transposeArray', () => {
  test('2-D transpose by hand', () => {
    // [[0, 1, 2], [3, 4, 5]] → [[0, 3], [1, 4], [2, 5]]
    expect(Array.from(transposeArray(Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 3], [1, 0]))).toEqual([0, 3, 1, 4, 2, 5]);
  });

  test('4-D: out[a][b][c][d] = in at the permuted index', () => {
    const shape = [2, 3, 4, 5];
    const data = Float32Array.from({ length: 120 }, (_, i) => i);
    const perm = [2, 3, 1, 0];
    const out = transposeArray(data, shape, perm);
    // out shape [4, 5, 3, 2]; out[k][l][j][i] = in[i][j][k][l] = ((i*3 + j)*4 + k)*5 + l
    const at = (k: number, l: number, j: number, i: number) => out[((k * 5 + l) * 3 + j) * 2 + i];
    expect(at(3, 4, 2, 1)).toBe(((1 * 3 + 2) * 4 + 3) * 5 + 4);
    expect(at(1, 0, 2, 0)).toBe(((0 * 3 + 2) * 4 + 1) * 5 + 0);
  });

  test('torch → tfjs → torch is the identity for every layout', () => {
    const data = Float32Array.from({ length: 2 * 3 * 3 * 3 }, (_, i) => i * 0.5);
    for (const [layout, shape] of [
      ['conv', [2, 3, 3, 3]],
      ['depthwise', [6, 1, 3, 3]],
      ['linear', [6, 9]],
      ['vector', [54]],
    ] as const) {
      const tfjs = torchToTfjs(data, shape, layout);
      const back = tfjsToTorch(tfjs.data, tfjs.shape, layout);
      expect(back.shape).toEqual([...shape]);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  test('sumInputChannels adds the R, G and B filters', () => {
    // [O=1, I=3, 1, 2]: R = [1, 2], G = [10, 20], B = [100, 200]
    const out = sumInputChannels(Float32Array.from([1, 2, 10, 20, 100, 200]), [1, 3, 1, 2]);
    expect(out.shape).toEqual([1, 1, 1, 2]);
    expect(Array.from(out.data)).toEqual([111, 222]);
  });
});
