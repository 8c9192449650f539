import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { StochasticDepth } from './stochastic-depth';

describe('StochasticDepth', () => {
  test('is the identity at inference', () => {
    const layer = new StochasticDepth({ rate: 0.5, seed: 1 });
    const x = tf.randomUniform([4, 2, 2, 3], 0, 1, 'float32', 2);
    (layer.apply(x) as tf.Tensor).dispose(); // the first call builds the layer
    const before = tf.memory().numTensors;
    const y = layer.apply(x, { training: false }) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    const z = layer.apply(x) as tf.Tensor;
    expect(Array.from(z.dataSync())).toEqual(Array.from(x.dataSync()));
    // tfjs-layers returns a clone when a layer hands back its input: two outputs, nothing else.
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([y, z]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  test('in training drops whole samples with probability rate and scales survivors by 1 / (1 - rate)', () => {
    const rate = 0.3;
    const layer = new StochasticDepth({ rate, seed: 7 });
    const x = tf.ones([2000, 2, 2, 1]);
    const before = tf.memory().numTensors;
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    expect(tf.memory().numTensors).toBe(before + 1);
    const flat = tf.reshape(y, [2000, 4]);
    const rows = flat.arraySync() as number[][];
    flat.dispose();
    y.dispose();
    let dropped = 0;
    for (const row of rows) {
      // Every pixel of a sample shares the sample's fate ('row' mode).
      expect(new Set(row).size).toBe(1);
      if (row[0] === 0) dropped += 1;
      else expect(row[0]).toBeCloseTo(1 / (1 - rate), 5);
    }
    // Binomial(2000, 0.3): mean 600, sd ≈ 20.5; ±5 sd.
    expect(dropped).toBeGreaterThan(600 - 103);
    expect(dropped).toBeLessThan(600 + 103);
    x.dispose();
  });

  test('a seed makes the masks reproducible, and successive steps draw new masks', () => {
    const x = tf.ones([64, 1, 1, 1]);
    const mask = (layer: StochasticDepth) => {
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      const values = Array.from(y.dataSync());
      y.dispose();
      return values;
    };
    const a = new StochasticDepth({ rate: 0.5, seed: 3 });
    const b = new StochasticDepth({ rate: 0.5, seed: 3 });
    const first = mask(a);
    expect(mask(b)).toEqual(first);
    expect(mask(a)).not.toEqual(first);
    x.dispose();
  });

  test('serialises and is registered, so a model with it round-trips through JSON', () => {
    const input = tfl.input({ shape: [2, 2, 1] });
    const output = new StochasticDepth({ name: 'features.2.1.stochastic_depth', rate: 0.25, seed: 9 }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    const json = model.toJSON(null, false) as object;
    const restored = tf.serialization.SerializationMap.getMap().classNameMap['StochasticDepth'];
    expect(restored).toBeDefined();
    const layerConfig = (json as { config: { layers: { class_name: string; config: { rate: number; seed: number } }[] } }).config.layers[1]!;
    expect(layerConfig.class_name).toBe('StochasticDepth');
    expect(layerConfig.config.rate).toBe(0.25);
    expect(layerConfig.config.seed).toBe(9);
  });

  test('rejects rates outside [0, 1)', () => {
    expect(() => new StochasticDepth({ rate: 1 })).toThrow('StochasticDepth: rate must be in [0, 1), got 1');
    expect(() => new StochasticDepth({ rate: -0.1 })).toThrow('StochasticDepth: rate must be in [0, 1)');
  });
});
