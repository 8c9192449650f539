import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import { CONV_CASES, describeConvCase, expectSameWithoutPool, useWinogradInThisFile, type ConvCase } from '../testing/conv-cases';
import { onBackend, randomValues, relativeError } from '../testing/backends';
import { setWasmKernelsEnabled } from './wasm-kernels';
import type { WasmBackendLike } from './wasm-kernel-utils';
import { setWinogradPolicy } from './winograd-choice';
import { winogradKernels } from './winograd-conv';
import {
  setWinogradFilterGradientScratchBytes,
  winogradFilterGradient3x3,
  winogradFilterGradientCallCount,
} from './winograd-filter-gradient';

type Case = ConvCase;
const CASES = CONV_CASES;

/*
 * Tolerance. The Winograd filter gradient computes the same sums as the direct one, reassociated through
 * transforms with coefficients 0, ±1, ±1/2: |V| <= 4 max|x| (4 inputs per element), |W| <= 4 max|dy|, and the
 * filter output transform sums 16 partial sums weighted by at most 1/4... 1 (total weight <= 9/4 · 9/4 ≈ 5). So
 * each product term is at most ~16x the direct one's, and the float32 accumulation over T tiles rounds each
 * partial sum about (block + T/block) times (block <= 512 rows, then one addition into M per block): relative to
 * the largest gradient the bound is a small multiple of 16 · 5 · (block + T/block) · 2⁻²⁴ in the worst case, and
 * errors are random so the observed error grows like its square root. Here T <= 147, so a worst case of ~7e-4 and
 * a typical error of ~1e-6; the column-matrix path agrees with the cpu backend to ~1e-6 too. 1e-4, the bound of
 * every other parity test, holds with room; measured errors are reported with FRACTURE_REPORT_ERRORS=1.
 */
const TOLERANCE = 1e-4;

const describeCase = describeConvCase;

/** Conv2DBackpropFilter of one case, checking it leaves only its output (tensors and backend buffers). */
function runCase(c: Case): Float32Array {
  const filterShape: [number, number, number, number] = [3, 3, c.x[3], c.outChannels];
  const info = backend_util.computeConv2DInfo(c.x, filterShape, 1, 1, c.pad);
  const x = tf.tensor4d(randomValues(tf.util.sizeFromShape(c.x), 1), c.x);
  const dy = tf.tensor4d(randomValues(tf.util.sizeFromShape(info.outShape), 3), info.outShape as [number, number, number, number]);
  const backend = tf.backend() as WasmBackendLike;
  const tensors = tf.memory().numTensors;
  const buffers = backend.numDataIds();
  const out = tf.engine().runKernel(
    'Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: c.pad, dataFormat: 'NHWC', filterShape } as never,
  ) as tf.Tensor;
  expect(tf.memory().numTensors).toBe(tensors + 1);
  expect(backend.numDataIds()).toBe(buffers + 1);
  const values = out.dataSync() as Float32Array;
  tf.dispose([out, x, dy]);
  return values;
}

useWinogradInThisFile();

describe('the transforms (plain JavaScript, float64) on a small case', () => {
  // A = [1 0; 1 1; 1 -1; 0 -1], Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
  const A = [[1, 0], [1, 1], [1, -1], [0, -1]];
  const BT = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]];
  const G = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]];
  const mul = (a: number[][], b: number[][]) => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
  const tr = (a: number[][]) => a[0]!.map((_, j) => a.map((row) => row[j]!));

  test('dg = Gᵀ [Σ_tiles (Bᵀ d B) ⊙ (A dY Aᵀ)] G equals the direct sum over outputs, odd output size included', () => {
    // one channel pair, a 5x5 padded input (a 3x3 output: its second tile row and column are partial)
    const h = 5;
    const out = h - 2;
    const x = Array.from({ length: h }, (_, i) => Array.from({ length: h }, (_, j) => Math.sin(3 * i + j + 1)));
    const dy = Array.from({ length: out }, (_, i) => Array.from({ length: out }, (_, j) => Math.cos(2 * i - j)));
    const direct = [0, 1, 2].map((ky) => [0, 1, 2].map((kx) => {
      let s = 0;
      for (let oy = 0; oy < out; oy++) for (let ox = 0; ox < out; ox++) s += x[oy + ky]![ox + kx]! * dy[oy]![ox]!;
      return s;
    }));
    const tiles = Math.ceil(out / 2);
    const m = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    for (let ty = 0; ty < tiles; ty++) {
      for (let tx = 0; tx < tiles; tx++) {
        // the 4x4 input tile, zero past the padded input; the 2x2 dy block, zero past an odd output
        const d = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => x[2 * ty + i]?.[2 * tx + j] ?? 0));
        const dY = [0, 1].map((i) => [0, 1].map((j) => dy[2 * ty + i]?.[2 * tx + j] ?? 0));
        const v = mul(mul(BT, d), tr(BT));
        const w = mul(mul(A, dY), tr(A));
        for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) m[i]![j]! += v[i]![j]! * w[i]![j]!;
      }
    }
    const dg = mul(mul(tr(G), m), G);
    for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) expect(dg[ky]![kx]).toBeCloseTo(direct[ky]![kx]!, 12);
  });
});

