import * as tf from '@tensorflow/tfjs-core';
import type { backend_util } from '@tensorflow/tfjs-core';
import { setConvKernelWorkersEnabled } from '../kernels/conv-kernels';
import { setWinogradPolicy, type WinogradPolicy } from '../kernels/winograd-choice';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';
import type { WasmBackendLike } from '../kernels/wasm-kernel-utils';
import { onBackend, randomValues } from './backends';

/** Test helper: one 3x3 stride-1 convolution of the Winograd parity tests. */
export type ConvPad = 'same' | 'valid' | backend_util.ExplicitPadding;
export interface ConvCase {
  x: [number, number, number, number];
  outChannels: number;
  pad: ConvPad;
}

/** NHWC explicit padding: top, bottom, left, right. */
export const explicitPad = (t: number, b: number, l: number, r: number): backend_util.ExplicitPadding => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
];

/**
 * Odd and even sizes (partial 2x2 tiles), batch 1 and 3, channel counts off the kernels' vector (4) and panel (8)
 * widths, 'same', 'valid' and asymmetric explicit padding, a 1x1 map (one tile, all but one tap in the padding),
 * and ResNet18-like channel counts.
 */
export const CONV_CASES: ConvCase[] = [
  { x: [1, 8, 8, 4], outChannels: 8, pad: 'same' },
  { x: [3, 7, 9, 5], outChannels: 6, pad: 'same' },
  { x: [1, 1, 1, 3], outChannels: 2, pad: 'same' },
  { x: [3, 1, 1, 9], outChannels: 11, pad: explicitPad(1, 1, 1, 1) },
  { x: [3, 6, 5, 12], outChannels: 13, pad: explicitPad(1, 1, 1, 1) },
  { x: [2, 10, 11, 16], outChannels: 9, pad: 'valid' },
  { x: [2, 6, 7, 7], outChannels: 3, pad: explicitPad(2, 0, 0, 1) },
  { x: [3, 5, 6, 10], outChannels: 17, pad: explicitPad(0, 2, 1, 0) },
  { x: [1, 14, 14, 64], outChannels: 64, pad: 'same' },
  { x: [3, 7, 7, 40], outChannels: 24, pad: 'same' },
];

export function describeConvCase(c: ConvCase): string {
  const pad = typeof c.pad === 'string' ? c.pad : `explicit ${JSON.stringify(c.pad.slice(1, 3))}`;
  return `x ${c.x.join('x')} co${c.outChannels} ${pad}`;
}

/**
 * Test helper: every convolution of the calling test file takes the Winograd path where it applies (policy
 * `always`), with the training kernels registered and the wasm backend started; the policy is restored after the file.
 */
export function useWinogradInThisFile(): void {
  let previous: WinogradPolicy = 'measured';
  beforeAll(async () => {
    previous = setWinogradPolicy('always');
    registerWasmTrainingKernels();
    await onBackend('wasm', () => undefined);
  });
  afterAll(() => {
    setWinogradPolicy(previous);
  });
}

/**
 * Test helper: runs `run` on wasm with the conv kernels' worker pool and again without it, and expects every output
 * bit-identical (the kernels split work by images, rows or columns, never by a sum). On the single-threaded build
 * there is no pool and both runs take the same path; the threaded jest project is where this can fail.
 */
export async function expectSameWithoutPool(run: () => Float32Array[]): Promise<void> {
  const shared = await onBackend('wasm', run);
  const previous = setConvKernelWorkersEnabled(false);
  try {
    const alone = await onBackend('wasm', run);
    expect(alone).toHaveLength(shared.length);
    shared.forEach((values, k) => expect(Array.from(values)).toEqual(Array.from(alone[k]!)));
  } finally {
    setConvKernelWorkersEnabled(previous);
  }
}

/**
 * Test helper: `Conv2DBackpropFilter` through the engine on the current backend, for x of `xShape` (random values)
 * and a random dy of the forward convolution's output shape, checking that it leaves only its output (tensors and
 * backend buffers). Returns dW's values.
 */
export function filterGradientValues(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: 'same' | 'valid' | number,
): Float32Array {
  const x = tf.tensor4d(randomValues(tf.util.sizeFromShape(xShape), 5), xShape);
  const probe = tf.conv2d(x, tf.zeros(filterShape) as tf.Tensor4D, strides, pad);
  const dyShape = probe.shape;
  probe.dispose();
  const dy = tf.tensor4d(randomValues(tf.util.sizeFromShape(dyShape), 7), dyShape);
  const backend = tf.backend() as WasmBackendLike;
  const tensors = tf.memory().numTensors;
  const buffers = backend.numDataIds();
  const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape } as never) as tf.Tensor;
  expect(tf.memory().numTensors).toBe(tensors + 1);
  expect(backend.numDataIds()).toBe(buffers + 1);
  expect(out.shape).toEqual(filterShape);
  const values = out.dataSync() as Float32Array;
  tf.dispose([out, x, dy]);
  return values;
}
