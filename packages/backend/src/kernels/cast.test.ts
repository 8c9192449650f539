import * as tf from '@tensorflow/tfjs-core';
import { describeKernelPaths, onBackend, onBothBackends } from '../testing/backends';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await onBackend('wasm', () => undefined);
});

// 37 values: two SIMD blocks of 16 bools (or nine of 4 int32) and a scalar tail
const INTS = Array.from({ length: 37 }, (_, i) => (i % 2 === 0 ? 1 : -1) * i * 977);

describeKernelPaths('Cast on wasm matches cpu', () => {
  test('bool to float32', async () => {
    const { cpu, wasm } = await onBothBackends(
      () => [tf.tensor(INTS.map((v) => v > 0), [37], 'bool')],
      (x) => tf.cast(x, 'float32'),
    );
    expect(wasm.dtype).toBe('float32');
    expect(wasm.values).toEqual(cpu.values);
  });

  test('int32 to float32', async () => {
    const { cpu, wasm } = await onBothBackends(
      () => [tf.tensor(INTS, [37], 'int32')],
      (x) => tf.cast(x, 'float32'),
    );
    expect(wasm.values).toEqual(cpu.values);
  });

  test('int32 beyond 2^24 rounds to the nearest float32, ties to even', async () => {
    // The cpu backend keeps such values unrounded, so the reference is Math.fround.
    const ints = [2 ** 24 + 1, 2 ** 24 + 3, -(2 ** 25) - 3, 2 ** 31 - 1, 5];
    const values = await onBackend('wasm', () => {
      const x = tf.tensor(ints, [5], 'int32');
      const y = tf.cast(x, 'float32');
      const out = Array.from(y.dataSync());
      tf.dispose([x, y]);
      return out;
    });
    expect(values).toEqual(ints.map(Math.fround));
  });

  test('float32 to int32 (the wasm build\'s kernel) truncates like cpu', async () => {
    const { cpu, wasm } = await onBothBackends(
      () => [tf.tensor([1.7, -1.7, 0.2, -3.9])],
      (x) => tf.cast(x, 'int32'),
    );
    expect(wasm.dtype).toBe('int32');
    expect(wasm.values).toEqual(cpu.values);
  });

  test('to the same dtype shares the buffer instead of copying', async () => {
    await onBackend('wasm', () => {
      const x = tf.tensor([1, 2, 3]);
      const buffers = tf.memory().numDataBuffers;
      const y = tf.cast(x, 'float32');
      expect(tf.memory().numDataBuffers).toBe(buffers);
      expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
      x.dispose();
      // the buffer outlives the input it came from
      expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
      y.dispose();
    });
  });
});
