import * as tf from '@tensorflow/tfjs-core';
import { onBackend, onBothBackends, randomValues } from '../testing/backends';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await onBackend('wasm', () => undefined);
});

/** Values in [-1, 7] with exact ties against 0 and 6, signed zeros and infinities; NaN when asked. */
function values(size: number, seed: number, withNaN: boolean): number[] {
  const special = [6, 0, -0, Infinity, -Infinity];
  return Array.from(randomValues(size, seed), (v, i) =>
    withNaN && i % 13 === 0 ? NaN : i % 9 === 0 ? special[(i / 9) % special.length]! : v * 4 + 3,
  );
}

/** `op` on the same inputs on cpu and wasm (leak-checked on each); NaN and -0 are kept for exact comparison. */
function both(inputs: { shape: number[]; seed: number; withNaN?: boolean; value?: number }[], op: (...xs: tf.Tensor[]) => tf.Tensor) {
  const makeInputs = () =>
    inputs.map(({ shape, seed, withNaN = false, value }) =>
      value !== undefined ? tf.fill(shape, value) : tf.tensor(values(tf.util.sizeFromShape(shape), seed, withNaN), shape),
    );
  return onBothBackends(makeInputs, op);
}

describe.each([
  ['minimum', tf.minimum],
  ['maximum', tf.maximum],
] as const)('%s with a scalar on wasm matches cpu', (_, op) => {
  test.each([
    ['tensor, scalar 6', [3, 5, 7, 4], [], 6, false],
    ['scalar 6, tensor', [], [3, 5, 7, 4], 6, false],
    ['tensor, [1, 1, 1, 1] holding -2.5', [3, 5, 7, 4], [1, 1, 1, 1], -2.5, false],
    ['NaN in the tensor (the wasm build\'s kernel)', [3, 5, 7, 4], [], 6, true],
    ['scalar 0 (signed zeros: the wasm build\'s kernel)', [3, 5, 7, 4], [], 0, false],
    ['scalar NaN', [3, 5, 7, 4], [], NaN, false],
  ] as const)('%s', async (__, aShape, bShape, value, withNaN) => {
    const tensorFirst = aShape.length > 0;
    const inputs = tensorFirst
      ? [{ shape: [...aShape], seed: 3, withNaN }, { shape: [...bShape], seed: 0, value }]
      : [{ shape: [...aShape], seed: 0, value }, { shape: [...bShape], seed: 3, withNaN }];
    const { cpu, wasm } = await both(inputs, op);
    expect(wasm.shape).toEqual(cpu.shape);
    // With a zero scalar the wasm build's own kernel runs, and it orders +0 and -0 differently from cpu's Math.min /
    // Math.max; everywhere else the values, signed zeros and NaN included, are cpu's exactly.
    const unsignedZero = (v: number) => (v === 0 ? 0 : v);
    if (value === 0) expect(wasm.values.map(unsignedZero)).toEqual(cpu.values.map(unsignedZero));
    else expect(wasm.values).toEqual(cpu.values);
  });
});

test('ReLU6 as tfjs-layers writes it, and its gradient, match cpu exactly', async () => {
  const relu6 = (t: tf.Tensor) => tf.minimum(6, tf.relu(t));
  const { cpu, wasm } = await both([{ shape: [2, 6, 6, 4], seed: 8 }], (x) =>
    tf.tidy(() => {
      // Distinct weights per element, so a gradient routed to the wrong element cannot cancel out.
      const weights = tf.reshape(tf.range(0, x.size), x.shape);
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(relu6(t), weights)))(x);
      return tf.concat([tf.reshape(relu6(x), [-1]), tf.reshape(dx, [-1])]);
    }),
  );
  expect(wasm.values).toEqual(cpu.values);
});
