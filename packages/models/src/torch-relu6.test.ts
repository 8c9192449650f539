import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { relu6WithMaskGrad, TorchReLU6 } from './torch-relu6';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Below 0, at ±0, inside (0, 6) (down to the smallest float), at 6 and its neighbours, above 6, infinities.
const VALUES = [-1e30, -3, -1e-30, -0, 0, 1e-45, 1e-30, 0.5, 3, 5.9999995, 6, 6.0000005, 7, 1e30, Infinity, -Infinity];

describe('TorchReLU6', () => {
  test('values and gradients equal tfjs-layers relu6 activation everywhere, zero gradient at exactly 0 and 6', () => {
    const stock = tfl.layers.activation({ activation: 'relu6', name: 'stock_relu6' });
    const fast = new TorchReLU6({ name: 'fast_relu6' });
    const x = tf.tensor1d(VALUES);
    const dy = tf.tensor1d(VALUES.map((_, i) => i + 1));
    const before = tf.memory().numTensors;

    for (const training of [true, false]) {
      tf.tidy(() => {
        const gradOf = (layer: tfl.layers.Layer) => tf.grad((t: tf.Tensor) => layer.apply(t, { training }) as tf.Tensor)(x, dy);
        const expected = stock.apply(x, { training }) as tf.Tensor;
        const actual = fast.apply(x, { training }) as tf.Tensor;
        expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
        const expectedGrad = Array.from(gradOf(stock).dataSync());
        const actualGrad = Array.from(gradOf(fast).dataSync());
        expect(actualGrad).toEqual(expectedGrad);
        // dy passes only strictly inside (0, 6), as in PyTorch's hardtanh backward
        expect(actualGrad).toEqual(VALUES.map((v, i) => (v > 0 && v < 6 ? i + 1 : 0)));
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, dy]);
  });

  test('NaN gives NaN forward and backward, as the stock activation does', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.tensor1d([NaN, 2]);
      const y = relu6WithMaskGrad(x);
      const dx = tf.grad((t: tf.Tensor) => relu6WithMaskGrad(t))(x);
      expect(Array.from(y.dataSync())).toEqual([NaN, 2]);
      expect(Array.from(dx.dataSync())).toEqual([NaN, 1]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  test('runs one forward kernel and four fast ones backward, against two and five (plus an identity Cast) for the stock activation', async () => {
    const x = tf.randomUniform([2, 4, 4, 3], -2, 8, 'float32', 1);
    const kernelNames = async (f: (t: tf.Tensor) => tf.Tensor): Promise<string[]> => {
      const profile = await tf.profile(() => {
        const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => f(t))([x]);
        tf.dispose([value, ...grads]);
      });
      return profile.kernels.map((k) => k.name).filter((name) => name !== 'Fill' && name !== 'OnesLike');
    };
    const stockNames = await kernelNames((t) => tfl.layers.activation({ activation: 'relu6' }).apply(t) as tf.Tensor);
    const fastNames = await kernelNames((t) => relu6WithMaskGrad(t));
    // Identity entries are tensor clones (no pass over the data); 'forward' is the customGrad op's own entry
    expect(stockNames.filter((n) => n !== 'Identity')).toEqual(['Relu', 'Minimum', 'Greater', 'Cast', 'Multiply', 'Step', 'Cast', 'Multiply']);
    expect(fastNames.filter((n) => n !== 'Identity' && n !== 'forward')).toEqual(['Relu6', 'Sub', 'Multiply', 'Step', 'Multiply']);
    x.dispose();
  });

  test('round-trips through its config and rejects non-float input by name', () => {
    const layer = new TorchReLU6({ name: 'r' });
    const copy = TorchReLU6.fromConfig(TorchReLU6, layer.getConfig());
    expect(copy.getConfig()).toEqual(layer.getConfig());
    expect(copy.getClassName()).toBe('TorchReLU6');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      expect(() => relu6WithMaskGrad(tf.tensor1d([1], 'int32'))).toThrow(/relu6WithMaskGrad: x must be a float32 tensor/);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
