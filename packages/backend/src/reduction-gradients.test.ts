import * as tf from '@tensorflow/tfjs-core';
import { onBackend } from './testing/backends';
import { registerBroadcastReductionGradients } from './reduction-gradients';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels';

beforeAll(() => {
  registerWasmTrainingKernels();
});

/** d/dx Σ w · mean(x, axes) (or sum) by hand: w at x's reduced position, divided by the reduced count for mean. */
function expectedGradient(shape: number[], axes: number[], weights: number[], mean = true): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  const reduced = axes.reduce((n, a) => n * shape[a]!, 1);
  const kept = shape.map((s, d) => (axes.includes(d) ? 1 : s));
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    let rest = i;
    let index = 0;
    let stride = 1;
    const coords = shape.map(() => 0);
    for (let d = shape.length - 1; d >= 0; d--) {
      coords[d] = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    for (let d = shape.length - 1; d >= 0; d--) {
      index += (axes.includes(d) ? 0 : coords[d]!) * stride;
      stride *= kept[d]!;
    }
    out.push(mean ? weights[index]! / reduced : weights[index]!);
  }
  return out;
}

describe('registerBroadcastReductionGradients', () => {
  test.each([
    ['cpu', [2, 3, 4, 5], [0, 1, 2]],
    ['cpu', [2, 3, 4, 5], [1, 2]],
    ['cpu', [6, 4], [0]],
    ['cpu', [3, 7], [1]],
    ['wasm', [2, 3, 4, 5], [0, 1, 2]],
    ['wasm', [2, 3, 4, 5], [1, 2]],
    ['wasm', [2, 3, 4, 5], [0, 1, 2, 3]],
  ] as const)('on %s, the gradients of sum and mean over %j axes %j are dy and dy / n broadcast', async (backend, shape, axes) => {
    await onBackend(backend, () => {
      const x = tf.randomNormal([...shape], 0, 1, 'float32', 3);
      const keptShape: number[] = shape.map((s, d) => ((axes as readonly number[]).includes(d) ? 1 : s));
      const weightCount = keptShape.reduce((a, b) => a * b, 1);
      const weightValues = Array.from({ length: weightCount }, (_, i) => (i % 5) - 1.5);
      const w = tf.tensor(weightValues, keptShape);
      for (const mean of [true, false]) {
        const reduce = mean ? tf.mean : tf.sum;
        const before = tf.memory().numTensors;
        const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reduce(t, [...axes], true), w)))(x);
        expect(tf.memory().numTensors).toBe(before + 1);
        expect(grad.shape).toEqual(shape);
        const got = Array.from(grad.dataSync());
        const expected = expectedGradient([...shape], [...axes], weightValues, mean);
        got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
        grad.dispose();
      }
      tf.dispose([x, w]);
    });
  });

  test('builds no tensor of ones: only a division and a broadcast run', async () => {
    await onBackend('cpu', async () => {
      registerBroadcastReductionGradients();
      const x = tf.ones([2, 4, 4, 3]);
      const before = tf.memory().numTensors;
      const profile = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mean(t, [0, 1, 2])))(x).dispose());
      expect(tf.memory().numTensors).toBe(before);
      const names = profile.kernels.map((k) => k.name);
      expect(names).not.toContain('Multiply');
      expect(names).toContain('Tile');
      x.dispose();
    });
  });
});
