import * as tf from '@tensorflow/tfjs-core';
import { batchNormInTraining } from '@fracture/models';
import { onBackend, randomValues, relativeError } from '../testing/backends';
import { expectSameWithoutPool, useWinogradInThisFile } from '../testing/conv-cases';
import { BATCH_NORM_GRAD_KERNEL, batchNormGradientKernelCalls } from './batch-norm-gradient';
import type { WasmBackendLike } from './wasm-kernel-utils';

/*
 * The reference is the closed form evaluated in float64 in plain JavaScript:
 *   dβ = Σdy, dγ = rstd·Σ dy·xc, dx = γ·rstd·(dy − Σdy/M − xc·rstd²·Σ(dy·xc)/M).
 * The kernel sums in float32 over blocks of 64 rows, then in float64, and applies dx in float32: a few float32
 * roundings per element, so 1e-5 of the largest value holds with room (measured errors are printed with
 * FRACTURE_REPORT_ERRORS=1).
 */
const TOLERANCE = 1e-5;

interface Inputs {
  dy: Float32Array;
  xc: Float32Array;
  gamma: Float32Array;
  rstd: Float32Array;
}

function inputsFor(shape: number[]): Inputs {
  const channels = shape[shape.length - 1]!;
  const size = tf.util.sizeFromShape(shape);
  // A per-channel offset on dy, as real gradients have, so that Σdy is not near zero.
  const dy = randomValues(size, 11).map((v, i) => v + 0.25 * ((i % channels) - channels / 2));
  return {
    dy,
    xc: randomValues(size, 13),
    gamma: randomValues(channels, 17).map((v) => 1 + v),
    rstd: randomValues(channels, 19).map((v) => 1.5 + v),
  };
}

function reference({ dy, xc, gamma, rstd }: Inputs): { dx: Float64Array; dGamma: Float64Array; dBeta: Float64Array } {
  const channels = gamma.length;
  const rows = dy.length / channels;
  const sumDy = new Float64Array(channels);
  const sumDyXc = new Float64Array(channels);
  for (let i = 0; i < dy.length; i++) {
    sumDy[i % channels] += dy[i]!;
    sumDyXc[i % channels] += dy[i]! * xc[i]!;
  }
  const dx = new Float64Array(dy.length);
  for (let i = 0; i < dy.length; i++) {
    const c = i % channels;
    const r = rstd[c]!;
    dx[i] = gamma[c]! * r * (dy[i]! - sumDy[c]! / rows - (xc[i]! * r * r * sumDyXc[c]!) / rows);
  }
  return { dx, dGamma: sumDyXc.map((v, c) => v * rstd[c]!), dBeta: sumDy };
}

/** Runs the kernel on the wasm backend, checking it leaves only its three outputs. */
function runKernel(shape: number[], inputs: Inputs): Float32Array[] {
  const channels = shape[shape.length - 1]!;
  const dy = tf.tensor(inputs.dy, shape);
  const centered = tf.tensor(inputs.xc, shape);
  const gamma = tf.tensor1d(inputs.gamma);
  const rstd = tf.tensor1d(inputs.rstd);
  const backend = tf.backend() as WasmBackendLike;
  const tensors = tf.memory().numTensors;
  const buffers = backend.numDataIds();
  const outputs = tf.engine().runKernel(BATCH_NORM_GRAD_KERNEL, { dy, centered, gamma, rstd }, {}) as tf.Tensor[];
  expect(tf.memory().numTensors).toBe(tensors + 3);
  expect(backend.numDataIds()).toBe(buffers + 3);
  expect(outputs.map((t) => t.shape)).toEqual([shape, [channels], [channels]]);
  const values = outputs.map((t) => t.dataSync() as Float32Array);
  tf.dispose([...outputs, dy, centered, gamma, rstd]);
  return values;
}

useWinogradInThisFile();

