import * as tf from '@tensorflow/tfjs-core';
import { onBackend, randomValues, relativeError } from '../testing/backends';
import { expectSameWithoutPool, filterGradientValues, useWinogradInThisFile } from '../testing/conv-cases';
import {
  pointwiseFilterGradient,
  pointwiseFilterGradientCallCount,
  setPointwiseFilterGradientEnabled,
} from './pointwise-filter-gradient';
import { setWasmKernelsEnabled } from './wasm-kernels';
import type { WasmBackendLike } from './wasm-kernel-utils';
import { winogradKernels } from './winograd-conv';

/*
 * Tolerance: the same sums as the cpu backend's, reassociated: float32 partial sums over at most `rowBlock` rows
 * (<= 512) are added into dW once per block, so each element sees about block + P / block roundings (P = N·H·W
 * pixels, 6,272 in the largest case), a worst case of ~(512 + 12) · 2⁻²⁴ ≈ 3e-5 of the largest term sum, typically
 * far less. 1e-4 is the bound of every other parity test.
 */
const TOLERANCE = 1e-4;

interface Case {
  x: [number, number, number, number];
  outChannels: number;
  strides?: number;
}

const describeCase = (c: Case) => `x [${c.x}] → ${c.outChannels} channels${c.strides ? `, stride ${c.strides}` : ''}`;

/** Conv2DBackpropFilter of a 1x1 filter at 'same' padding. */
const runCase = (c: Case): Float32Array => filterGradientValues(c.x, [1, 1, c.x[3], c.outChannels], c.strides ?? 1, 'same');

/** Runs `c` on cpu and wasm; returns the relative error and how many times the pointwise path ran. */
async function compare(c: Case): Promise<{ error: number; calls: number }> {
  const before = pointwiseFilterGradientCallCount();
  const cpu = await onBackend('cpu', () => runCase(c));
  const wasm = await onBackend('wasm', () => runCase(c));
  return { error: relativeError(wasm, cpu), calls: pointwiseFilterGradientCallCount() - before };
}

useWinogradInThisFile();

describe('pointwise filter gradient matches the cpu backend', () => {
  const cases: Case[] = [
    { x: [1, 3, 5, 4], outChannels: 8 },
    { x: [2, 7, 9, 8], outChannels: 16 },
    // 5 column panels: an odd share between two threads
    { x: [3, 5, 6, 24], outChannels: 40 },
    // 6,272 pixels: many row blocks added into dW
    { x: [8, 28, 28, 32], outChannels: 24 },
  ];
  test.each(cases.map((c) => [describeCase(c), c] as const))('%s', async (_name, c) => {
    const { error, calls } = await compare(c);
    expect(calls).toBe(1);
    expect(error).toBeLessThan(TOLERANCE);
    if (process.env['FRACTURE_REPORT_ERRORS'] === '1') console.log(`${describeCase(c)}: pointwise filter gradient ${error.toExponential(2)}`);
  });

  const others: Case[] = [
    // channel counts the 4x8 blocks do not cover, and a strided 1x1 (a downsampling shortcut)
    { x: [2, 5, 5, 6], outChannels: 8 },
    { x: [2, 5, 5, 8], outChannels: 12 },
    { x: [2, 6, 6, 8], outChannels: 16, strides: 2 },
  ];
  test.each(others.map((c) => [describeCase(c), c] as const))('%s takes the column path and still matches', async (_name, c) => {
    const { error, calls } = await compare(c);
    expect(calls).toBe(0);
    expect(error).toBeLessThan(TOLERANCE);
  });

  test.each([
    ['switched off', () => setPointwiseFilterGradientEnabled(false), (previous: boolean) => setPointwiseFilterGradientEnabled(previous)],
    ['without our module', () => setWasmKernelsEnabled(false), (previous: boolean) => setWasmKernelsEnabled(previous)],
  ] as const)('%s, the column path runs and still matches', async (_name, setup, undo) => {
    const previous = setup();
    try {
      const { error, calls } = await compare({ x: [2, 7, 9, 8], outChannels: 16 });
      expect(calls).toBe(0);
      expect(error).toBeLessThan(TOLERANCE);
    } finally {
      undo(previous);
    }
  });
});

describe('threads', () => {
  test('the result is bit-identical with and without the pool (column panels split, no cross-thread sum)', async () => {
    const c: Case = { x: [3, 9, 7, 16], outChannels: 40 };
    await expectSameWithoutPool(() => [runCase(c)]);
  });
});

describe('pointwiseFilterGradient', () => {
  test('rejects inputs that do not fit, naming itself, before allocating', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend() as WasmBackendLike;
      const kernels = winogradKernels(backend)!;
      const x = tf.zeros([1, 4, 4, 6]);
      const dy = tf.zeros([1, 4, 4, 8]);
      const dyOther = tf.zeros([1, 2, 2, 8]);
      const x4 = tf.zeros([1, 4, 4, 4]);
      const buffers = backend.numDataIds();
      expect(() => pointwiseFilterGradient(backend, kernels, x, dy)).toThrow(/^pointwiseFilterGradient: x \[1,4,4,6\]/);
      expect(() => pointwiseFilterGradient(backend, kernels, x4, dyOther)).toThrow(/^pointwiseFilterGradient: /);
      expect(backend.numDataIds()).toBe(buffers);
      tf.dispose([x, dy, dyOther, x4]);
    });
  });
});
