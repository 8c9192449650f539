import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { containsLayer, runGraph } from './graph-executor';
import { branchyModel, randomImages } from './testing/test-models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('runGraph', () => {
  test('reproduces model.predict on a DAG with residual, SE multiply, concat and a nested Sequential', () => {
    const model = branchyModel(1);
    const x = randomImages(3, 12, 3, 2);
    const before = tf.memory().numTensors;
    const expected = model.predict(x) as tf.Tensor;
    const actual = tf.tidy(() => tf.clone(runGraph(model, [x], null, null).outputs[0]!));
    expect(actual.shape).toEqual([3, 2]);
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()).map((v) => expect.closeTo(v, 6)));
    tf.dispose([expected, actual]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  test('intercepting a layer replaces its output for everything downstream, skips included', () => {
    const model = branchyModel(3);
    const x = randomImages(2, 12, 3, 4);
    const target = model.getLayer('target');
    const zeroed = tf.tidy(() => tf.clone(runGraph(model, [x], target, (t) => tf.zerosLike(t)).outputs[0]!));
    // Independent reference: the same graph rebuilt where 'target' is absent (residual = stem).
    const reference = tf.tidy(() => {
      const stem = (model.getLayer('stem').apply(x) as tf.Tensor4D);
      const residual = stem;
      const gate = tf.reshape(model.getLayer('se_fc').apply(tf.mean(residual, [1, 2])) as tf.Tensor2D, [2, 1, 1, 6]);
      const joined = tf.concat([tf.mul(residual, gate), stem], 3);
      const pooled = model.getLayer('nested').apply(joined) as tf.Tensor;
      return model.getLayer('logits').apply(pooled) as tf.Tensor;
    });
    expect(Array.from(zeroed.dataSync())).toEqual(Array.from(reference.dataSync()).map((v) => expect.closeTo(v, 5)));
    tf.dispose([zeroed, reference, x]);
  });

  test('reusing a first run recomputes only what depends on the target', () => {
    const model = branchyModel(5);
    const x = randomImages(1, 12, 3, 6);
    const target = model.getLayer('target');
    const stem = model.getLayer('stem');
    let stemCalls = 0;
    const original = stem.apply.bind(stem);
    stem.apply = ((...args: Parameters<typeof stem.apply>) => {
      stemCalls++;
      return original(...args);
    }) as typeof stem.apply;
    const [fresh, reused] = tf.tidy(() => {
      const first = runGraph(model, [x], target, null);
      expect(stemCalls).toBe(1);
      const second = runGraph(model, [x], target, (t) => tf.mul(t, 1), first.values);
      expect(stemCalls).toBe(1);
      return [tf.clone(first.outputs[0]!), tf.clone(second.outputs[0]!)];
    });
    expect(Array.from(reused!.dataSync())).toEqual(Array.from(fresh!.dataSync()).map((v) => expect.closeTo(v, 6)));
    tf.dispose([fresh!, reused!, x]);
  });

  test('finds a target inside a nested model and rejects a wrong input count', () => {
    const model = branchyModel(7);
    const nested = model.getLayer('nested') as tfl.LayersModel;
    const inner = nested.getLayer('nested_conv');
    expect(containsLayer(model.getLayer('nested'), inner)).toBe(true);
    expect(containsLayer(model.getLayer('stem'), inner)).toBe(false);
    const x = randomImages(1, 12, 3, 8);
    let seenShape: number[] = [];
    tf.tidy(() => {
      runGraph(model, [x], inner, (t) => {
        seenShape = t.shape;
        return t;
      });
    });
    expect(seenShape).toEqual([1, 12, 12, 4]);
    expect(() => runGraph(model, [x, x], null, null)).toThrow(/runGraph: model branchy takes 1 inputs, got 2/);
    x.dispose();
  });
});
