import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { onBackend } from '../testing/backends';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';
import { float64Scratch, heapOffset, setWasmKernelsEnabled, wasmKernels } from './wasm-kernels';
import type { WasmBackendLike } from './wasm-kernel-utils';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await onBackend('wasm', () => undefined);
});

describe('wasmKernels', () => {
  test('binds to the heap of the running wasm build (so the parity tests check the SIMD path)', async () => {
    await onBackend('wasm', () => {
      expect(wasmKernels(tf.backend() as WasmBackendLike)).not.toBeNull();
    });
  });

  test('is null when disabled, and for a backend without a wasm heap', async () => {
    await onBackend('wasm', () => {
      const previous = setWasmKernelsEnabled(false);
      try {
        expect(wasmKernels(tf.backend() as WasmBackendLike)).toBeNull();
      } finally {
        setWasmKernelsEnabled(previous);
      }
    });
    await onBackend('cpu', () => {
      expect(wasmKernels(tf.backend() as unknown as WasmBackendLike)).toBeNull();
    });
  });

  test('sum_rows sums the rows of each outer slice in place, against a float64 sum by hand', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend() as WasmBackendLike;
      const kernels = wasmKernels(backend)!;
      // 2 slices of 37 rows (two blocks of 16 and a tail) by 7 columns (one vector of 4 and 3 single columns)
      const [outer, rows, width] = [2, 37, 7];
      const values = Array.from({ length: outer * rows * width }, (_, i) => Math.sin(i) * 10 + (i % 7));
      const before = tf.memory().numTensors;
      const x = tf.tensor1d(values);
      const out = backend.makeOutput([outer * width], 'float32');
      const acc = float64Scratch(backend, width);
      kernels.sum_rows(heapOffset(backend, x), heapOffset(backend, out), heapOffset(backend, acc), outer, rows, width, 0.5);
      const got = Array.from(backend.typedArrayFromHeap(out));
      backend.disposeData(out.dataId);
      backend.disposeData(acc.dataId);
      x.dispose();
      expect(tf.memory().numTensors).toBe(before);
      for (let o = 0; o < outer; o++) {
        for (let j = 0; j < width; j++) {
          let expected = 0;
          for (let r = 0; r < rows; r++) expected += Math.fround(values[(o * rows + r) * width + j]!);
          expect(got[o * width + j]).toBeCloseTo(0.5 * expected, 3);
        }
      }
    });
  });
});

describe('the committed kernels binaries', () => {
  test('is wasm/training-kernels.wat and wasm/conv-kernels.wat compiled (scripts/build-wasm-kernels.mjs --check)', () => {
    const script = join(__dirname, '..', '..', 'scripts', 'build-wasm-kernels.mjs');
    const output = execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(output).toContain('up to date');
  });
});
