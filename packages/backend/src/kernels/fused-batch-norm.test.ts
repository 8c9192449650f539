import * as tf from '@tensorflow/tfjs-core';
import { describeKernelPaths, onBackend, onBothBackends, randomValues, relativeError } from '../testing/backends';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';
import { setWasmKernelsEnabled } from './wasm-kernels';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await onBackend('wasm', () => undefined);
});

interface Input {
  shape: number[];
  seed: number;
  /** Maps the uniform [-1, 1) values, e.g. to a positive variance. */
  map?: (v: number) => number;
}

/** `op` on the same inputs on cpu and wasm (leak-checked on each); a null input is passed as undefined. */
function both(inputs: (Input | null)[], op: (...xs: (tf.Tensor | undefined)[]) => tf.Tensor) {
  const present = inputs.filter((input): input is Input => input != null);
  const makeInputs = () =>
    present.map((input) => tf.tensor(randomValues(tf.util.sizeFromShape(input.shape), input.seed).map(input.map ?? ((v) => v)), input.shape));
  return onBothBackends(makeInputs, (...tensors) => {
    let next = 0;
    return op(...inputs.map((input) => (input == null ? undefined : tensors[next++])));
  });
}

const positive = (v: number) => 0.1 + Math.abs(v) * 3;
const X = [2, 5, 6, 7];
const C = [7];

describeKernelPaths('FusedBatchNorm on wasm matches cpu', () => {
  test.each([
    ['scale and offset', C, C, true, true],
    ['no scale', C, C, false, true],
    ['no offset', C, C, true, false],
    ['statistics of shape [1, 1, 1, C]', [1, 1, 1, 7], [1, 1, 1, 7], true, true],
    ['per-element statistics (the wasm build\'s kernel)', X, X, true, true],
  ] as const)('%s', async (_, meanShape, paramShape, withScale, withOffset) => {
    const { cpu, wasm } = await both(
      [
        { shape: X, seed: 1, map: (v) => v * 4 + 2 },
        { shape: [...meanShape], seed: 2 },
        { shape: [...meanShape], seed: 3, map: positive },
        withOffset ? { shape: [...paramShape], seed: 4 } : null,
        withScale ? { shape: [...paramShape], seed: 5, map: (v) => v * 2 } : null,
      ],
      (x, mean, variance, offset, scale) => tf.batchNorm(x!, mean!, variance!, offset, scale, 1e-3),
    );
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-6);
  });

  test('a mean far larger than the spread keeps its precision (the mean is subtracted first)', async () => {
    const { cpu, wasm } = await both(
      [
        { shape: X, seed: 6, map: (v) => 1000 + v * 0.01 },
        { shape: C, seed: 7, map: (v) => 1000 + v * 0.001 },
        { shape: C, seed: 8, map: (v) => 1e-4 * positive(v) },
        { shape: C, seed: 9 },
        { shape: C, seed: 10 },
      ],
      (x, mean, variance, offset, scale) => tf.batchNorm(x!, mean!, variance!, offset, scale, 1e-5),
    );
    // Outputs are O(1); float32 holds 1000 to about 6e-5, so a fold of the mean into the offset would be off by ~0.1.
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-3);
  });

  test('a layers BatchNormalization trained one step gives the same weights on wasm as on cpu', async () => {
    const step = async (backend: 'cpu' | 'wasm') =>
      onBackend(backend, async () => {
        const tfl = await import('@tensorflow/tfjs-layers');
        const input = tfl.input({ shape: [6, 6, 4] });
        const output = tfl.layers.batchNormalization({ epsilon: 1e-3 }).apply(input) as ReturnType<typeof tfl.input>;
        const model = tfl.model({ inputs: input, outputs: output });
        const x = tf.tensor(randomValues(2 * 6 * 6 * 4, 12), [2, 6, 6, 4]);
        const target = tf.tensor(randomValues(2 * 6 * 6 * 4, 13), [2, 6, 6, 4]);
        const optimizer = tf.train.sgd(0.1);
        optimizer.minimize(() => tf.losses.meanSquaredError(target, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
        const weights = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
        tf.dispose([x, target]);
        optimizer.dispose();
        return weights;
      });
    const cpu = await step('cpu');
    const wasm = await step('wasm');
    expect(relativeError(wasm, cpu)).toBeLessThan(1e-5);
  });
});

test('the one-pass SIMD batch norm rounds exactly as the three broadcasting kernels it replaces', async () => {
  const run = (simd: boolean) =>
    onBackend('wasm', () => {
      const previous = setWasmKernelsEnabled(simd);
      try {
        const [x, mean, variance, offset, scale] = [X, C, C, C, C].map((shape, i) =>
          tf.tensor(randomValues(tf.util.sizeFromShape(shape), 20 + i).map(i === 2 ? positive : (v) => v * 3), shape));
        const before = tf.memory().numTensors;
        const y = tf.batchNorm(x!, mean!, variance!, offset, scale, 1e-3);
        expect(tf.memory().numTensors).toBe(before + 1);
        const values = Array.from(y.dataSync());
        tf.dispose([x!, mean!, variance!, offset!, scale!, y]);
        return values;
      } finally {
        setWasmKernelsEnabled(previous);
      }
    });
  expect(await run(true)).toEqual(await run(false));
});
