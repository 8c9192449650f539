import * as tf from '@tensorflow/tfjs-core';
import { onBackend, relativeError, wasmThreadsForTests } from './testing/backends';
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

const GiB = 2 ** 30;
interface HeapModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAPU8: Uint8Array;
  wasmMemory?: { buffer: ArrayBufferLike; grow(pages: number): number };
}
const heapModule = () => (tf.backend() as unknown as { wasm: HeapModule }).wasm;

(wasmThreadsForTests() > 1 ? test : test.skip)('threaded build: the heap views follow a growth made by another thread', async () => {
  await onBackend('wasm', () => {
    guardWasmHeap();
    const module = heapModule();
    const memory = module.wasmMemory!;
    const tensors = tf.memory().numTensors;
    // What a pthread growing the shared heap does: this thread's views keep the old length.
    memory.grow((32 * 2 ** 20) / 65536);
    expect(module.HEAPU8.length).toBeLessThan(memory.buffer.byteLength);
    const values = Float32Array.from({ length: 2 ** 20 }, (_, i) => i % 1000);
    const t = tf.tensor1d(values);
    expect(module.HEAPU8.length).toBe(memory.buffer.byteLength);
    // written and read back through the views, and computed on by a kernel
    expect(relativeError(t.dataSync(), values)).toBe(0);
    const doubled = tf.mul(t, 2);
    expect(relativeError(doubled.dataSync(), values.map((v) => 2 * v))).toBe(0);
    tf.dispose([t, doubled]);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});

test('a block reaching past the usable heap fails with a clear error, on either build, and the backend stays usable', async () => {
  await onBackend('wasm', () => {
    guardWasmHeap();
    const module = heapModule();
    const threaded = wasmThreadsForTests() > 1;
    expect(module.HEAPU8.buffer instanceof SharedArrayBuffer).toBe(threaded);
    // Untouched, so the pages are reserved but never written: cheap.
    const big = module._malloc(3.5 * GiB);
    try {
      expect(big >>> 0).toBeGreaterThan(0);
      const small = () => module._malloc(0.3 * GiB);
      if (threaded) {
        // inside 4 GiB, but in the headroom the threaded build keeps for XNNPACK's own buffers
        expect(small).toThrow(/wasm backend: out of memory allocating 307 MiB \(heap at \d+ MiB of 3840 MiB\)/);
      } else {
        const pointer = small();
        expect(pointer >>> 0).toBeGreaterThan(0);
        module._free(pointer);
      }
      // Past 4 GiB: the single-threaded malloc returns 0, the threaded one a block running off the end of the heap.
      expect(() => module._malloc(0.7 * GiB)).toThrow(/wasm backend: out of memory allocating 717 MiB/);
    } finally {
      module._free(big);
    }
    const still = tf.add(tf.scalar(1), tf.scalar(2));
    expect(still.dataSync()[0]).toBe(3);
    tf.dispose(still);
  });
});
