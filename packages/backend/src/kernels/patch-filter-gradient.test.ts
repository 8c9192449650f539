import * as tf from '@tensorflow/tfjs-core';
import { onBackend, randomValues, relativeError } from '../testing/backends';
import { expectSameWithoutPool, filterGradientValues, useWinogradInThisFile } from '../testing/conv-cases';
import {
  patchFilterGradient,
  patchFilterGradientCallCount,
  setPatchBufferElements,
  setPatchFilterGradientEnabled,
} from './patch-filter-gradient';
import { setWasmKernelsEnabled, wasmKernels } from './wasm-kernels';
import type { WasmBackendLike } from './wasm-kernel-utils';
import { winogradKernels } from './winograd-conv';

/*
 * Tolerance: the cpu backend's sums, reassociated into float32 partial sums over at most `rowBlock` rows (<= 512)
 * added into dW once per block: about block + P / block roundings per element, a worst case near 3e-5 of the
 * largest term sum here. 1e-4 is the bound of every other parity test.
 */
const TOLERANCE = 1e-4;

type Pad = 'same' | 'valid' | number;

interface Case {
  x: [number, number, number, number];
  filter: [number, number];
  outChannels: number;
  strides: number | [number, number];
  pad: Pad;
}

const describeCase = (c: Case) =>
  `x [${c.x}], ${c.filter.join('x')} → ${c.outChannels}, stride ${c.strides}, pad ${c.pad}`;

const runCase = (c: Case): Float32Array => filterGradientValues(c.x, [c.filter[0], c.filter[1], c.x[3], c.outChannels], c.strides, c.pad);

/** Runs `c` on cpu and wasm; returns the relative error and how many times the patch path ran. */
async function compare(c: Case): Promise<{ error: number; calls: number }> {
  const cpu = await onBackend('cpu', () => runCase(c));
  const before = patchFilterGradientCallCount();
  const wasm = await onBackend('wasm', () => runCase(c));
  return { error: relativeError(wasm, cpu), calls: patchFilterGradientCallCount() - before };
}

useWinogradInThisFile();

describe('patch-matrix filter gradient matches the cpu backend', () => {
  const cases: Case[] = [
    // ResNet18's stem in small: 7x7 stride 2, 3 channels (147 taps: the patch rows end in a zero), 'same' on an
    // even size pads one more at the bottom and right than at the top and left
    { x: [2, 20, 20, 3], filter: [7, 7], outChannels: 8, strides: 2, pad: 'same' },
    // a strided 3x3 (ResNet18's downsampling convolutions) and a strided 1x1 (their shortcuts)
    { x: [2, 9, 10, 4], filter: [3, 3], outChannels: 16, strides: 2, pad: 'same' },
    { x: [3, 8, 8, 8], filter: [1, 1], outChannels: 8, strides: 2, pad: 'valid' },
    // padding on every side, and a non-square filter and stride
    { x: [1, 9, 11, 5], filter: [3, 3], outChannels: 8, strides: 2, pad: 1 },
    { x: [2, 11, 9, 6], filter: [5, 3], outChannels: 24, strides: [2, 1], pad: 'valid' },
    // 5 column panels (an odd share between two threads) and enough pixels for many row blocks
    { x: [4, 34, 34, 6], filter: [3, 3], outChannels: 40, strides: 2, pad: 'same' },
  ];
  test.each(cases.map((c) => [describeCase(c), c] as const))('%s', async (_name, c) => {
    const { error, calls } = await compare(c);
    expect(calls).toBe(1);
    expect(error).toBeLessThan(TOLERANCE);
    if (process.env['FRACTURE_REPORT_ERRORS'] === '1') console.log(`${describeCase(c)}: patch filter gradient ${error.toExponential(2)}`);
  });

  test('a patch matrix larger than its budget runs image chunk by chunk, with the same result', async () => {
    const c: Case = { x: [5, 12, 12, 3], filter: [7, 7], outChannels: 16, strides: 2, pad: 'same' };
    const whole = await onBackend('wasm', () => runCase(c));
    // 148 floats per row and 36 rows per image: two images per chunk, the last chunk one image
    const previous = setPatchBufferElements(148 * 36 * 2);
    try {
      const chunked = await onBackend('wasm', () => runCase(c));
      // The same sums, split into other partial sums (each chunk its own row blocks).
      expect(relativeError(chunked, whole)).toBeLessThan(TOLERANCE);
      const { error, calls } = await compare(c);
      expect(calls).toBe(1);
      expect(error).toBeLessThan(TOLERANCE);
    } finally {
      setPatchBufferElements(previous);
    }
  });

  test('output channels the 8-wide panels do not cover take the column path and still match', async () => {
    const { error, calls } = await compare({ x: [2, 9, 9, 4], filter: [3, 3], outChannels: 12, strides: 2, pad: 'same' });
    expect(calls).toBe(0);
    expect(error).toBeLessThan(TOLERANCE);
  });

  test.each([
    ['switched off', () => setPatchFilterGradientEnabled(false), (previous: boolean) => setPatchFilterGradientEnabled(previous)],
    ['without our modules', () => setWasmKernelsEnabled(false), (previous: boolean) => setWasmKernelsEnabled(previous)],
  ] as const)('%s, the column path runs and still matches', async (_name, setup, undo) => {
    const previous = setup();
    try {
      const { error, calls } = await compare({ x: [2, 20, 20, 3], filter: [7, 7], outChannels: 8, strides: 2, pad: 'same' });
      expect(calls).toBe(0);
      expect(error).toBeLessThan(TOLERANCE);
    } finally {
      undo(previous);
    }
  });
});

