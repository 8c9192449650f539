import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../test/setup-backend';
import { torchAvailable, torchReference } from '../test/torch-reference';
import { Adam } from './adam';

beforeAll(useCpu);

function stepOnce(adam: Adam, variable: tf.Variable, grad: number[], lr?: number): void {
  const g = tf.tensor1d(grad);
  adam.step([{ name: 'w', variable, grad: g }], lr);
  g.dispose();
}

describe('Adam', () => {
  test('first two steps match the hand-computed torch.optim.Adam update', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const adam = new Adam({ lr: 0.1 });
    stepOnce(adam, w, [0.5, -4]);
    // Step 1: m = 0.1 g, v = 0.001 g^2, bias-corrected m/sqrt(v) = sign(g): w -= lr * g / (|g| + eps * 1).
    const after1 = w.dataSync();
    expect(after1[0]).toBeCloseTo(1 - 0.1 * (0.5 / (0.5 + 1e-8)), 6);
    expect(after1[1]).toBeCloseTo(-2 + 0.1, 6);
    stepOnce(adam, w, [1, 2]);
    // Step 2 for w[0]: m = 0.9*0.05 + 0.1*1 = 0.145, v = 0.999*0.00025 + 0.001*1 = 0.00124975.
    const m = 0.145;
    const v = 0.00124975;
    const expected0 = after1[0]! - (0.1 / (1 - 0.9 ** 2)) * (m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** 2) + 1e-8));
    expect(w.dataSync()[0]).toBeCloseTo(expected0, 5);
    expect(adam.stepOf('w')).toBe(2);
    adam.dispose();
    w.dispose();
  });

  test('coupled weight decay adds wd * w to the gradient; decoupled multiplies w by (1 - lr wd)', () => {
    // With g = 0 and coupled decay, the effective gradient is wd * w, so the first step moves by lr * sign(w).
    const coupled = tf.variable(tf.tensor1d([2]));
    const adam = new Adam({ lr: 0.01, weightDecay: 0.5 });
    stepOnce(adam, coupled, [0]);
    expect(coupled.dataSync()[0]).toBeCloseTo(2 - 0.01, 6);
    // Decoupled with g = 0: only the decay acts (the Adam term is 0 / (0 + eps) = 0).
    const decoupled = tf.variable(tf.tensor1d([2]));
    const adamW = new Adam({ lr: 0.01, weightDecay: 0.5, decoupled: true });
    stepOnce(adamW, decoupled, [0]);
    expect(decoupled.dataSync()[0]).toBeCloseTo(2 * (1 - 0.01 * 0.5), 6);
    tf.dispose([coupled, decoupled]);
    adam.dispose();
    adamW.dispose();
  });

  test('snapshot and restore continue bit for bit', () => {
    const grads = [[0.3, -1], [0.2, 0.7], [-0.5, 0.1], [1, 1]];
    const a = tf.variable(tf.tensor1d([0.5, 0.25]));
    const b = tf.variable(tf.tensor1d([0.5, 0.25]));
    const adamA = new Adam({ lr: 0.05, weightDecay: 0.01 });
    const adamB = new Adam({ lr: 0.05, weightDecay: 0.01 });
    for (const g of grads.slice(0, 2)) {
      stepOnce(adamA, a, g);
      stepOnce(adamB, b, g);
    }
    const snapshot = adamB.snapshot();
    const restored = new Adam({ lr: 0.05, weightDecay: 0.01 });
    restored.restore(snapshot);
    adamB.dispose();
    for (const g of grads.slice(2)) {
      stepOnce(adamA, a, g);
      stepOnce(restored, b, g);
    }
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(restored.stepOf('w')).toBe(4);
    tf.dispose([a, b]);
    adamA.dispose();
    restored.dispose();
  });

  test('does not leak tensors across steps and releases its state on dispose', () => {
    const w = tf.variable(tf.randomNormal([3, 4], 0, 1, 'float32', 1));
    const g = tf.randomNormal([3, 4], 0, 1, 'float32', 2);
    const adam = new Adam({ weightDecay: 0.1 });
    adam.step([{ name: 'w', variable: w, grad: g }]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) adam.step([{ name: 'w', variable: w, grad: g }]);
    expect(tf.memory().numTensors).toBe(before);
    adam.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
    tf.dispose([w, g]);
  });

  test('rejects bad options and mismatched gradients, naming the function', () => {
    expect(() => new Adam({ beta1: 1 })).toThrow('Adam: expected beta1 in [0, 1), got 1');
    expect(() => new Adam({ lr: -1 })).toThrow('Adam: expected lr >= 0');
    const w = tf.variable(tf.zeros([2]));
    const g = tf.zeros([3]);
    const adam = new Adam();
    expect(() => adam.step([{ name: 'w', variable: w, grad: g }])).toThrow("Adam.step: gradient of 'w' has shape [3]");
    tf.dispose([w, g]);
    adam.dispose();
  });

  const maybe = torchAvailable() ? describe : describe.skip;
  maybe('against torch.optim (PyTorch 1.13 via /usr/bin/python3)', () => {
    const params = [[0.5, -1.5, 2], [0.1]];
    const grads = Array.from({ length: 6 }, (_, s) => [
      [Math.sin(s + 1), Math.cos(2 * s) * 3, -0.2 * s],
      [0.05 * (s - 3)],
    ]);
    for (const decoupled of [false, true]) {
      test(`${decoupled ? 'AdamW' : 'Adam(weight_decay)'} matches over 6 steps`, () => {
        const options = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled };
        const reference = torchReference<{ adam: number[][][] }>({ adam: { ...options, params, grads } }).adam;
        const variables = params.map((p) => tf.variable(tf.tensor1d(p)));
        const adam = new Adam(options);
        grads.forEach((stepGrads, s) => {
          const gs = stepGrads.map((g) => tf.tensor1d(g));
          adam.step(variables.map((variable, i) => ({ name: `p${i}`, variable, grad: gs[i]! })));
          tf.dispose(gs);
          variables.forEach((v, i) => {
            const actual = Array.from(v.dataSync());
            reference[s]![i]!.forEach((expected, j) => expect(actual[j]).toBeCloseTo(expected, 6));
          });
        });
        adam.dispose();
        tf.dispose(variables);
      });
    }
  });
});