describe('Winograd F(2x2, 3x3) filter gradient matches the cpu backend', () => {
  test.each(CASES.map((c) => [describeCase(c), c] as const))('%s', async (_name, c) => {
    const callsBefore = winogradFilterGradientCallCount();
    const cpu = await onBackend('cpu', () => runCase(c));
    const wasm = await onBackend('wasm', () => runCase(c));
    expect(winogradFilterGradientCallCount() - callsBefore).toBe(1);
    const error = relativeError(wasm, cpu);
    expect(error).toBeLessThan(TOLERANCE);
    if (process.env['FRACTURE_REPORT_ERRORS'] === '1') console.log(`${describeCase(c)}: filter gradient ${error.toExponential(2)}`);
  });

  test('a batch split into chunks of one image (small scratch budget) gives the same result', async () => {
    const previous = setWinogradFilterGradientScratchBytes(1);
    try {
      const c = CASES[1]!;
      const callsBefore = winogradFilterGradientCallCount();
      const cpu = await onBackend('cpu', () => runCase(c));
      const wasm = await onBackend('wasm', () => runCase(c));
      expect(winogradFilterGradientCallCount() - callsBefore).toBe(1);
      expect(relativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
    } finally {
      setWinogradFilterGradientScratchBytes(previous);
    }
  });

  test('a ResNet18-sized sum (batch 8 of 28x28, 1,568 tiles) stays within the tolerance', async () => {
    const c: Case = { x: [8, 28, 28, 32], outChannels: 24, pad: 'same' };
    const cpu = await onBackend('cpu', () => runCase(c));
    const wasm = await onBackend('wasm', () => runCase(c));
    const error = relativeError(wasm, cpu);
    expect(error).toBeLessThan(TOLERANCE);
    if (process.env['FRACTURE_REPORT_ERRORS'] === '1') console.log(`${describeCase(c)}: filter gradient ${error.toExponential(2)}`);
  });

  /** Runs one case with `setup` in force (undone by the function it returns): the column path, still matching cpu. */
  async function expectColumnPath(setup: () => () => unknown): Promise<void> {
    const callsBefore = winogradFilterGradientCallCount();
    const undo = setup();
    try {
      const c = CASES[1]!;
      const cpu = await onBackend('cpu', () => runCase(c));
      const wasm = await onBackend('wasm', () => runCase(c));
      expect(winogradFilterGradientCallCount()).toBe(callsBefore);
      expect(relativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
    } finally {
      undo();
    }
  }

  test('without our module (it cannot bind), the column path runs and still matches', async () => {
    await expectColumnPath(() => {
      const previous = setWasmKernelsEnabled(false);
      return () => setWasmKernelsEnabled(previous);
    });
  });

  test('with the policy at never, the column path runs', async () => {
    await expectColumnPath(() => {
      const previous = setWinogradPolicy('never');
      return () => setWinogradPolicy(previous);
    });
  });
});

describe('threads', () => {
  test('the result is bit-identical with and without the pool (images and column panels split, no cross-thread sum)', async () => {
    // Batch 5 leaves an odd share of images; 20 output channels are 3 panels, an odd share of columns.
    const c: Case = { x: [5, 20, 18, 24], outChannels: 20, pad: 'same' };
    await expectSameWithoutPool(() => [runCase(c)]);
  });
});

describe('winogradFilterGradient3x3', () => {
  test('rejects inputs that do not fit, naming itself, before allocating', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend() as WasmBackendLike;
      const kernels = winogradKernels(backend)!;
      const x = tf.zeros([1, 4, 4, 3]);
      const dy = tf.zeros([1, 4, 4, 2]);
      const dyOther = tf.zeros([2, 4, 4, 2]);
      const flat = tf.zeros([4, 4, 3]);
      const ints = tf.zeros([1, 4, 4, 2], 'int32');
      const geometry = { top: 1, left: 1, outHeight: 4, outWidth: 4 };
      const buffers = backend.numDataIds();
      expect(() => winogradFilterGradient3x3(backend, kernels, flat, dy, geometry)).toThrow(/winogradFilterGradient3x3: expected NHWC/);
      expect(() => winogradFilterGradient3x3(backend, kernels, x, dyOther, geometry)).toThrow(/winogradFilterGradient3x3: dy/);
      expect(() => winogradFilterGradient3x3(backend, kernels, x, dy, { ...geometry, outHeight: 3 })).toThrow(/winogradFilterGradient3x3: dy/);
      expect(() => winogradFilterGradient3x3(backend, kernels, x, dy, { ...geometry, top: -1 })).toThrow(/winogradFilterGradient3x3: invalid geometry/);
      expect(() => winogradFilterGradient3x3(backend, kernels, x, ints, geometry)).toThrow(/winogradFilterGradient3x3: float32 only/);
      expect(backend.numDataIds()).toBe(buffers);
      tf.dispose([x, dy, dyOther, flat, ints]);
    });
  });
});
