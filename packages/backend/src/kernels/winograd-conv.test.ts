import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import { CONV_CASES, describeConvCase, expectSameWithoutPool, useWinogradInThisFile, type ConvCase } from '../testing/conv-cases';
import { onBackend, randomValues, relativeError, wasmThreadsForTests } from '../testing/backends';
import { convKernelsBuild, convKernelWorkers, setConvKernelsBuild } from './conv-kernels';
import { enableRelaxedSimd } from '../relaxed-simd';
import { setWinogradPolicy, threadsOf, winogradPays } from './winograd-choice';
import * as winograd from './winograd-conv';
import { setWasmKernelsEnabled } from './wasm-kernels';
import type { WasmBackendLike } from './wasm-kernel-utils';

type Case = ConvCase;
const CASES = CONV_CASES;

/*
 * Tolerance. F(2x2, 3x3) computes the same sums as a direct convolution but reassociated through transforms whose
 * coefficients are 0, ±1 and ±1/2: the input transform sums up to 4 inputs per element (|V| <= 4 max|x|), the
 * filter transform up to 9 taps weighted by at most 1/4 (|U| <= 9/4 max|w|), the output transform up to 9 products'
 * sums. The rounding of the 16 products' accumulation over Ci is therefore that of a direct convolution with
 * operands a small constant factor larger, and the transforms add a few roundings each: a bound a small multiple
 * (at most about 4 x 9/4 x 9 = 81) of direct convolution's. Direct convolution (XNNPACK) agrees with the cpu
 * backend to about 1e-6 of max |y| here, so 1e-4 (the bound of every other parity test) holds with room; measured
 * errors are in the README.
 */
const TOLERANCE = 1e-4;

const describeCase = describeConvCase;

interface Results {
  forward: Float32Array;
  fused: Float32Array;
  inputGradient: Float32Array;
}

/** Conv2D, FusedConv2D (no bias, linear) and Conv2DBackpropInput of one case, checking each leaves only its output. */
function runCase(c: Case): Results {
  const filterShape: [number, number, number, number] = [3, 3, c.x[3], c.outChannels];
  const info = backend_util.computeConv2DInfo(c.x, filterShape, 1, 1, c.pad);
  const x = tf.tensor4d(randomValues(tf.util.sizeFromShape(c.x), 1), c.x);
  const w = tf.tensor4d(randomValues(tf.util.sizeFromShape(filterShape), 2), filterShape);
  const dy = tf.tensor4d(randomValues(tf.util.sizeFromShape(info.outShape), 3), info.outShape as [number, number, number, number]);
  const backend = tf.backend() as WasmBackendLike;
  const run = (op: () => tf.Tensor): Float32Array => {
    const tensors = tf.memory().numTensors;
    const buffers = backend.numDataIds();
    const out = op();
    expect(tf.memory().numTensors).toBe(tensors + 1);
    expect(backend.numDataIds()).toBe(buffers + 1);
    const values = out.dataSync() as Float32Array;
    out.dispose();
    return values;
  };
  const results = {
    forward: run(() => tf.conv2d(x, w, 1, c.pad)),
    fused: run(() => tf.fused.conv2d({ x, filter: w, strides: 1, pad: c.pad })),
    inputGradient: run(() => tf.engine().runKernel(
      'Conv2DBackpropInput', { dy, filter: w }, { strides: 1, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x } as never,
    ) as tf.Tensor),
  };
  tf.dispose([x, w, dy]);
  return results;
}

useWinogradInThisFile();

describe('Winograd F(2x2, 3x3) convolutions match the cpu backend', () => {
  test.each(CASES.map((c) => [describeCase(c), c] as const))('%s', async (_name, c) => {
    const callsBefore = winograd.winogradCallCount();
    const cpu = await onBackend('cpu', () => runCase(c));
      const wasm = await onBackend('wasm', () => runCase(c));
    // forward, fused forward and input gradient all took the Winograd path
    expect(winograd.winogradCallCount() - callsBefore).toBe(3);
    expect(relativeError(wasm.forward, cpu.forward)).toBeLessThan(TOLERANCE);
    expect(relativeError(wasm.fused, cpu.forward)).toBeLessThan(TOLERANCE);
    expect(relativeError(wasm.inputGradient, cpu.inputGradient)).toBeLessThan(TOLERANCE);
    if (process.env['FRACTURE_REPORT_ERRORS'] === '1') {
      console.log(`${describeCase(c)}: forward ${relativeError(wasm.forward, cpu.forward).toExponential(2)}, ` +
        `input gradient ${relativeError(wasm.inputGradient, cpu.inputGradient).toExponential(2)}`);
    }
  });

  test('a fused convolution with a bias or an activation keeps the wasm build kernel', async () => {
    const callsBefore = winograd.winogradCallCount();
    const run = () => tf.tidy(() => {
      const x = tf.tensor4d(randomValues(2 * 6 * 6 * 4, 1), [2, 6, 6, 4]);
      const w = tf.tensor4d(randomValues(3 * 3 * 4 * 5, 2), [3, 3, 4, 5]);
      const bias = tf.tensor1d(randomValues(5, 3));
      return Array.from(tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias, activation: 'relu' }).dataSync());
    });
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    expect(winograd.winogradCallCount()).toBe(callsBefore);
    expect(relativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
  });

  test('a batch split into chunks of one image (small scratch budget) gives the same result', async () => {
    const previous = winograd.setWinogradScratchBytes(1);
    try {
      const c = CASES[1]!;
      const callsBefore = winograd.winogradCallCount();
      const cpu = await onBackend('cpu', () => runCase(c));
      const wasm = await onBackend('wasm', () => runCase(c));
      expect(winograd.winogradCallCount() - callsBefore).toBe(3);
      expect(relativeError(wasm.forward, cpu.forward)).toBeLessThan(TOLERANCE);
      expect(relativeError(wasm.inputGradient, cpu.inputGradient)).toBeLessThan(TOLERANCE);
    } finally {
      winograd.setWinogradScratchBytes(previous);
    }
  });

  test('without our module (it cannot bind), the wasm build kernels run and still match', async () => {
    const callsBefore = winograd.winogradCallCount();
    const previous = setWasmKernelsEnabled(false);
    try {
      const c = CASES[1]!;
      const cpu = await onBackend('cpu', () => runCase(c));
      const wasm = await onBackend('wasm', () => runCase(c));
      expect(winograd.winogradCallCount()).toBe(callsBefore);
      expect(relativeError(wasm.forward, cpu.forward)).toBeLessThan(TOLERANCE);
      expect(relativeError(wasm.inputGradient, cpu.inputGradient)).toBeLessThan(TOLERANCE);
    } finally {
      setWasmKernelsEnabled(previous);
    }
  });
});