describe(`${BATCH_NORM_GRAD_KERNEL} equals the closed form in float64`, () => {
  const cases: [string, number[], boolean][] = [
    ['NHWC [2, 5, 6, 8]', [2, 5, 6, 8], true],
    ['rank 3 [3, 7, 12]', [3, 7, 12], true],
    ['rank 2 [40, 16]', [40, 16], true],
    // 6,272 rows: 98 blocks of 64 added in float64
    ['[8, 28, 28, 32]', [8, 28, 28, 32], true],
    // channels not a multiple of 4: plain JavaScript
    ['6 channels [4, 5, 6]', [4, 5, 6], false],
  ];
  test.each(cases)('%s', async (name, shape, onKernels) => {
    const inputs = inputsFor(shape);
    const expected = reference(inputs);
    const before = batchNormGradientKernelCalls();
    const [dx, dGamma, dBeta] = await onBackend('wasm', () => runKernel(shape, inputs));
    expect(batchNormGradientKernelCalls() - before).toBe(onKernels ? 1 : 0);
    const errors = [relativeError(dx!, expected.dx), relativeError(dGamma!, expected.dGamma), relativeError(dBeta!, expected.dBeta)];
    for (const error of errors) expect(error).toBeLessThan(TOLERANCE);
    if (process.env['FRACTURE_REPORT_ERRORS'] === '1') console.log(`${name}: dx, dγ, dβ ${errors.map((e) => e.toExponential(2)).join(', ')}`);
  });

  test('an empty batch gives zeros, not an error', async () => {
    const [dx, dGamma, dBeta] = await onBackend('wasm', () => runKernel([0, 8], { dy: new Float32Array(0), xc: new Float32Array(0), gamma: new Float32Array(8).fill(1), rstd: new Float32Array(8).fill(1) }));
    expect(dx).toHaveLength(0);
    expect(Array.from(dGamma!)).toEqual(new Array(8).fill(0));
    expect(Array.from(dBeta!)).toEqual(new Array(8).fill(0));
  });

  test('names itself and the input on inputs that do not fit', async () => {
    await onBackend('wasm', () => {
      const x = tf.zeros([2, 3, 8]);
      const other = tf.zeros([2, 4, 8]);
      const perChannel = tf.ones([8]);
      const wrong = tf.ones([7]);
      const ints = tf.zeros([2, 3, 8], 'int32');
      const run = (inputs: Record<string, tf.Tensor>) => () => tf.engine().runKernel(BATCH_NORM_GRAD_KERNEL, inputs, {});
      expect(run({ dy: x, centered: other, gamma: perChannel, rstd: perChannel })).toThrow(/^FractureBatchNormGrad: dy and centered must have one shape/);
      expect(run({ dy: x, centered: x, gamma: wrong, rstd: perChannel })).toThrow(/^FractureBatchNormGrad: gamma and rstd must hold one value per channel \(8\)/);
      expect(run({ dy: ints, centered: x, gamma: perChannel, rstd: perChannel })).toThrow(/^FractureBatchNormGrad: dy must be a float32 tensor, got int32/);
      tf.dispose([x, other, perChannel, wrong, ints]);
    });
  });
});

describe('threads', () => {
  test('the result is bit-identical with and without the pool (sums split by channels, dx by rows)', async () => {
    const shape = [5, 9, 7, 40];
    const inputs = inputsFor(shape);
    await expectSameWithoutPool(() => runKernel(shape, inputs));
  });
});

describe("@fracture/models' batch norm on wasm", () => {
  test('its backward pass runs on this kernel and equals the cpu backend, which composes it from tfjs ops', async () => {
    const shape = [4, 6, 5, 12];
    const channels = shape[3]!;
    const x = randomValues(tf.util.sizeFromShape(shape), 23).map((v, i) => 3 * v + (i % channels));
    const weights = randomValues(x.length, 29);
    const gammaValues = randomValues(channels, 31).map((v) => 1 + v);
    const betaValues = randomValues(channels, 37);
    const gradientsOn = (backendName: 'cpu' | 'wasm') =>
      onBackend(backendName, () => {
        const before = tf.memory().numTensors;
        const [input, gamma, beta, w] = [tf.tensor(x, shape), tf.tensor1d(gammaValues), tf.tensor1d(betaValues), tf.tensor(weights, shape)];
        const grads = tf.grads((a, g, b) => tf.sum(tf.mul(batchNormInTraining(a!, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5), w)))([input, gamma, beta]);
        const values = grads.map((t) => t.dataSync() as Float32Array);
        tf.dispose([...grads, input, gamma, beta, w]);
        expect(tf.memory().numTensors).toBe(before);
        return values;
      });
    const cpu = await gradientsOn('cpu');
    const before = batchNormGradientKernelCalls();
    const wasm = await gradientsOn('wasm');
    expect(batchNormGradientKernelCalls() - before).toBe(1);
    // dx, dγ, dβ: float32 on both sides, summed in different orders
    for (let k = 0; k < 3; k++) expect(relativeError(wasm[k]!, cpu[k]!)).toBeLessThan(1e-4);
  });
});