describe('threads', () => {
  test('the result is bit-identical with and without the pool (column panels split, no cross-thread sum)', async () => {
    const c: Case = { x: [3, 17, 15, 6], filter: [3, 3], outChannels: 40, strides: 2, pad: 'same' };
    await expectSameWithoutPool(() => [runCase(c)]);
  });
});

describe('patchFilterGradient', () => {
  test('a dilated filter (which tfjs gradients never ask for) equals the undilated gradient at every second tap', async () => {
    // dW of a 3x3 filter at dilation 2 is dW of the 5x5 filter it spans, read at its taps (0, 2, 4) x (0, 2, 4).
    const xShape: [number, number, number, number] = [2, 11, 10, 4];
    const xValues = randomValues(tf.util.sizeFromShape(xShape), 5);
    const dyShape: [number, number, number, number] = [2, 6, 5, 8];
    const dyValues = randomValues(tf.util.sizeFromShape(dyShape), 7);
    const spanned = await onBackend('cpu', () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xValues, xShape);
        const dy = tf.tensor4d(dyValues, dyShape);
        const full = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [5, 5, 4, 8] } as never) as tf.Tensor;
        return tf.stridedSlice(full, [0, 0, 0, 0], [5, 5, 4, 8], [2, 2, 1, 1]).dataSync() as Float32Array;
      }),
    );
    const dilated = await onBackend('wasm', () => {
      const backend = tf.backend() as WasmBackendLike;
      const x = tf.tensor4d(xValues, xShape);
      const dy = tf.tensor4d(dyValues, dyShape);
      const info = tf.backend_util.computeConv2DInfo(xShape, [3, 3, 4, 8], 2, 2, 'same');
      expect([info.outHeight, info.outWidth]).toEqual([6, 5]);
      const tensors = tf.memory().numTensors;
      const out = patchFilterGradient(backend, wasmKernels(backend)!, winogradKernels(backend)!, x, dy, info);
      const values = backend.typedArrayFromHeap(out).slice() as Float32Array;
      backend.disposeData(out.dataId);
      expect(tf.memory().numTensors).toBe(tensors);
      tf.dispose([x, dy]);
      return values;
    });
    expect(relativeError(dilated, spanned)).toBeLessThan(TOLERANCE);
  });

  test('rejects output channels that are not a multiple of 8, naming itself, before allocating', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend() as WasmBackendLike;
      const x = tf.zeros([1, 6, 6, 3]);
      const dy = tf.zeros([1, 3, 3, 12]);
      const info = tf.backend_util.computeConv2DInfo([1, 6, 6, 3], [3, 3, 3, 12], 2, 1, 'same');
      const buffers = backend.numDataIds();
      expect(() => patchFilterGradient(backend, wasmKernels(backend)!, winogradKernels(backend)!, x, dy, info)).toThrow(
        /^patchFilterGradient: 12 output channels are not a multiple of 8/,
      );
      expect(backend.numDataIds()).toBe(buffers);
      tf.dispose([x, dy]);
    });
  });
});
