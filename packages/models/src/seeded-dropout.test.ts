import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SeededDropout } from './seeded-dropout';

function trainingOutput(layer: SeededDropout, x: tf.Tensor): number[] {
  const y = layer.apply(x, { training: true }) as tf.Tensor;
  const values = Array.from(y.dataSync());
  y.dispose();
  return values;
}

describe('SeededDropout', () => {
  test('inference is the identity', () => {
    const layer = new SeededDropout({ rate: 0.5, seed: 1 });
    const x = tf.reshape(tf.range(0, 12), [3, 4]);
    const y = layer.apply(x, { training: false }) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
  });

  test('training zeroes about `rate` of the units and scales the rest by 1 / (1 - rate)', () => {
    const layer = new SeededDropout({ rate: 0.25, seed: 4 });
    const x = tf.ones([4000]);
    const before = tf.memory().numTensors;
    const values = trainingOutput(layer, x);
    expect(tf.memory().numTensors).toBe(before);
    const zeros = values.filter((v) => v === 0).length;
    for (const v of values) if (v !== 0) expect(v).toBeCloseTo(1 / 0.75, 5);
    // Binomial(4000, 0.25): mean 1000, sd ≈ 27; ±5 sd.
    expect(zeros).toBeGreaterThan(1000 - 137);
    expect(zeros).toBeLessThan(1000 + 137);
    x.dispose();
  });

  test('unlike tfjs Dropout with a seed, each step draws a new mask; the same seed repeats the sequence', () => {
    const x = tf.ones([256]);
    const a = new SeededDropout({ rate: 0.5, seed: 9 });
    const b = new SeededDropout({ rate: 0.5, seed: 9 });
    const a1 = trainingOutput(a, x);
    const a2 = trainingOutput(a, x);
    expect(a2).not.toEqual(a1);
    expect(trainingOutput(b, x)).toEqual(a1);
    expect(trainingOutput(b, x)).toEqual(a2);
    // The behaviour this layer exists to avoid: tfjs-layers' seeded Dropout repeats its mask.
    const fixed = tfl.layers.dropout({ rate: 0.5, seed: 9 });
    const f1 = fixed.apply(x, { training: true }) as tf.Tensor;
    const f2 = fixed.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(f2.dataSync())).toEqual(Array.from(f1.dataSync()));
    tf.dispose([x, f1, f2]);
  });

  test('is registered for serialisation and validates its rate', () => {
    expect(tf.serialization.SerializationMap.getMap().classNameMap['SeededDropout']).toBeDefined();
    expect(new SeededDropout({ rate: 0.2, seed: 3, name: 'fc.0' }).getConfig()).toMatchObject({ name: 'fc.0', rate: 0.2, seed: 3 });
    expect(() => new SeededDropout({ rate: 1 })).toThrow('SeededDropout: rate must be in [0, 1), got 1');
  });
});
