import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { siluWithGrad, TorchSiLU } from './torch-silu';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const VALUES = [-1e30, -100, -20, -3, -1e-30, -0, 0, 1e-30, 0.5, 3, 20, 100, 1e30];

/** d/dx x·σ(x) = σ(x)·(1 + x·(1 − σ(x))), in float64. */
function siluDerivative(x: number): number {
  const s = 1 / (1 + Math.exp(-x));
  return s * (1 + x * (1 - s));
}

describe('TorchSiLU', () => {
  test("values equal tfjs-layers' swish bit for bit; gradients equal the analytic derivative and tfjs's autodiff", () => {
    const stock = tfl.layers.activation({ activation: 'swish', name: 'stock_swish' });
    const fast = new TorchSiLU({ name: 'fast_silu' });
    const x = tf.tensor1d(VALUES);
    const dy = tf.tensor1d(VALUES.map((_, i) => (i % 3) - 0.5));
    const before = tf.memory().numTensors;
    for (const training of [true, false]) {
      tf.tidy(() => {
        const gradOf = (layer: tfl.layers.Layer) => tf.grad((t: tf.Tensor) => layer.apply(t, { training }) as tf.Tensor)(x, dy);
        expect(Array.from((fast.apply(x, { training }) as tf.Tensor).dataSync())).toEqual(
          Array.from((stock.apply(x, { training }) as tf.Tensor).dataSync()),
        );
        const actual = Array.from(gradOf(fast).dataSync());
        const stockGrad = Array.from(gradOf(stock).dataSync());
        VALUES.forEach((v, i) => {
          const expected = siluDerivative(v) * ((i % 3) - 0.5);
          expect(actual[i]).toBeCloseTo(expected, 6);
          expect(actual[i]).toBeCloseTo(stockGrad[i]!, 6);
        });
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, dy]);
  });

  test('runs two kernels forward and four backward', async () => {
    const x = tf.randomNormal([2, 4, 4, 3], 0, 3, 'float32', 1);
    const profile = await tf.profile(() => {
      const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => siluWithGrad(t))([x]);
      tf.dispose([value, ...grads]);
    });
    // Identity entries are tensor clones (no pass over the data); 'forward' is the customGrad op's own entry
    const names = profile.kernels.map((k) => k.name).filter((n) => !['Identity', 'forward', 'Fill', 'OnesLike'].includes(n));
    expect(names).toEqual(['Sigmoid', 'Multiply', 'Multiply', 'Sub', 'Add', 'Multiply']);
    x.dispose();
  });

  test('round-trips through its config and rejects non-float input by name', () => {
    const layer = new TorchSiLU({ name: 's' });
    const copy = TorchSiLU.fromConfig(TorchSiLU, layer.getConfig());
    expect(copy.getConfig()).toEqual(layer.getConfig());
    expect(copy.getClassName()).toBe('TorchSiLU');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      expect(() => siluWithGrad(tf.tensor1d([1], 'int32'))).toThrow(/siluWithGrad: x must be a float32 tensor/);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