describe('threads', () => {
  test('on the threaded build the work is split over as many threads as XNNPACK runs on, with the same result', async () => {
    const threads = wasmThreadsForTests();
    await onBackend('wasm', () => {
      const backend = tf.backend() as WasmBackendLike;
      expect(threadsOf(backend)).toBe(threads);
      expect(convKernelWorkers(backend)?.threads ?? 1).toBe(threads);
    });
    // Images and product rows are split, never a sum, so every output is computed exactly as on one thread. Batch 5
    // leaves an odd share; 20x18 tiles of 5 images are rows not a multiple of 4 per thread.
    const c: Case = { x: [5, 40, 36, 24], outChannels: 20, pad: 'same' };
    await expectSameWithoutPool(() => {
      const { forward, inputGradient } = runCase(c);
      return [forward, inputGradient];
    });
  });

  test('splitRange shares whole multiples, the remainder last, and never more parts than there is work', () => {
    expect(winograd.splitRange(10, 2, 1)).toEqual([[0, 5], [5, 5]]);
    expect(winograd.splitRange(9, 2, 1)).toEqual([[0, 5], [5, 4]]);
    // 90 rows in multiples of 4: 23 units, 12 and 11 of them.
    expect(winograd.splitRange(90, 2, 4)).toEqual([[0, 48], [48, 42]]);
    expect(winograd.splitRange(3, 4, 4)).toEqual([[0, 3]]);
    expect(winograd.splitRange(1, 2, 1)).toEqual([[0, 1]]);
    expect(winograd.splitRange(7, 3, 1)).toEqual([[0, 2], [2, 3], [5, 2]]);
  });
});

describe('the relaxed-SIMD build', () => {
  test('where the engine has relaxed SIMD, its fused multiply-adds agree with the SIMD128 build to rounding', async () => {
    const status = enableRelaxedSimd();
    expect(convKernelsBuild()).toBe(status.available ? 'relaxed' : 'simd128');
    if (!status.available) return;
    const c: Case = { x: [3, 14, 13, 64], outChannels: 40, pad: 'same' };
    const cpu = await onBackend('cpu', () => runCase(c));
    const previous = setConvKernelsBuild('relaxed');
    try {
      const relaxed = await onBackend('wasm', () => runCase(c));
      setConvKernelsBuild('simd128');
      const simd128 = await onBackend('wasm', () => runCase(c));
      // A fused multiply-add rounds once where mul + add rounds twice: over a 64-term reduction the two differ by a
      // few float32 ulps of the partial sums, far inside the cpu bound.
      expect(relativeError(relaxed.forward, simd128.forward)).toBeLessThan(1e-5);
      expect(relativeError(relaxed.inputGradient, simd128.inputGradient)).toBeLessThan(1e-5);
      expect(relativeError(relaxed.forward, cpu.forward)).toBeLessThan(TOLERANCE);
      expect(relativeError(relaxed.inputGradient, cpu.inputGradient)).toBeLessThan(TOLERANCE);
    } finally {
      setConvKernelsBuild(previous);
    }
  });
});

describe('the measured rule on the running build', () => {
  test('reads the thread count XNNPACK runs on (8 input channels pay on 1 thread only)', async () => {
    setWinogradPolicy('measured');
    try {
      const pays = await onBackend('wasm', () => winogradPays(tf.backend() as WasmBackendLike, 56, 56, 8));
      expect(pays).toBe(wasmThreadsForTests() === 1);
    } finally {
      setWinogradPolicy('always');
    }
  });
});

describe('winogradConv3x3', () => {
  test('rejects a filter that does not fit and a negative padding, naming itself, before allocating', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend() as WasmBackendLike;
      const kernels = winograd.winogradKernels(backend)!;
      const x = tf.zeros([1, 4, 4, 3]);
      const w = tf.zeros([3, 3, 2, 4]);
      const w3 = tf.zeros([3, 3, 3, 4]);
      const buffers = backend.numDataIds();
      expect(() => winograd.winogradConv3x3(backend, kernels, x, w, { top: 1, left: 1, outHeight: 4, outWidth: 4 }))
        .toThrow(/winogradConv3x3: filter/);
      expect(() => winograd.winogradConv3x3(backend, kernels, x, w3, { top: -1, left: 1, outHeight: 4, outWidth: 4 }))
        .toThrow(/winogradConv3x3: invalid geometry/);
      expect(backend.numDataIds()).toBe(buffers);
      tf.dispose([x, w, w3]);
    });
  });
});
