import * as tf from '@tensorflow/tfjs-core';
import { onBackend } from './testing/backends';
import { explainWasmTrap, guardWasmHeap } from './wasm-heap-guard';

test('an allocation beyond the 4 GiB wasm heap fails with a clear error and leaves the backend usable', async () => {
  await onBackend('wasm', () => {
    expect(guardWasmHeap()).toBe(true);
    expect(guardWasmHeap()).toBe(true); // idempotent
    const tensors = tf.memory().numTensors;
    // 4.4 GiB of float32 (made by the wasm Fill kernel): more than wasm32 can address; unguarded, malloc's 32-bit
    // size wraps to 300 MiB and the kernel writes past the buffer.
    expect(() => tf.fill([1100, 1024, 1024], 0)).toThrow(/wasm backend: out of memory allocating 4400 MiB .*accumulateGradients/);
    expect(tf.memory().numTensors).toBe(tensors);
    const still = tf.add(tf.scalar(1), tf.scalar(2));
    expect(still.dataSync()[0]).toBe(3);
    tf.dispose(still);
  });
});

test('a wasm trap is explained as heap exhaustion inside a kernel; other errors are left alone', async () => {
  await onBackend('wasm', () => {
    const { RuntimeError } = (globalThis as unknown as { WebAssembly: { RuntimeError: new (message: string) => Error } }).WebAssembly;
    const trap = new RuntimeError('memory access out of bounds');
    expect(trap.name).toBe('RuntimeError');
    expect(explainWasmTrap(trap)).toMatch(/^wasm backend: a kernel failed with "memory access out of bounds" \(heap at \d+ MiB of 4096 MiB\).*restart it with smaller batches/);
    // The message alone is enough: the trap may have been re-wrapped on its way up.
    expect(explainWasmTrap(new Error('Aborted(OOM)'))).toContain('a kernel failed with "Aborted(OOM)"');
    expect(explainWasmTrap(new Error('train: expected epochs to be a positive integer'))).toBeNull();
    expect(explainWasmTrap('something else')).toBeNull();
    expect(explainWasmTrap(new RuntimeError('unreachable'))).toBeNull();
  });
});
